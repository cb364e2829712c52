package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
)

// maxAliasHops bounds how many grace aliases Load, Commit and Increment
// follow (a renamed session renamed again within the grace has a chain).
const maxAliasHops = 4

// Load returns the live record under key: one HGETALL. A key within a
// Rename grace costs one more HGETALL per alias followed, and reports the
// renamed key with sessions.ReportAlias.
func (s *Store) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, at, found, err := s.loadResolved(ctx, key)
	if found && at != key {
		sessions.ReportAlias(ctx, at)
	}
	return rec, found, err
}

// loadResolved is Load that also returns the key the record is stored
// under (key, or where key's grace aliases lead).
func (s *Store) loadResolved(ctx context.Context, key string) (*sessions.Record, string, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", false, fmt.Errorf("sessions/redis: load: %w", err)
	}
	if !sessions.ValidKey(key) {
		return nil, "", false, nil
	}
	for range maxAliasHops + 1 {
		hk := s.hashKey(key)
		h, err := s.c.HGetAll(ctx, hk).Result()
		if err != nil {
			return nil, "", false, fail(ctx, "load "+short(key), err)
		}
		if len(h) == 0 {
			return nil, "", false, nil
		}
		if isGhost(h) {
			s.dropGhost(ctx, hk)
			return nil, "", false, nil
		}
		if _, ok := h[fVersion]; !ok && h[fRetiredTo] != "" {
			return nil, "", false, nil // renamed without a grace
		}
		if to, ok := h[fAliasTo]; ok {
			if v := h[fVersion]; v != formatVersion {
				// A grace alias has fVersion as a record has (see
				// isGhost); the scripts refuse this hash too.
				return nil, "", false, fmt.Errorf("sessions/redis: load %s: alias: %w", short(key), corruptf("format version %q, want %q", v, formatVersion))
			}
			if !sessions.ValidKey(to) {
				return nil, "", false, fmt.Errorf("sessions/redis: load %s: alias to %q: %w", short(key), to, sessions.ErrCorrupt)
			}
			key = to
			continue
		}
		rec, err := decodeRecord(h, s.maxValue)
		if err != nil {
			return nil, "", false, fmt.Errorf("sessions/redis: load %s: %w", short(key), err)
		}
		if rec.Expires != 0 && rec.Expires <= time.Now().UnixNano() {
			return nil, "", false, nil
		}
		return rec, key, true, nil
	}
	return nil, "", false, nil
}

// Create stores rec under key if the key is absent: one script call. In the
// cluster-safe protocol a record with a user costs a second command, to the
// user's index; if that fails the record is removed again.
func (s *Store) Create(ctx context.Context, key string, rec *sessions.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sessions/redis: create: %w", err)
	}
	if !sessions.ValidKey(key) {
		return fmt.Errorf("sessions/redis: create: %q is not a store key; pass sessions.KeyOf(id)", key)
	}
	exp := expiryMillis(rec.Expires)
	args := make([]any, 0, 4+2*11+2*len(rec.Fields))
	args = append(args, exp, "0", key, "")
	keys := []string{s.hashKey(key)}
	var coverage string
	if rec.User != "" && (rec.Expires == 0 || rec.Expires > time.Now().UnixNano()) {
		if s.sharded {
			coverage = s.coverage(exp)
		} else {
			keys = append(keys, s.indexKey(rec.User))
			args[1], args[3] = "1", score(exp)
		}
	}
	args = appendMeta(args, &rec.Meta, present(&rec.Meta))
	if coverage != "" {
		args = append(args, fIndexed, coverage)
	}
	args, err := s.appendValues(args, rec.Fields)
	if err != nil {
		return err
	}
	v, err := createScript.Run(ctx, s.c, keys, args...).Result()
	if err != nil {
		return fail(ctx, "create "+short(key), err)
	}
	code, _, err := reply(v)
	if err != nil {
		return err
	}
	if code != codeOK {
		return fmt.Errorf("sessions/redis: create %s: %w", short(key), sessions.ErrExists)
	}
	if coverage != "" {
		if err := s.indexAdd(ctx, rec.User, key, coverage); err != nil {
			cctx, cancel := cleanupCtx(ctx)
			s.c.Del(cctx, s.hashKey(key))
			cancel()
			return err
		}
	}
	return nil
}

// Commit applies d to the record under key, writing only the delta. It
// never creates a record: on a session that was deleted, has expired or
// was renamed (past the grace) it fails with sessions.ErrNotFound.
//
// A delta of values only (no Meta, no Clear), what most requests commit,
// is one round trip: HDEL and HSET of the values, then an HMGET of the
// record's version, alias, fence and expiry fields (in MULTI/EXEC when there are
// both an HDEL and an HSET; see commitValues). If they show no record under
// key, the HSET has made a hash of values only, which Commit deletes before
// reporting ErrNotFound; every
// operation treats such a hash as absent. If they show a grace alias or a
// record fenced by a cluster-safe Rename, the values went to a hash that
// is not the session's record, and Commit applies the delta again the
// general way, which follows the alias or waits for the fence (setting and
// deleting values twice changes nothing).
//
// Any other delta is one script call, which checks the record before it
// writes. In the cluster-safe protocol a login (a new Meta.User), or an
// expiry moved past the index entry's coverage (see Options.IndexSlack),
// costs a second command to the user's index.
func (s *Store) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sessions/redis: commit: %w", err)
	}
	if !sessions.ValidKey(key) {
		return fmt.Errorf("sessions/redis: commit %s: %w", short(key), sessions.ErrNotFound)
	}
	if d.Meta == nil && !d.Clear {
		set, err := s.appendValues(make([]any, 0, 2*len(d.Set)), d.Set)
		if err != nil {
			return err
		}
		if done, err := s.commitValues(ctx, key, set, d.Del); done {
			return err
		}
	}
	args, err := s.valueArgs(key, d)
	if err != nil {
		return err
	}
	args, idx, user := s.metaArgs(args, d)
	keys := []string{s.hashKey(key)}
	if idx != "" {
		keys = append(keys, idx)
	}
	start, hops := time.Now(), 0
	for attempt := 0; hops <= maxAliasHops; attempt++ {
		v, err := commitScript.Run(ctx, s.c, keys, args...).Result()
		if err != nil {
			if args[5] == "2" && !dialFailed(err) {
				// The script may have run without its reply, recording
				// a coverage whose index write never came: forget it, so
				// that the next commit of the user or expiry writes the
				// index entry.
				s.forgetIndexed(ctx, keys[0])
			}
			return fail(ctx, "commit "+short(key), err)
		}
		code, arg, err := reply(v)
		if err != nil {
			return err
		}
		switch code {
		case codeOK:
			if arg == "" {
				return nil
			}
			if err := s.indexAdd(ctx, user, key, arg); err != nil {
				s.forgetIndexed(ctx, keys[0]) // let the next commit try again
				return err
			}
			return nil
		case codeAlias:
			if !sessions.ValidKey(arg) {
				return fmt.Errorf("sessions/redis: commit %s: alias to %q: %w", short(key), arg, sessions.ErrCorrupt)
			}
			key = arg
			keys[0], args[6] = s.hashKey(key), key
			hops++
		case codeFenced:
			if err := fenceWait(ctx, "commit "+short(key), attempt, start); err != nil {
				return err
			}
		case codeCorrupt:
			return errCommitCorrupt(key)
		default:
			return errCommitNotFound(key)
		}
	}
	return fmt.Errorf("sessions/redis: commit %s: too many grace aliases: %w", short(key), sessions.ErrNotFound)
}

// forgetIndexed removes the coverage the cluster-safe protocol records in
// the session hash h (m:ix), best effort, after a Commit that may have
// recorded it failed before writing the user index: the next Commit that
// names the user or the expiry finds none and writes the index entry.
func (s *Store) forgetIndexed(ctx context.Context, h string) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	s.c.HDel(cctx, h, fIndexed)
}

// commitHead is the number of commitScript arguments before the set pairs.
const commitHead = 9

// valueArgs starts commitScript's arguments for applying d to key: the
// head, then the set pairs.
func (s *Store) valueArgs(key string, d *sessions.Delta) ([]any, error) {
	clr := "0"
	if d.Clear {
		clr = "1"
	}
	args := make([]any, 0, commitHead+2*len(d.Set)+len(d.Del)+2*10)
	args = append(args, clr, len(d.Set), len(d.Del), "0", "0", "0", key, "", "0")
	return s.appendValues(args, d.Set)
}

// metaArgs completes commitScript's arguments from valueArgs with d's
// deleted fields and metadata. idx is the user index key the script needs
// (inline index mode), or ""; user is the user the index entry is for.
func (s *Store) metaArgs(args []any, d *sessions.Delta) (_ []any, idx, user string) {
	for _, k := range d.Del {
		args = append(args, valuePrefix+k)
	}
	m := d.Meta
	if m == nil {
		return args, "", ""
	}
	fields := d.MetaChanges()
	args[3], args[4] = "1", "" // "": the TTL stays
	// The user index entry follows the record's expiry, so a commit that
	// moves the expiry or names the user places it. m.User and m.Expires
	// are as the request saw them; each is written only when fields names
	// it (only then does the TTL move), else it only places the entry.
	if fields&(sessions.MetaExpires|sessions.MetaUser) != 0 {
		user = m.User
		exp := expiryMillis(m.Expires)
		if fields&sessions.MetaExpires != 0 {
			args[4] = exp
		}
		args[7] = user
		if user != "" {
			cov, sc := s.coverage(exp), score(exp)
			if fields&sessions.MetaExpires == 0 {
				// The expiry stays as stored, which may be later than the
				// request saw: the script places the entry from the
				// record's own TTL, plus the slack after the "~".
				cov, sc = "~"+strconv.FormatInt(s.slackMS, 10), "~0"
			}
			if s.sharded {
				args[5], args[8] = "2", cov
			} else {
				args[5], args[8] = "1", sc
				idx = s.indexKey(user)
			}
		}
	}
	return appendMeta(args, m, fields), idx, user
}

// commitValues is Commit's round trip for a delta of values only: set holds
// the "v:" field/value pairs, del the value names to delete. done is false
// when the key is a grace alias or its record is fenced by a cluster-safe
// Rename; the values then sit in a hash that is not the live record, and
// the caller must apply the delta again by script.
//
// The writes go first and the HMGET of the record's version, alias, fence,
// creation and expiry fields after them, so it shows the hash the writes landed
// in. A delta that both deletes and sets values is one MULTI/EXEC, so no
// reader sees half of it; a delta of one write command (HSET or HDEL, what
// a read-write request usually sends) is atomic by itself and is pipelined
// without MULTI. Whatever another client does between that write and the
// HMGET ends as the same call would have: a record deleted after the write
// shows as absent (ErrNotFound, as if deleted just before), one renamed or
// fenced after it shows an alias or a fence (the delta is applied again by
// script, and applying it twice changes nothing).
//
// HSET cannot be made conditional without a script, so on a key without a
// record it makes a hash of values only, which this removes at once (also
// when the round trip fails, since the HSET may have landed anyway); on a
// retired key's marker it removes the values and keeps the marker. Load
// and the scripts treat such a hash as absent meanwhile (see isGhost), and
// since store keys derive from fresh random IDs, no Create can be waiting
// for the key.
func (s *Store) commitValues(ctx context.Context, key string, set []any, del []string) (done bool, err error) {
	h := s.hashKey(key)
	var st *redis.SliceCmd
	send := s.c.Pipelined
	if len(set) > 0 && len(del) > 0 {
		send = s.c.TxPipelined
	}
	cmds, err := send(ctx, func(p redis.Pipeliner) error {
		if len(del) > 0 {
			fields := make([]string, len(del))
			for i, k := range del {
				fields[i] = valuePrefix + k
			}
			p.HDel(ctx, h, fields...)
		}
		if len(set) > 0 {
			p.HSet(ctx, h, set...)
		}
		st = p.HMGet(ctx, h, fVersion, fAliasTo, fFenceEnd, fCreated, fExpires)
		return nil
	})
	if err != nil {
		if len(set) > 0 && !dialFailed(err) {
			// The HSET may have landed even so (a reply lost to a timeout
			// or a dropped connection), perhaps on a destroyed session,
			// where it made a ghost without expiry. Remove it if so: the
			// script spares a live record the HSET may have updated. A
			// failed dial sent nothing.
			s.dropGhost(ctx, h)
		}
		return true, fail(ctx, "commit "+short(key), txCause(cmds, err))
	}
	before := st.Val()
	has := func(i int) bool { _, ok := before[i].(string); return ok }
	switch {
	case len(before) != 5:
		return true, fmt.Errorf("sessions/redis: commit %s: unexpected HMGET reply %#v", short(key), before)
	case has(1), has(2):
		return false, nil
	case before[0] == formatVersion && !decimal(before[3]):
		// A damaged record (see isGhost), as Load finds it; the values
		// went into it, as into any record a Load would refuse.
		return true, errCommitCorrupt(key)
	case before[0] == formatVersion && expired(before[4]):
		// Past its Meta.Expires, as Load finds it, though its TTL (rounded
		// up to the millisecond) keeps the hash a moment longer: the values
		// went to a record that is gone.
		return true, errCommitNotFound(key)
	case before[0] == formatVersion:
		return true, nil
	case !has(0) && !has(3):
		if len(set) > 0 {
			// A ghost, or a retired key's marker that the HSET wrote
			// into: dropGhost deletes the first and takes the values
			// out of the second.
			s.dropGhost(ctx, h)
		}
		return true, errCommitNotFound(key)
	}
	return true, errCommitCorrupt(key)
}

// decimal reports whether v, a field from an HMGET, is present and an
// integer in decimal, as every record's m:c is.
func decimal(v any) bool {
	s, _ := v.(string)
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// expired reports whether e, a record's m:e field from an HMGET, is a
// Meta.Expires that has passed.
func expired(e any) bool {
	s, _ := e.(string)
	ns, err := strconv.ParseInt(s, 10, 64)
	return err == nil && ns != 0 && ns <= time.Now().UnixNano()
}

// dropGhost removes the ghost hash h that Load met: one a values-only
// Commit made on a destroyed session and then failed to delete (see
// commitValues), which has no expiry. commitValues also calls it when its
// round trip failed, since the HSET may have landed without its reply. It
// is best effort: the ghost is absent to every operation either way, and
// the next Load of its key tries again. The script deletes h only if it is
// still a ghost.
func (s *Store) dropGhost(ctx context.Context, h string) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	dropGhostScript.Run(cctx, s.c, []string{h})
}

// txCause returns why Redis discarded a MULTI/EXEC transaction whose EXEC
// failed with err: EXECABORT only says that a queued command was refused,
// and that command's own error (OOM, READONLY, MISCONF: a server refusing
// writes) is what tells an outage from a bad command. Any other err is
// returned as it is.
func txCause(cmds []redis.Cmder, err error) error {
	if !redis.HasErrorPrefix(err, "EXECABORT") {
		return err
	}
	for _, c := range cmds {
		if e := c.Err(); e != nil && !redis.HasErrorPrefix(e, "EXECABORT") {
			return e
		}
	}
	return err
}

// dialFailed reports whether err is a failed dial: the command was never
// sent, so it cannot have landed.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func errCommitNotFound(key string) error {
	return fmt.Errorf("sessions/redis: commit %s: %w", short(key), sessions.ErrNotFound)
}

func errCommitCorrupt(key string) error {
	return fmt.Errorf("sessions/redis: commit %s: %w: format version unknown; delete the session", short(key), sessions.ErrCorrupt)
}

// Delete removes the record under key: one DEL. On a key within a Rename
// grace it removes only the alias, ending the grace early. The user index
// drops the entry when it is next listed, or when its score passes.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sessions/redis: delete: %w", err)
	}
	if !sessions.ValidKey(key) {
		return nil
	}
	if err := s.c.Del(ctx, s.hashKey(key)).Err(); err != nil {
		return fail(ctx, "delete "+short(key), err)
	}
	return nil
}

// Increment adds by to the integer field of the record under key with one
// script call running HINCRBY, and returns the new value. A field holding a
// Go int (the only type the codec stores as plain decimal) counts; any
// other type, and a count outside the range of an int on this platform
// (int64 on a 64-bit one), is sessions.ErrNotInteger, and leaves the field
// as it was.
func (s *Store) Increment(ctx context.Context, key, field string, by int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sessions/redis: increment: %w", err)
	}
	if !sessions.ValidKey(key) {
		return 0, fmt.Errorf("sessions/redis: increment %s: %w", short(key), sessions.ErrNotFound)
	}
	start, hops := time.Now(), 0
	for attempt := 0; hops <= maxAliasHops; attempt++ {
		args := append([]any{valuePrefix + field, strconv.FormatInt(by, 10)}, incrementRange...)
		v, err := incrementScript.Run(ctx, s.c, []string{s.hashKey(key)}, args...).Result()
		if err != nil {
			return 0, fail(ctx, "increment "+short(key), err)
		}
		code, arg, err := reply(v)
		if err != nil {
			return 0, err
		}
		switch code {
		case codeOK:
			n, err := strconv.ParseInt(arg, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("sessions/redis: increment %s: field %q = %q: %w", short(key), field, arg, sessions.ErrCorrupt)
			}
			return n, nil
		case codeAlias:
			if !sessions.ValidKey(arg) {
				return 0, fmt.Errorf("sessions/redis: increment %s: alias to %q: %w", short(key), arg, sessions.ErrCorrupt)
			}
			key = arg
			hops++
		case codeFenced:
			if err := fenceWait(ctx, "increment "+short(key), attempt, start); err != nil {
				return 0, err
			}
		case codeNotInteger:
			return 0, fmt.Errorf("sessions/redis: increment %s: field %q: %w", short(key), field, sessions.ErrNotInteger)
		case codeOverflow:
			return 0, fmt.Errorf("sessions/redis: increment %s: field %q: adding %d leaves the range of an int: %w", short(key), field, by, sessions.ErrNotInteger)
		case codeCorrupt:
			return 0, fmt.Errorf("sessions/redis: increment %s: %w: format version unknown; delete the session", short(key), sessions.ErrCorrupt)
		default:
			return 0, fmt.Errorf("sessions/redis: increment %s: %w", short(key), sessions.ErrNotFound)
		}
	}
	return 0, fmt.Errorf("sessions/redis: increment %s: too many grace aliases: %w", short(key), sessions.ErrNotFound)
}

// score is the user index score for an expiry in Unix ms (0 = none).
func score(expMS int64) string {
	if expMS == 0 {
		return "+inf"
	}
	return strconv.FormatInt(expMS, 10)
}

// coverage is the index score the cluster-safe protocol records for an
// expiry: the expiry plus Options.IndexSlack. The sum cannot overflow: both
// terms are under math.MaxInt64/1e6 (expiryMillis of any int64, and the
// milliseconds of a time.Duration), so it stays below 2^53, exact as a
// sorted-set score and in Lua.
func (s *Store) coverage(expMS int64) string {
	if expMS == 0 {
		return "+inf"
	}
	return strconv.FormatInt(expMS+s.slackMS, 10)
}

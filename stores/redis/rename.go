package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
)

// renameFence is how long a cluster-safe Rename may hold writes to the old
// record. A Rename normally needs a few milliseconds of it; the bound only
// matters if the renaming process dies halfway, after which writes resume.
const renameFence = 2 * time.Second

// retiredTTL is how long a key renamed without a grace keeps a marker (a
// hash holding m:rt, the new store key, and in the single-node protocol
// m:rn, the Rename call's token). Load treats the marker as no session; a
// Rename whose reply was lost and that runs again, by go-redis's retry or
// the cluster-safe protocol's cleanup, finds it and knows the rename is
// done. It must outlast a read timeout and a retry.
const retiredTTL = time.Minute

// Rename moves the record under oldKey to newKey. With grace > 0, oldKey
// becomes an alias hash resolving to newKey for Load, Commit and Increment
// until the grace has passed or Delete(oldKey) removes it. A key that is
// itself a grace alias cannot be renamed (sessions.ErrNotFound). As the
// contract says, the old key is judged first: Rename(k, k) is
// sessions.ErrNotFound unless k holds a live record, and then
// sessions.ErrExists; a Rename(a, b) repeated after it succeeded is
// sessions.ErrNotFound.
//
// Single-node protocol: one script, atomic. RENAME moves the hash with its
// TTL, the alias takes its place, and the user index swaps the entry.
// Without a grace, a marker naming newKey takes the old key's place for
// retiredTTL instead; no Load sees a session there, and a Create or a
// Rename onto the old key replaces it.
//
// Rename may run again after its reply was lost (go-redis retries a command
// whose reply timed out when MaxRetries > 0): each call sends a random
// token, which the alias or marker keeps, and a run that finds oldKey
// already an alias or a marker naming newKey with its own call's token
// reports success, so a rename that happened is never reported as a lost
// session. A later call, with another token, finds no record at oldKey.
//
// Cluster-safe protocol (the keys are in different slots, so no one script
// can see both): four single-slot steps.
//
//  1. A script fences the old record (two fields naming the new key and a
//     deadline renameFence ahead) and returns its fields. Commit and
//     Increment on a fenced record wait and retry; Load still reads it.
//  2. A script copies the fields to newKey if it is absent (else ErrExists).
//  3. The copy joins the user's index, when the session has a user.
//  4. A script retires the old record (replaces it with the alias, or
//     with the marker) if its fence still stands.
//
// Step 4 is the moment the rename takes effect: a write to oldKey lands
// before it (and was copied, since the fence held it back until then) or
// after it (through the alias), so none is lost, as with the single-node
// script. A Delete(oldKey) meanwhile wins: the copy is removed and Rename
// reports ErrNotFound. On any failure the copy is removed and the fence
// lifted, unless oldKey is verifiably an alias or a marker naming newKey
// already (the rename did happen, only the reply to step 4 was lost).
// Should the renaming process die halfway, writes resume when the fence
// expires and the orphaned copy expires with the record's own deadline. So
// does a copy whose cleanup failed (Redis unreachable, or slower than the
// cleanup's one-second timeout): no client was given its ID, but until it
// expires it is listed among the user's sessions, and DestroyUserSessions
// ends it with the rest.
// Each step may run again after a lost reply: a fence this Rename set is
// renewed rather than waited out, a copy that finds its own copy (every
// field as sent) goes on, and a retire that finds its alias or marker
// reports success. A step whose reply is lost and not retried fails the
// Rename, and the cleanup also undoes what that step may have done.
func (s *Store) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	graceMS, err := renameArgs(ctx, oldKey, newKey, grace)
	if err != nil {
		return err
	}
	if s.sharded {
		return s.renameSharded(ctx, oldKey, newKey, graceMS)
	}
	keys := []string{s.hashKey(oldKey), s.hashKey(newKey)}
	return s.runRename(ctx, renameScript, keys, []any{graceMS, oldKey, newKey, s.prefix + "u:{", renameToken()}, oldKey, newKey)
}

// RenameCommit implements sessions.RenameCommitter. In the single-node
// protocol it is one script, Rename's followed by Commit's: one round trip
// and atomic. The cluster-safe protocol renames in steps, so there it
// returns an error wrapping errors.ErrUnsupported and changes nothing.
func (s *Store) RenameCommit(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	if s.sharded {
		return fmt.Errorf("sessions/redis: the cluster-safe protocol renames in steps, not with a commit in one: %w", errors.ErrUnsupported)
	}
	graceMS, err := renameArgs(ctx, oldKey, newKey, grace)
	if err != nil {
		return err
	}
	cargs, err := s.valueArgs(newKey, d)
	if err != nil {
		return err
	}
	cargs, idx, _ := s.metaArgs(cargs, d)
	keys := []string{s.hashKey(oldKey), s.hashKey(newKey)}
	if idx != "" {
		keys = append(keys, idx)
	}
	args := append([]any{graceMS, oldKey, newKey, s.prefix + "u:{", renameToken()}, cargs...)
	return s.runRename(ctx, renameCommitScript, keys, args, oldKey, newKey)
}

// renameArgs checks Rename's arguments and converts the grace to
// milliseconds (0: none).
func renameArgs(ctx context.Context, oldKey, newKey string, grace time.Duration) (graceMS int64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sessions/redis: rename: %w", err)
	}
	if !sessions.ValidKey(oldKey) {
		return 0, fmt.Errorf("sessions/redis: rename %s: %w", short(oldKey), sessions.ErrNotFound)
	}
	if !sessions.ValidKey(newKey) {
		return 0, fmt.Errorf("sessions/redis: rename to %q: not a store key; pass sessions.KeyOf(id)", newKey)
	}
	if grace > 0 {
		// Rounded up, as record expiries are (expiryMillis): the alias
		// must last the whole grace.
		graceMS = grace.Milliseconds()
		if grace%time.Millisecond != 0 {
			graceMS++
		}
	}
	return graceMS, nil
}

// renameToken returns a random token naming one single-node Rename or
// RenameCommit call, sent with every run of its script (see Store.Rename).
func renameToken() string {
	var b [12]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// runRename runs the single-node rename script (renameScript or
// renameCommitScript), waiting while a cluster-safe Rename fences the old
// record.
func (s *Store) runRename(ctx context.Context, script *redis.Script, keys []string, args []any, oldKey, newKey string) error {
	start := time.Now()
	for attempt := 0; ; attempt++ {
		v, err := script.Run(ctx, s.c, keys, args...).Result()
		if err != nil {
			return fail(ctx, "rename "+short(oldKey), err)
		}
		code, _, err := reply(v)
		if err != nil {
			return err
		}
		if code == codeFenced {
			if err := fenceWait(ctx, "rename "+short(oldKey), attempt, start); err != nil {
				return err
			}
			continue
		}
		return renameResult(code, oldKey, newKey)
	}
}

func renameResult(code int64, oldKey, newKey string) error {
	switch code {
	case codeOK:
		return nil
	case codeExists:
		return fmt.Errorf("sessions/redis: rename %s to %s: %w", short(oldKey), short(newKey), sessions.ErrExists)
	case codeCorrupt:
		return fmt.Errorf("sessions/redis: rename %s: %w: format version unknown; delete the session", short(oldKey), sessions.ErrCorrupt)
	case codeFenceLost:
		return fmt.Errorf("sessions/redis: rename %s: took longer than its %v fence; check Redis latency and retry", short(oldKey), renameFence)
	}
	return fmt.Errorf("sessions/redis: rename %s: %w", short(oldKey), sessions.ErrNotFound)
}

func (s *Store) renameSharded(ctx context.Context, oldKey, newKey string, graceMS int64) (err error) {
	oldH, newH := s.hashKey(oldKey), s.hashKey(newKey)
	op := "rename " + short(oldKey)

	// 1. Fence the old record and read it.
	var snap map[string]string
	start := time.Now()
	for attempt := 0; snap == nil; attempt++ {
		v, err := fenceScript.Run(ctx, s.c, []string{oldH}, newKey, renameFence.Milliseconds()).Result()
		if err != nil {
			// The fence may have been set without its reply: lift it
			// rather than hold the session's writes until it expires.
			cctx, cancel := cleanupCtx(ctx)
			unfenceScript.Run(cctx, s.c, []string{oldH}, newKey)
			cancel()
			return fail(ctx, op, err)
		}
		code, _, err := reply(v)
		if err != nil {
			return err
		}
		switch code {
		case codeOK:
			if snap, err = pairs(v); err != nil {
				return err
			}
		case codeFenced:
			if err := fenceWait(ctx, op, attempt, start); err != nil {
				return err
			}
		default:
			return renameResult(code, oldKey, newKey)
		}
	}
	copied := false
	defer func() {
		if err == nil {
			return
		}
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		if s.retiredTo(cctx, oldH, newKey) {
			err = nil // step 4 did happen; only its reply was lost
			return
		}
		if copied {
			s.c.Del(cctx, newH)
		}
		unfenceScript.Run(cctx, s.c, []string{oldH}, newKey)
	}()
	if oldKey == newKey {
		// The live record takes its own key (see Rename); the cleanup
		// lifts the fence.
		return renameResult(codeExists, oldKey, newKey)
	}

	// 2. Copy it.
	var expNS int64 // a record without fExpires has no expiry
	if e, ok := snap[fExpires]; ok {
		var perr error
		if expNS, perr = strconv.ParseInt(e, 10, 64); perr != nil {
			return renameResult(codeCorrupt, oldKey, newKey)
		}
	}
	exp := expiryMillis(expNS)
	user := snap[fUser]
	args := make([]any, 0, 4+2*len(snap))
	args = append(args, exp, "0", newKey, "")
	for f, v := range snap {
		switch f {
		case fFence, fFenceEnd, fIndexed:
		default:
			args = append(args, f, v)
		}
	}
	cov := ""
	if user != "" {
		cov = s.coverage(exp)
		args = append(args, fIndexed, cov)
	}
	v, err := createScript.Run(ctx, s.c, []string{newH}, args...).Result()
	if err != nil {
		// The copy may have landed without its reply: if so, the
		// cleanup removes it.
		cctx, cancel := cleanupCtx(ctx)
		copied = s.isCopy(cctx, newH, args[4:])
		cancel()
		return fail(ctx, op, err)
	}
	code, _, err := reply(v)
	if err != nil {
		return err
	}
	// A copy script re-sent after its reply was lost finds its own copy.
	if code != codeOK && !s.isCopy(ctx, newH, args[4:]) {
		return renameResult(codeExists, oldKey, newKey)
	}
	copied = true

	// 3. Index the copy.
	if user != "" {
		if err := s.indexAdd(ctx, user, newKey, cov); err != nil {
			return err
		}
	}

	// 4. Retire the old record.
	v, err = retireScript.Run(ctx, s.c, []string{oldH}, graceMS, newKey).Result()
	if err != nil {
		return fail(ctx, op, err)
	}
	if code, _, err = reply(v); err != nil {
		return err
	}
	return renameResult(code, oldKey, newKey)
}

// pairs decodes the field/value list in a fence script's reply.
func pairs(v any) (map[string]string, error) {
	a, _ := v.([]any)
	var list []any
	if len(a) > 1 {
		list, _ = a[1].([]any)
	}
	if len(list) == 0 || len(list)%2 != 0 {
		return nil, fmt.Errorf("sessions/redis: unexpected fence reply %#v", v)
	}
	m := make(map[string]string, len(list)/2)
	for i := 0; i < len(list); i += 2 {
		f, ok1 := list[i].(string)
		val, ok2 := list[i+1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("sessions/redis: unexpected fence reply %#v", v)
		}
		m[f] = val
	}
	return m, nil
}

// fenceWait pauses a write that met a cluster-safe Rename's fence before it
// is retried: 1ms, doubling up to 32ms, for at most a fence's lifetime.
func fenceWait(ctx context.Context, op string, attempt int, start time.Time) error {
	if time.Since(start) > renameFence+time.Second {
		return fmt.Errorf("sessions/redis: %s: the session has been held by a rename for over %v; retry", op, renameFence)
	}
	t := time.NewTimer(time.Millisecond << min(attempt, 5))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("sessions/redis: %s: waiting for a rename: %w", op, ctx.Err())
	case <-t.C:
		return nil
	}
}

// retiredTo reports whether the hash h is a grace alias resolving to key or
// a retired key's marker naming it: a Rename to key did happen.
func (s *Store) retiredTo(ctx context.Context, h, key string) bool {
	v, err := s.c.HMGet(ctx, h, fAliasTo, fRetiredTo).Result()
	if err != nil {
		return false
	}
	for _, to := range v {
		if to == key {
			return true
		}
	}
	return false
}

// isCopy reports whether the hash h holds exactly the field/value pairs
// (strings) of a cluster-safe Rename's copy: the copy step ran, though its
// reply was lost. No other session can match them all.
func (s *Store) isCopy(ctx context.Context, h string, pairs []any) bool {
	got, err := s.c.HGetAll(ctx, h).Result()
	if err != nil || len(got) != len(pairs)/2 {
		return false
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		f, _ := pairs[i].(string)
		v, ok := got[f]
		if want, _ := pairs[i+1].(string); !ok || v != want {
			return false
		}
	}
	return true
}

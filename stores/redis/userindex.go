package redis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
)

// indexAdd adds key to user's index with the given score (cluster-safe
// protocol; the single-node scripts do this inline).
func (s *Store) indexAdd(ctx context.Context, user, key, score string) error {
	if err := indexScript.Run(ctx, s.c, []string{s.indexKey(user)}, key, score).Err(); err != nil {
		return fail(ctx, "user index", err)
	}
	return nil
}

// indexRemove removes members from user's index and lets the index key
// expire with its remaining members: a ZREM alone would leave a key that was
// kept without expiry for a session with none (Meta.Expires == 0) so even
// after that session's entry is gone.
func (s *Store) indexRemove(ctx context.Context, user string, members []any) error {
	return indexRemoveScript.Run(ctx, s.c, []string{s.indexKey(user)}, members...).Err()
}

// UserSessions lists the live sessions of user, oldest first (by
// Meta.Created, then key). It costs one script call on the index plus one
// HMGET per entry, pipelined (in a cluster, one pipeline per node, sent in
// parallel). Entries whose session has expired, was deleted, is now a grace
// alias or belongs to another user are dropped from the index on the way.
// A session that a cluster-safe Rename is moving, whose record and copy the
// index lists both for a moment, is listed once, under the new key.
func (s *Store) UserSessions(ctx context.Context, user string) ([]sessions.Info, error) {
	live, _, moving, err := s.listUser(ctx, user)
	if len(moving) > 0 {
		live = slices.DeleteFunc(live, func(in sessions.Info) bool { return moving[in.Key] })
	}
	return live, err
}

// DeleteUserSessions deletes every session of user except the one under
// exceptKey (which may be empty) and reports how many it deleted. Each
// delete checks, atomically, that the session still belongs to user. A
// listed session that no longer does (a rename moved it, a logout deleted
// it, a login gave it to another user) sends it back to the index, where a
// renamed session is listed under its new key; after deletePasses listings
// it stops (a session renamed over and over), and the manager's own rounds
// take over.
func (s *Store) DeleteUserSessions(ctx context.Context, user, exceptKey string) (int, error) {
	var t deleteTally
	for pass := 1; ; pass++ {
		missed, err := s.deleteListed(ctx, user, exceptKey, &t)
		if err != nil || !missed || pass == deletePasses {
			return t.count(), err
		}
	}
}

// deletePasses bounds how many times DeleteUserSessions lists a user's
// sessions.
const deletePasses = 8

// deleteTally is what DeleteUserSessions deleted over its passes: the store
// keys, and for each deleted record that a cluster-safe Rename had fenced,
// the key of its copy. Such a record and its copy are one session, which
// the user's index lists twice until the rename's last step.
type deleteTally struct {
	deleted map[string]bool
	movedTo []string // the copies' keys of the fenced records deleted
}

// count is the number of sessions deleted: every record but a fenced one
// whose copy was deleted too.
func (t *deleteTally) count() int {
	n := len(t.deleted) - len(t.movedTo)
	for _, to := range t.movedTo {
		if !t.deleted[to] {
			n++
		}
	}
	return n
}

// deleteListed lists user's sessions and deletes those still user's but
// exceptKey's in one round trip, adding them to t. missed reports a listed
// session that was not user's any more when its delete ran.
func (s *Store) deleteListed(ctx context.Context, user, exceptKey string, t *deleteTally) (missed bool, err error) {
	live, unreadable, _, err := s.listUser(ctx, user)
	if err != nil {
		return false, err
	}
	var keys []string
	for _, in := range live {
		if in.Key != exceptKey {
			keys = append(keys, in.Key)
		}
	}
	for _, k := range unreadable {
		if k != exceptKey {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return false, nil
	}
	pipe := s.c.Pipeline()
	cmds := make([]*redis.Cmd, len(keys))
	for i, k := range keys {
		cmds[i] = deleteIfUserScript.Eval(ctx, pipe, []string{s.hashKey(k)}, user)
	}
	// As in listUser, a reply error for one key (another Redis type) only
	// skips that key.
	ran, err := pipe.Exec(ctx)
	if err := pipeOutage(ctx, ran, err); err != nil {
		return false, fail(ctx, "delete user sessions", err)
	}
	var gone []any
	for i, c := range cmds {
		v, err := c.Result()
		if err != nil {
			continue
		}
		switch v := v.(type) {
		case int64:
			if v != 1 {
				missed = true
				continue
			}
		case string: // a record fenced by a rename, and its copy's key
			t.movedTo = append(t.movedTo, v)
		default:
			continue
		}
		if t.deleted == nil {
			t.deleted = map[string]bool{}
		}
		t.deleted[keys[i]] = true
		gone = append(gone, keys[i])
	}
	if len(gone) > 0 {
		if err := s.indexRemove(ctx, user, gone); err != nil {
			return missed, fail(ctx, "delete user sessions", err)
		}
	}
	return missed, nil
}

// listUser reads user's index and the metadata of each entry. live holds
// the sessions that belong to user, sorted; unreadable holds keys whose
// session claims user but whose metadata does not decode; moving holds the
// keys in live of records that a cluster-safe Rename has fenced and whose
// copy, under the fence's new key, is in live too: one session listed
// twice.
func (s *Store) listUser(ctx context.Context, user string) (live []sessions.Info, unreadable []string, moving map[string]bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("sessions/redis: user sessions: %w", err)
	}
	if user == "" {
		return nil, nil, nil, nil
	}
	idx := s.indexKey(user)
	members, err := listScript.Run(ctx, s.c, []string{idx}).StringSlice()
	if err != nil {
		return nil, nil, nil, fail(ctx, "user sessions", err)
	}
	if len(members) == 0 {
		return nil, nil, nil, nil
	}
	pipe := s.c.Pipeline()
	cmds := make([]*redis.SliceCmd, len(members))
	for i, m := range members {
		if sessions.ValidKey(m) {
			cmds[i] = pipe.HMGet(ctx, s.hashKey(m), metaFields...)
		}
	}
	// A reply error for one entry (a key of another type) only makes that
	// entry stale; a transport error fails the listing.
	ran, err := pipe.Exec(ctx)
	if err := pipeOutage(ctx, ran, err); err != nil {
		return nil, nil, nil, fail(ctx, "user sessions", err)
	}
	now := time.Now().UnixNano()
	var stale []any
	var fences map[string]string // live key: the new key of its fence
	for i, m := range members {
		if cmds[i] == nil || cmds[i].Err() != nil {
			stale = append(stale, m)
			continue
		}
		vals := cmds[i].Val()
		meta, ok := decodeMeta(vals)
		switch {
		case ok && meta.User == user && (meta.Expires == 0 || meta.Expires > now):
			live = append(live, sessions.Info{Key: m, Meta: meta})
			if to, ok := vals[11].(string); ok && fenceHolds(vals[12], now) {
				if fences == nil {
					fences = map[string]string{}
				}
				fences[m] = to
			}
		case !ok && vals[6] == user && vals[10] == nil:
			unreadable = append(unreadable, m)
		case ok && meta.User == user:
			// Expired but not yet purged by Redis: not listed, kept until
			// its score passes.
		default:
			stale = append(stale, m)
		}
	}
	if len(stale) > 0 {
		if err := s.indexRemove(ctx, user, stale); err != nil {
			return nil, nil, nil, fail(ctx, "user sessions", err)
		}
	}
	slices.SortFunc(live, func(a, b sessions.Info) int {
		return cmp.Or(cmp.Compare(a.Created, b.Created), cmp.Compare(a.Key, b.Key))
	})
	for from, to := range fences {
		if slices.ContainsFunc(live, func(in sessions.Info) bool { return in.Key == to }) {
			if moving == nil {
				moving = map[string]bool{}
			}
			moving[from] = true
		}
	}
	return live, unreadable, moving, nil
}

// fenceHolds reports whether end, a record's m:mvu from an HMGET (Unix ms),
// is after now (Unix ns): the fence of a Rename still in progress.
func fenceHolds(end any, now int64) bool {
	s, _ := end.(string)
	ms, err := strconv.ParseInt(s, 10, 64)
	return err == nil && ms > now/1e6
}

// pipeOutage returns the error that fails a pipeline of per-key commands
// (cmds, and err from its Exec): a canceled context, or the error of the
// first command that did not reach Redis or was not served (see
// unavailable). It returns nil when every failed command failed with a
// reply about its own key (another Redis type), which only skips that key.
// It looks at each command because Exec reports the first failed one only,
// which can be such a reply while a later command, whose cluster node was
// unreachable, failed too.
func pipeOutage(ctx context.Context, cmds []redis.Cmder, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	failed := false
	for _, c := range cmds {
		if e := c.Err(); e != nil {
			if unavailable(e) {
				return e
			}
			failed = true
		}
	}
	if !failed {
		return err // no command carries it: the pipeline itself failed
	}
	return nil
}

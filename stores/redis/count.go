package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
)

// countBatch is how many keys one SCAN call of Count asks for, and so how
// many HMGETs one of its pipelines holds at most.
const countBatch = 1000

// Count returns the number of live sessions under the store's prefix. It
// SCANs the hashes named Prefix + "{" + store key + "}" (SCAN with MATCH and
// TYPE hash: the users' index keys are sorted sets under Prefix + "u:{",
// and never match) and reads the version, alias and expiry fields of each
// with a pipelined HMGET per batch. A session counts as Load would serve
// it: a record of this package's format version whose Meta.Expires has not
// passed. Grace aliases, retired keys' markers (a Rename without grace),
// ghosts of values only, and records of another format version or with an
// unreadable expiry (which Load refuses as corrupt) are not counted; the
// values are not read.
// In a Redis Cluster it scans every primary (ForEachMaster), in parallel;
// on a redis.Ring, every shard.
//
// Count costs O(keys): SCAN walks the whole keyspace of every node, keys
// of other prefixes and applications included, in steps that never block
// Redis for long. It is meant for administration (sessionsctl count) and
// occasional monitoring, not for requests. The result is no snapshot:
// sessions created, deleted or renamed while it runs, or keys a slot
// migration moves, may be counted once, twice or not at all. Behind a
// proxy that shards keys (Options.Cluster with a *redis.Client), SCAN
// reaches whatever the proxy lets it, which may not be every shard. It
// implements sessions.Counter.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sessions/redis: count: %w", err)
	}
	match := escapeGlob(s.prefix) + "{*}"
	var total atomic.Int64
	scan := func(ctx context.Context, node redis.UniversalClient) error {
		var cursor uint64
		for {
			keys, next, err := node.ScanType(ctx, cursor, match, countBatch, "hash").Result()
			if err != nil {
				return err
			}
			n, err := s.countLive(ctx, keys)
			if err != nil {
				return err
			}
			total.Add(int64(n))
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	var err error
	switch c := s.c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return scan(ctx, node) })
	case *redis.Ring:
		err = c.ForEachShard(ctx, func(ctx context.Context, node *redis.Client) error { return scan(ctx, node) })
	default:
		err = scan(ctx, s.c)
	}
	if err != nil {
		return 0, fail(ctx, "count", err)
	}
	return int(total.Load()), nil
}

// countLive returns how many of the hashes keys, found by Count's SCAN,
// are live sessions. The HMGETs go through the store's client, which
// routes each to the node that holds its key now.
func (s *Store) countLive(ctx context.Context, keys []string) (int, error) {
	var cmds []*redis.SliceCmd
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			key, hasPrefix := strings.CutPrefix(k, s.prefix+"{")
			key, hasSuffix := strings.CutSuffix(key, "}")
			if !hasPrefix || !hasSuffix || !sessions.ValidKey(key) {
				continue // not a session hash of this store
			}
			cmds = append(cmds, p.HMGet(ctx, k, fVersion, fAliasTo, fExpires))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	now := time.Now().UnixNano()
	n := 0
	for _, cmd := range cmds {
		v := cmd.Val()
		version, _ := v[0].(string)
		_, alias := v[1].(string)
		if version != formatVersion || alias {
			continue // a ghost, a marker, an alias, gone, or corrupt
		}
		if e, set := v[2].(string); set {
			exp, err := strconv.ParseInt(e, 10, 64)
			if err != nil || (exp != 0 && exp <= now) {
				continue // corrupt, or past its deadline
			}
		}
		n++
	}
	return n, nil
}

// escapeGlob escapes the characters Redis's glob patterns (SCAN MATCH)
// treat as special, so that s matches itself only. It works on bytes, as
// Redis does: a prefix need not be valid UTF-8, and its bytes must reach
// the pattern unchanged.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := range len(s) {
		if strings.IndexByte(`\*?[]`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

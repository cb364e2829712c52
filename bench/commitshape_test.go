package bench

import (
	"context"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	redisstore "github.com/sessionkit/sessions/stores/redis"
)

// checkThenSet is the least a script that commits values would do: check
// that the hash is a live record (its format version, no grace alias, no
// rename fence), then HSET. The store's own scripts do more.
var checkThenSet = goredis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'm:v', 'm:to', 'm:mvu')
if st[1] ~= '1' or st[2] or st[3] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`)

// BenchmarkCommitShape is the commit of a read-write request (one value
// changed) on Redis, alone, in the ways it could be sent. op=store is the
// Redis store's Commit as it is: HSET and an HMGET that shows where the
// write landed, pipelined (see Store.Commit). The rest are go-redis calls
// on a hash laid out as the store lays out a record: op=pipeline the same
// two commands without the store around them, op=script one Lua script
// that checks the record and then writes (the least a script-based commit
// would do), op=hset the HSET alone, which cannot tell a live record from
// a destroyed, renamed or fenced one. Each reports the process's CPU time
// and the Redis server's per commit. A diagnostic, not part of run.sh:
//
//	go test -run='^$' -bench='^BenchmarkCommitShape$' -benchtime=5000x -count=5
func BenchmarkCommitShape(b *testing.B) {
	needRedis(b)
	ctx := context.Background()
	client := newGoRedis(nil)
	defer client.Close()
	st, err := redisstore.NewWithOptions(client, redisstore.Options{Prefix: redisPrefix + "shape:"})
	if err != nil {
		b.Fatal(err)
	}
	key := sessions.KeyOf("bench-commit-shape")
	rec := &sessions.Record{}
	now := time.Now()
	rec.Created, rec.Renewed, rec.LastSeen = now.UnixNano(), now.UnixNano(), now.UnixNano()
	rec.Expires = now.Add(time.Hour).UnixNano()
	rec.SetField("user", "alice")
	rec.SetField("role", "admin")
	rec.SetField("n", 0)
	st.Delete(ctx, key)
	if err := st.Create(ctx, key, rec); err != nil {
		b.Fatal(err)
	}
	defer st.Delete(ctx, key)
	// The raw shapes write the record's hash under another key.
	h := redisPrefix + "shape-raw:{" + key + "}"
	fields := []any{"m:v", "1", "m:c", "1", "m:r", "1", "m:l", "1", "m:e", "1", "v:user", "salice", "v:role", "sadmin", "v:n", "i0"}
	if err := client.HSet(ctx, h, fields...).Err(); err != nil {
		b.Fatal(err)
	}
	defer client.Del(ctx, h)

	shapes := []struct {
		name   string
		commit func(i int) error
	}{
		{"store", func(i int) error {
			return st.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: i}}})
		}},
		{"pipeline", func(i int) error {
			var check *goredis.SliceCmd
			_, err := client.Pipelined(ctx, func(p goredis.Pipeliner) error {
				p.HSet(ctx, h, "v:n", "i"+strconv.Itoa(i))
				check = p.HMGet(ctx, h, "m:v", "m:to", "m:mvu", "m:c")
				return nil
			})
			if err == nil && check.Val()[0] != "1" {
				b.Fatalf("HMGET = %v, want the record's version first", check.Val())
			}
			return err
		}},
		{"script", func(i int) error {
			n, err := checkThenSet.Run(ctx, client, []string{h}, "v:n", "i"+strconv.Itoa(i)).Int()
			if err == nil && n != 1 {
				b.Fatalf("script = %d, want 1 (written)", n)
			}
			return err
		}},
		{"hset", func(i int) error {
			return client.HSet(ctx, h, "v:n", "i"+strconv.Itoa(i)).Err()
		}},
	}
	for _, sh := range shapes {
		b.Run("op="+sh.name, func(b *testing.B) {
			if err := sh.commit(0); err != nil { // loads the script, warms the pool
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := startCPU(true)
			b.ResetTimer()
			for i := range b.N {
				if err := sh.commit(i); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			cpu.report(b)
		})
	}
}

package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/boj/redistore"
	redigo "github.com/gomodule/redigo/redis"
	irisredis "github.com/kataras/iris/v12/sessions/sessiondb/redis"
	goredis "github.com/redis/go-redis/v9"
)

// Every contender keeps its keys in this database under this prefix, and
// TestMain deletes them afterwards. The prefix names the process, so that a
// run sharing a server with another (SESSIONS_REDIS_ADDR) neither reads nor
// deletes the other's sessions.
const redisDB = 13

var redisPrefix = fmt.Sprintf("sessionkit-bench:%d:", os.Getpid())

func redisAddr() string {
	if a := os.Getenv("SESSIONS_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

var redisUp = sync.OnceValue(func() error {
	c, err := net.DialTimeout("tcp", redisAddr(), time.Second)
	if err != nil {
		return err
	}
	c.Close()
	return nil
})

// needRedis skips tb when no Redis answers at SESSIONS_REDIS_ADDR.
func needRedis(tb testing.TB) {
	tb.Helper()
	if err := redisUp(); err != nil {
		tb.Skipf("SKIP-NO-SERVER: no Redis at %s (set SESSIONS_REDIS_ADDR): %v", redisAddr(), err)
	}
}

// cleanRedis deletes every key the benchmarks wrote.
func cleanRedis() {
	if redisUp() != nil {
		return
	}
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr(), DB: redisDB})
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, redisPrefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			c.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		c.Unlink(ctx, batch...)
	}
}

func TestMain(m *testing.M) {
	cleanRedis()
	code := m.Run()
	cleanRedis()
	os.Exit(code)
}

// ---- client-side counting ----

// counts is what a client sent: commands and round trips. Counting is off
// while a benchmark seeds sessions.
type counts struct {
	on   atomic.Bool
	cmds atomic.Int64
	rts  atomic.Int64
}

func (c *counts) add(cmds int) {
	if c.on.Load() {
		c.cmds.Add(int64(cmds))
		c.rts.Add(1)
	}
}

// goredisHook counts go-redis commands and round trips (a pipeline or
// transaction is one round trip).
type goredisHook struct{ c *counts }

func (goredisHook) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h goredisHook) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		h.c.add(1)
		return next(ctx, cmd)
	}
}

func (h goredisHook) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		h.c.add(len(cmds))
		return next(ctx, cmds)
	}
}

func newGoRedis(c *counts) *goredis.Client {
	cl := goredis.NewClient(&goredis.Options{Addr: redisAddr(), DB: redisDB})
	if c != nil {
		cl.AddHook(goredisHook{c})
	}
	return cl
}

// redigoConn counts redigo commands; queued Sends go out with the next Do or
// Flush, one round trip.
type redigoConn struct {
	redigo.Conn
	c       *counts
	pending int
}

func (r *redigoConn) Send(cmd string, args ...any) error {
	r.pending++
	return r.Conn.Send(cmd, args...)
}

func (r *redigoConn) Flush() error {
	r.flush()
	return r.Conn.Flush()
}

func (r *redigoConn) flush() {
	if r.pending > 0 {
		r.c.add(r.pending)
		r.pending = 0
	}
}

func (r *redigoConn) Do(cmd string, args ...any) (any, error) {
	if cmd != "" {
		r.pending++
	}
	r.flush()
	return r.Conn.Do(cmd, args...)
}

func newRedigoPool(c *counts, pingOnBorrow bool) *redigo.Pool {
	p := &redigo.Pool{
		MaxIdle:     64,
		IdleTimeout: 240 * time.Second,
		Dial: func() (redigo.Conn, error) {
			conn, err := redigo.Dial("tcp", redisAddr(), redigo.DialDatabase(redisDB))
			if err != nil || c == nil {
				return conn, err
			}
			return &redigoConn{Conn: conn, c: c}, nil
		},
	}
	if pingOnBorrow {
		// What redistore.NewRediStore configures.
		p.TestOnBorrow = func(c redigo.Conn, _ time.Time) error {
			_, err := c.Do("PING")
			return err
		}
	}
	return p
}

// ---- server-side counting ----

// serverStats reads INFO commandstats: the commands the server executed.
type serverStats struct{ c *goredis.Client }

func newServerStats() *serverStats { return &serverStats{newGoRedis(nil)} }

func (s *serverStats) reset(tb testing.TB) {
	if err := s.c.ConfigResetStat(context.Background()).Err(); err != nil {
		tb.Fatalf("CONFIG RESETSTAT: %v", err)
	}
}

// calls returns the commands executed since the reset, leaving out the
// INFO and CONFIG calls of this counter.
func (s *serverStats) calls(tb testing.TB) int64 {
	var n int64
	for _, c := range snapshot(tb, s) {
		n += c
	}
	return n
}

func (s *serverStats) close() { s.c.Close() }

// ---- peers on Redis ----

func openSCSRedis(tb testing.TB) (http.Handler, func()) {
	return openSCSRedisCounted(tb, nil)
}

func openSCSRedisCounted(tb testing.TB, c *counts) (http.Handler, func()) {
	needRedis(tb)
	pool := newRedigoPool(c, false) // as scs's README sets it up
	sm := newSCS()
	sm.Store = scsredis.NewWithPrefix(pool, redisPrefix+"scs:")
	return scsApp(sm), func() { pool.Close() }
}

func openGorillaRedis(tb testing.TB) (http.Handler, func()) {
	return openGorillaRedisCounted(tb, nil)
}

func openGorillaRedisCounted(tb testing.TB, c *counts) (http.Handler, func()) {
	needRedis(tb)
	pool := newRedigoPool(c, true)
	store, err := redistore.NewRediStoreWithPool(pool, gorillaKey)
	if err != nil {
		tb.Fatal(err)
	}
	store.SetKeyPrefix(redisPrefix + "gorilla:")
	store.SetMaxAge(int(idle / time.Second))
	return gorillaApp(store), func() { store.Close() }
}

func openIrisRedis(tb testing.TB) (http.Handler, func()) {
	return openIrisRedisCounted(tb, nil)
}

func openIrisRedisCounted(tb testing.TB, c *counts) (http.Handler, func()) {
	needRedis(tb)
	client := newGoRedis(c)
	db := irisredis.New(irisredis.Config{
		Addr:    redisAddr(),
		Prefix:  redisPrefix + "iris:",
		Timeout: 30 * time.Second,
		Driver:  &irisredis.GoRedisDriver{Client: client},
	})
	sess := newIrisSessions()
	sess.UseDatabase(db)
	return irisApp(tb, sess), func() { db.Close() }
}

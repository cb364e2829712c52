package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"go.uber.org/goleak"
)

// Every test here talks to a real redis-server: the one at
// SESSIONS_REDIS_ADDR, or processes the test starts itself with redistest
// from /usr/bin/redis-server (or the one on PATH). A missing server is a
// skip whose message contains SKIP-NO-SERVER, which CI turns into a failure.

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the outage and option tests make
	// plenty on purpose.
	redis.SetLogger(quietLogger{})
	goleak.VerifyTestMain(m)
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

const skipNoServer = redistest.SkipNoServer

// sharedAddr is the single-node Redis the conformance suite runs against.
func sharedAddr() string {
	if a := os.Getenv("SESSIONS_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// testClientOptions fail fast, like NewFromURL's defaults.
func testClientOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:          addr,
		DialTimeout:   time.Second,
		ReadTimeout:   2 * time.Second,
		WriteTimeout:  2 * time.Second,
		MaxRetries:    1,
		DialerRetries: 1,
	}
}

// sharedClient connects to sharedAddr or skips the test.
func sharedClient(t *testing.T) *redis.Client {
	t.Helper()
	c := redis.NewClient(testClientOptions(sharedAddr()))
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Skipf("%s: redis not reachable at %s (set SESSIONS_REDIS_ADDR): %v", skipNoServer, sharedAddr(), err)
	}
	return c
}

// testPrefix returns a key prefix no other test uses.
func testPrefix(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	return "sesstest:" + hex.EncodeToString(b[:]) + ":"
}

// protocols are the two protocols a store on one node can run, for the
// tests that run in both.
var protocols = []struct {
	name string
	o    Options
}{{"SingleNode", Options{}}, {"ClusterProtocol", Options{Cluster: true}}}

// newTestStore returns a store with a private prefix whose keys are deleted
// when the test ends.
func newTestStore(t *testing.T, c redis.UniversalClient, o Options) *Store {
	t.Helper()
	if o.Prefix == "" {
		o.Prefix = testPrefix(t)
	}
	s, err := NewWithOptions(c, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deletePrefix(t, c, o.Prefix) })
	return s
}

// keysWithPrefix lists every key under prefix, on every primary.
func keysWithPrefix(t *testing.T, c redis.UniversalClient, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, n redis.UniversalClient) error {
		iter := n.Scan(ctx, 0, escapeGlob(prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	} else {
		err = scan(ctx, c)
	}
	if err != nil {
		t.Errorf("scanning %s*: %v", prefix, err)
	}
	return keys
}

func deletePrefix(t *testing.T, c redis.UniversalClient, prefix string) {
	t.Helper()
	for _, k := range keysWithPrefix(t, c, prefix) {
		c.Del(context.Background(), k)
	}
}

// clusterClient returns a client of c, closed when the test ends.
func clusterClient(t *testing.T, c *redistest.Cluster) *redis.ClusterClient {
	cl := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:         c.Addrs(),
		DialTimeout:   time.Second,
		ReadTimeout:   2 * time.Second,
		WriteTimeout:  2 * time.Second,
		MaxRetries:    1,
		DialerRetries: 1,
	})
	t.Cleanup(func() { cl.Close() })
	return cl
}

package redis

import (
	"context"
	"errors"
	"math"
	"math/bits"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCorruptRecords writes broken hashes straight into Redis: Load reports
// ErrCorrupt (never a panic, never a record), and so do writes to a record
// whose version is missing or unknown. A values-only Commit finds that out
// only after its HSET, so its values may join the broken hash, which stays
// unreadable.
func TestCorruptRecords(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	s := newTestStore(t, c, Options{MaxValueSize: 64})
	good := map[string]any{fVersion: "1", fCreated: "1", fRenewed: "1", fLastSeen: "1", fAuthTime: "0", fExpires: "0"}
	with := func(kv ...string) map[string]any {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		hash     map[string]any // written with HSET, or
		str      string         // written with SET (another Redis type)
		writable bool           // Commit and Increment do not notice (values are opaque to them)
	}{
		{name: "no version", hash: map[string]any{fCreated: "1", "v:x": "s1"}},
		{name: "unknown version", hash: with(fVersion, "9")},
		{name: "empty version", hash: with(fVersion, "")},
		{name: "bad metadata integer", hash: with(fExpires, "soon"), writable: true},
		{name: "unknown value tag", hash: with("v:x", "\x00junk"), writable: true},
		{name: "empty value", hash: with("v:x", ""), writable: true},
		{name: "truncated list", hash: with("v:x", "L\x05"), writable: true},
		{name: "oversize value", hash: with("v:x", "s"+strings.Repeat("a", 100)), writable: true},
		{name: "unprefixed field", hash: with("x", "s1"), writable: true},
		{name: "alias to a non-key", hash: map[string]any{fVersion: "1", fAliasTo: "../../etc"}},
		{name: "string instead of hash", str: "garbage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			key := storetest.NewKey(t)
			h := s.hashKey(key)
			if tc.str != "" {
				c.Set(ctx, h, tc.str, time.Hour)
			} else {
				c.HSet(ctx, h, tc.hash)
			}
			rec, found, err := s.Load(ctx, key)
			if !errors.Is(err, sessions.ErrCorrupt) || found || rec != nil {
				t.Fatalf("Load = %+v, %v, %v; want ErrCorrupt", rec, found, err)
			}
			t.Logf("Load: %v", err)
			d := &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: 1}}}
			if err := s.Commit(ctx, key, d); !tc.writable && !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("Commit = %v, want ErrCorrupt", err)
			}
			if _, err := s.Increment(ctx, key, "n", 1); !tc.writable && !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("Increment = %v, want ErrCorrupt", err)
			}
			if _, found, err := s.Load(ctx, key); !errors.Is(err, sessions.ErrCorrupt) || found {
				t.Fatalf("Load after the writes = %v, %v; want ErrCorrupt still", found, err)
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete of a corrupt record: %v", err)
			}
			if _, found, err := s.Load(ctx, key); found || err != nil {
				t.Fatalf("after Delete: %v, %v", found, err)
			}
		})
	}
}

// TestValueLimits covers what the store refuses to write.
func TestValueLimits(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	ctx := t.Context()
	s := newTestStore(t, c, Options{MaxValueSize: 20})
	key := storetest.NewKey(t)
	big := strings.Repeat("x", 21)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "big", big)); !errors.Is(err, sessions.ErrTooLarge) {
		t.Fatalf("Create with an oversize value: %v, want ErrTooLarge", err)
	}
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "ch", make(chan int))); !errors.Is(err, sessions.ErrUnsupportedValue) {
		t.Fatalf("Create with a channel: %v, want ErrUnsupportedValue", err)
	}
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	d := &sessions.Delta{Set: []sessions.Field{{Key: "big", Value: big}}}
	if err := s.Commit(ctx, key, d); !errors.Is(err, sessions.ErrTooLarge) {
		t.Fatalf("Commit with an oversize value: %v, want ErrTooLarge", err)
	}
	if err := s.Create(ctx, "not-a-key", storetest.NewRecord(time.Hour)); err == nil {
		t.Fatal("Create under a non-key: nil error")
	}
	for _, bad := range []string{"", "../x", strings.ToUpper(key)} {
		if err := s.Commit(ctx, bad, d); !errors.Is(err, sessions.ErrNotFound) {
			t.Errorf("Commit(%q) = %v, want ErrNotFound", bad, err)
		}
		if _, err := s.Increment(ctx, bad, "n", 1); !errors.Is(err, sessions.ErrNotFound) {
			t.Errorf("Increment(%q) = %v, want ErrNotFound", bad, err)
		}
		if err := s.Delete(ctx, bad); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", bad, err)
		}
	}
}

// TestIncrementRange checks that Increment counts up to the end of the int
// range and reports the count past it as ErrNotInteger, leaving the field
// as it was, that it keeps all 64 bits of a count past 2^53 (Lua numbers
// are doubles; the script replies with a string), and that a float does
// not count. The counter is an int, as Increment requires: a count past
// 2^53 needs a 64-bit platform, and is skipped on a 32-bit one.
func TestIncrementRange(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	ctx := t.Context()
	s := newTestStore(t, c, Options{})
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "f", 2.5, "n", math.MaxInt-1)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Increment(ctx, key, "n", 1); err != nil || n != math.MaxInt {
		t.Fatalf("Increment to MaxInt = %d, %v", n, err)
	}
	if n, err := s.Increment(ctx, key, "n", 1); !errors.Is(err, sessions.ErrNotInteger) || n != 0 {
		t.Fatalf("Increment past MaxInt = %d, %v; want 0, ErrNotInteger", n, err)
	}
	if _, err := s.Increment(ctx, key, "f", 1); !errors.Is(err, sessions.ErrNotInteger) {
		t.Fatalf("Increment of a float: %v, want ErrNotInteger", err)
	}
	rec, _, err := s.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := rec.Lookup("n"); v != math.MaxInt {
		t.Fatalf("n = %#v after overflow, want MaxInt unchanged", v)
	}
	t.Run("past 2^53", func(t *testing.T) {
		if bits.UintSize < 64 {
			t.Skip("an int counter holds 2^53+1 only on a 64-bit platform")
		}
		if n, err := s.Increment(ctx, key, "big", 1<<53+1); err != nil || n != 1<<53+1 {
			t.Fatalf("Increment by 2^53+1 = %d, %v (precision lost?)", n, err)
		}
	})
}

// TestUserIndexBounded checks that user index keys expire with their
// sessions and drop entries of deleted sessions.
func TestUserIndexBounded(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, o := range []Options{{}, {Cluster: true, IndexSlack: 100 * time.Millisecond}} {
		t.Run("Cluster="+map[bool]string{false: "false", true: "true"}[o.Cluster], func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := newTestStore(t, c, o)
			user := "erin"
			idx := s.indexKey(user)
			var keys []string
			for i, ttl := range []time.Duration{time.Hour, 3 * time.Hour, 2 * time.Hour} {
				rec := storetest.NewRecord(ttl, "i", i)
				rec.User = user
				k := storetest.NewKey(t)
				if err := s.Create(ctx, k, rec); err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			// The index lives exactly as long as its longest-lived session
			// (plus the slack in the cluster-safe protocol).
			ttl := c.PTTL(ctx, idx).Val()
			want := 3*time.Hour + o.IndexSlack
			if ttl < want-time.Minute || ttl > want+time.Second {
				t.Fatalf("index TTL %v, want about %v", ttl, want)
			}
			// A commit that moves the expiry later moves the index's too.
			rec := storetest.NewRecord(5*time.Hour, "i", 0)
			rec.User = user
			if err := s.Commit(ctx, keys[0], &sessions.Delta{Meta: &rec.Meta}); err != nil {
				t.Fatal(err)
			}
			if ttl, want = c.PTTL(ctx, idx).Val(), 5*time.Hour+o.IndexSlack; ttl < want-time.Minute || ttl > want+time.Second {
				t.Fatalf("index TTL after the commit %v, want about %v", ttl, want)
			}
			// Deleted sessions leave the index when it is listed.
			s.Delete(ctx, keys[1])
			s.Delete(ctx, keys[2])
			if list, err := s.UserSessions(ctx, user); err != nil || len(list) != 1 {
				t.Fatalf("UserSessions = %v, %v; want 1", list, err)
			}
			if n := c.ZCard(ctx, idx).Val(); n != 1 {
				t.Fatalf("index holds %d entries after listing, want 1", n)
			}
			// The last session expires: so does the index, listed or not.
			rec = storetest.NewRecord(time.Second, "i", 0)
			rec.User = user
			if err := s.Commit(ctx, keys[0], &sessions.Delta{Meta: &rec.Meta}); err != nil {
				t.Fatal(err)
			}
			if o.Cluster {
				// The entry's coverage only grows in the cluster-safe
				// protocol; a new user index shows the expiry instead.
				s.c.Del(ctx, idx)
				rec.User = "frank"
				if err := s.Commit(ctx, keys[0], &sessions.Delta{Meta: &rec.Meta}); err != nil {
					t.Fatal(err)
				}
				idx = s.indexKey("frank")
			}
			time.Sleep(1300*time.Millisecond + o.IndexSlack)
			if n := c.Exists(ctx, idx, s.hashKey(keys[0])).Val(); n != 0 {
				t.Fatalf("%d of the index and its last session still exist after both expired", n)
			}
		})
	}
}

// TestProtocolSelection checks which protocol each client type gets.
func TestProtocolSelection(t *testing.T) {
	single := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer single.Close()
	failover := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}})
	defer failover.Close()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cl.Close()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	defer ring.Close()
	for _, tc := range []struct {
		name    string
		c       redis.UniversalClient
		o       Options
		sharded bool
	}{
		{"Client", single, Options{}, false},
		{"Sentinel", failover, Options{}, false},
		{"Client with Options.Cluster", single, Options{Cluster: true}, true},
		{"ClusterClient", cl, Options{}, true},
		{"Ring", ring, Options{}, true},
	} {
		s, err := NewWithOptions(tc.c, tc.o)
		if err != nil {
			t.Fatal(err)
		}
		if s.sharded != tc.sharded {
			t.Errorf("%s: cluster-safe protocol = %v, want %v", tc.name, s.sharded, tc.sharded)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	for _, tc := range []struct {
		name string
		c    redis.UniversalClient
		o    Options
	}{
		{"nil client", nil, Options{}},
		{"prefix with a brace", c, Options{Prefix: "app{1}:"}},
		{"negative MaxValueSize", c, Options{MaxValueSize: -1}},
		{"MaxValueSize under the longest count", c, Options{MaxValueSize: 19}},
		{"IndexSlack under 1ms", c, Options{IndexSlack: time.Microsecond}},
	} {
		if _, err := NewWithOptions(tc.c, tc.o); !errors.Is(err, sessions.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", tc.name, err)
		}
	}
	if _, err := NewWithOptions(c, Options{MaxValueSize: 20}); err != nil {
		t.Errorf("MaxValueSize of the longest count: %v", err)
	}
	s := New(c)
	if s.prefix != DefaultPrefix || s.slackMS != DefaultIndexSlack.Milliseconds() || s.maxValue != sessions.DefaultMaxRecordSize {
		t.Errorf("defaults: prefix %q, slack %dms, max value %d", s.prefix, s.slackMS, s.maxValue)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(context.Background()).Err(); errors.Is(err, redis.ErrClosed) {
		t.Fatal("Close closed a client the store did not create")
	}
	defer func() {
		if recover() == nil {
			t.Error("New(nil) did not panic")
		}
	}()
	New(nil)
}

func TestNewFromURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		cluster bool
		addrs   []string
		db      int
		prefix  string
		read    time.Duration
		retries int
	}{
		{url: "redis://127.0.0.1:6379/2", addrs: []string{"127.0.0.1:6379"}, db: 2, prefix: DefaultPrefix, read: URLTimeout, retries: URLMaxRetries},
		{url: "redis://u:p@localhost:6380?read_timeout=3s&max_retries=4&key_prefix=app:", addrs: []string{"localhost:6380"}, prefix: "app:", read: 3 * time.Second, retries: 4},
		{url: "redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002", cluster: true, addrs: []string{"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"}, prefix: DefaultPrefix, read: URLTimeout, retries: URLMaxRetries},
		{url: "rediss+cluster://u:p@[::1]:7000,[::1]:7001/0?dialer_retries=2", cluster: true, addrs: []string{"[::1]:7000", "[::1]:7001"}, prefix: DefaultPrefix, read: URLTimeout, retries: URLMaxRetries},
		// A repeated key_prefix counts once, by its last value, as go-redis
		// reads its own repeated options.
		{url: "redis://127.0.0.1:6379?key_prefix=a:&key_prefix=b:", addrs: []string{"127.0.0.1:6379"}, prefix: "b:", read: URLTimeout, retries: URLMaxRetries},
	} {
		s, err := NewFromURL(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if s.sharded != tc.cluster || s.prefix != tc.prefix || !s.owned {
			t.Errorf("%s: cluster-safe %v, prefix %q, owned %v", tc.url, s.sharded, s.prefix, s.owned)
		}
		switch c := s.c.(type) {
		case *redis.Client:
			o := c.Options()
			if tc.cluster || o.Addr != tc.addrs[0] || o.DB != tc.db || o.ReadTimeout != tc.read || o.DialTimeout != URLTimeout ||
				o.MaxRetries != tc.retries || o.DialerRetries != URLDialerRetries {
				t.Errorf("%s: client options %+v", tc.url, o)
			}
		case *redis.ClusterClient:
			o := c.Options()
			if !tc.cluster || strings.Join(o.Addrs, " ") != strings.Join(tc.addrs, " ") || o.ReadTimeout != tc.read || o.MaxRetries != tc.retries {
				t.Errorf("%s: cluster options %+v", tc.url, o)
			}
		}
		if err := s.Close(); err != nil {
			t.Errorf("%s: Close: %v", tc.url, err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("%s: second Close: %v", tc.url, err)
		}
		if err := s.c.Ping(context.Background()).Err(); !errors.Is(err, redis.ErrClosed) {
			t.Errorf("%s: client still open after Close: %v", tc.url, err)
		}
	}
	for _, bad := range []string{
		"127.0.0.1:6379",
		"http://127.0.0.1:6379",
		"redis+cluster://127.0.0.1:7000/3",
		"redis://127.0.0.1:6379/0?key_prefix={x}",
		"redis://127.0.0.1:6379/0?bogus=1",
		"redis://u:secret@127.0.0.1:6379/0?dialer_retries=many",
	} {
		_, err := NewFromURL(bad)
		if !errors.Is(err, sessions.ErrConfig) {
			t.Errorf("NewFromURL(%q) = %v, want ErrConfig", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error echoes the password: %v", err)
		}
	}
}

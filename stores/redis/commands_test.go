package redis

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
)

// commandCounter counts the commands a private redis-server receives, from
// a MONITOR connection. INFO commandstats would not do: it also counts the
// commands a script runs, which MONITOR tags "[0 lua]" and this counter
// reports separately. It counts the round trips of the clients it watches
// with a go-redis hook: a command, a pipeline or a MULTI/EXEC transaction is
// one each.
type commandCounter struct {
	admin *redis.Client
	mon   net.Conn
	rd    *bufio.Reader
	n     int
	trips atomic.Int64 // round trips of the watched clients
	base  int64        // trips when the last count ended
}

func newCommandCounter(t *testing.T, addr string) *commandCounter {
	mon, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mon.Close() })
	cc := &commandCounter{mon: mon, rd: bufio.NewReader(mon)}
	cc.admin = redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { cc.admin.Close() })
	if err := cc.admin.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(mon, "MONITOR\r\n")
	if line, err := cc.rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, "+OK") {
		t.Fatalf("MONITOR: %q, %v", line, err)
	}
	return cc
}

// watch counts the round trips of c from now on.
func (cc *commandCounter) watch(c *redis.Client) {
	c.AddHook(tripHook{&cc.trips})
	cc.base = cc.trips.Load()
}

// tripHook counts round trips, leaving out connection set-up.
type tripHook struct{ n *atomic.Int64 }

func setupCmd(cmd redis.Cmder) bool { return cmd.Name() == "hello" || cmd.Name() == "client" }

func (h tripHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h tripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !setupCmd(cmd) {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h tripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if slices.ContainsFunc(cmds, func(c redis.Cmder) bool { return !setupCmd(c) }) {
			h.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// count runs op and returns the commands Redis received for it (sent by a
// client, by name) and those its scripts ran, and the round trips the
// watched clients made since the last count ended (op may call count to
// leave out its set-up). Connection set-up (HELLO, CLIENT) is left out.
func (cc *commandCounter) count(t *testing.T, op func() error) (total, trips int, sent, inScripts map[string]int) {
	t.Helper()
	if err := op(); err != nil {
		t.Fatalf("operation: %v", err)
	}
	trips = int(cc.trips.Load() - cc.base)
	cc.n++
	marker := fmt.Sprintf("end-of-op-%d", cc.n)
	if err := cc.admin.Echo(context.Background(), marker).Err(); err != nil {
		t.Fatal(err)
	}
	sent, inScripts = map[string]int{}, map[string]int{}
	cc.mon.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		line, err := cc.rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading MONITOR: %v", err)
		}
		if strings.Contains(strings.ToUpper(line), `"ECHO" "`+strings.ToUpper(marker)+`"`) {
			cc.base = cc.trips.Load()
			return total, trips, sent, inScripts
		}
		// +1732600000.123456 [0 127.0.0.1:5000] "EVALSHA" "..." ...
		src, cmd, ok := strings.Cut(line, "] \"")
		if !ok {
			continue
		}
		name := strings.ToUpper(cmd[:strings.IndexByte(cmd, '"')])
		switch {
		case name == "HELLO", name == "CLIENT", name == "ECHO":
		case strings.HasSuffix(src, " lua"):
			inScripts[name]++
		default:
			sent[name]++
			total++
		}
	}
}

func names(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s×%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// TestCommandsPerOperation measures what each operation sends to Redis, in
// both protocols, and holds it to the design: a read-only request is one
// command, a values-only commit one MULTI/EXEC round trip, a login commit
// one script call, and so on. Every command is its own round trip except
// in a transaction. Run it with -v to see the table.
func TestCommandsPerOperation(t *testing.T) {
	srv := redistest.StartServer(t)
	client := redis.NewClient(testClientOptions(srv.Addr()))
	t.Cleanup(func() { client.Close() })
	cc := newCommandCounter(t, srv.Addr())
	cc.watch(client)

	type want struct{ single, cluster int }
	for _, proto := range protocols {
		t.Run(proto.name, func(t *testing.T) {
			ctx := t.Context()
			s := newTestStore(t, client, proto.o)
			// Warm up: connections open, every script in Redis's cache.
			warm := storetest.NewKey(t)
			wrec := storetest.NewRecord(time.Hour, "n", 1)
			wrec.User = "warm"
			s.Create(ctx, warm, wrec)
			s.Commit(ctx, warm, &sessions.Delta{Meta: &wrec.Meta})
			s.Commit(ctx, warm, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 2}}})
			s.Increment(ctx, warm, "n", 1)
			w2 := storetest.NewKey(t)
			s.Rename(ctx, warm, w2, 0)
			s.UserSessions(ctx, "warm")
			s.DeleteUserSessions(ctx, "warm", "")
			cc.count(t, func() error { return nil }) // drain the warm-up from MONITOR

			key := storetest.NewKey(t)
			userKey := storetest.NewKey(t)
			var aliased string
			steps := []struct {
				name  string
				want  want   // commands
				trips want   // round trips
				tx    string // a MULTI/EXEC transaction: exactly these commands
				op    func() error
			}{
				{"Create (anonymous)", want{1, 1}, want{1, 1}, "", func() error {
					return s.Create(ctx, key, storetest.NewRecord(time.Hour, "cart", "3 items"))
				}},
				{"Create (with user)", want{1, 2}, want{1, 2}, "", func() error {
					r := storetest.NewRecord(time.Hour)
					r.User = "bob"
					return s.Create(ctx, userKey, r)
				}},
				{"Load", want{1, 1}, want{1, 1}, "", func() error {
					_, found, err := s.Load(ctx, key)
					if !found {
						return fmt.Errorf("not found")
					}
					return err
				}},
				{"Load (missing)", want{1, 1}, want{1, 1}, "", func() error {
					_, _, err := s.Load(ctx, storetest.NewKey(t))
					return err
				}},
				{"Commit (values)", want{2, 2}, want{1, 1}, "HMGET×1 HSET×1", func() error {
					return s.Commit(ctx, key, &sessions.Delta{
						Set: []sessions.Field{{Key: "a", Value: 1}, {Key: "b", Value: "x"}},
					})
				}},
				{"Commit (values, a delete)", want{5, 5}, want{1, 1}, "EXEC×1 HDEL×1 HMGET×1 HSET×1 MULTI×1", func() error {
					return s.Commit(ctx, key, &sessions.Delta{
						Set: []sessions.Field{{Key: "a", Value: 2}},
						Del: []string{"cart"},
					})
				}},
				{"Commit (idle refresh)", want{1, 1}, want{1, 1}, "", func() error {
					r := storetest.NewRecord(2 * time.Hour)
					r.User = "bob"
					return s.Commit(ctx, userKey, &sessions.Delta{Meta: &r.Meta})
				}},
				{"Commit (login)", want{1, 2}, want{1, 2}, "", func() error {
					r := storetest.NewRecord(time.Hour)
					r.User = "carol"
					return s.Commit(ctx, key, &sessions.Delta{Meta: &r.Meta})
				}},
				{"Increment", want{1, 1}, want{1, 1}, "", func() error {
					_, err := s.Increment(ctx, key, "hits", 1)
					return err
				}},
				{"Rename (with user, grace)", want{1, 4}, want{1, 4}, "", func() error {
					aliased = key
					key = storetest.NewKey(t)
					return s.Rename(ctx, aliased, key, time.Minute)
				}},
				{"Load (through grace alias)", want{2, 2}, want{2, 2}, "", func() error {
					_, found, err := s.Load(ctx, aliased)
					if !found {
						return fmt.Errorf("not found")
					}
					return err
				}},
				{"Rename (anonymous)", want{1, 3}, want{1, 3}, "", func() error {
					a, b := storetest.NewKey(t), storetest.NewKey(t)
					if err := s.Create(ctx, a, storetest.NewRecord(time.Hour)); err != nil {
						return err
					}
					cc.count(t, func() error { return nil })
					return s.Rename(ctx, a, b, 0)
				}},
				{"Delete", want{1, 1}, want{1, 1}, "", func() error { return s.Delete(ctx, userKey) }},
				// The cluster-safe Rename leaves the old entry for the listing
				// to drop: one more HMGET, in the same pipeline, and a ZREM.
				{"UserSessions (1 session)", want{2, 4}, want{2, 3}, "", func() error {
					_, err := s.UserSessions(ctx, "carol")
					return err
				}},
			}
			t.Run("Requests", func(t *testing.T) { testManagerRequests(t, cc, client, proto.o) })
			cc.count(t, func() error { return nil }) // drain the subtest's clean-up
			for _, st := range steps {
				n, trips, sent, inside := cc.count(t, st.op)
				w, wt := st.want.single, st.trips.single
				if proto.o.Cluster {
					w, wt = st.want.cluster, st.trips.cluster
				}
				t.Logf("%-27s %d in %d round trips: %-40s (inside scripts: %s)", st.name, n, trips, names(sent), names(inside))
				if n != w || trips != wt {
					t.Errorf("%s: %d commands (%s) in %d round trips, want %d in %d", st.name, n, names(sent), trips, w, wt)
				}
				if st.tx != "" && names(sent) != st.tx {
					t.Errorf("%s: sent %s, want %s", st.name, names(sent), st.tx)
				}
			}
		})
	}
}

// testManagerRequests counts the commands whole requests cost through the
// sessions middleware: a read-only request is one HGETALL.
func testManagerRequests(t *testing.T, cc *commandCounter, client redis.UniversalClient, o Options) {
	s := newTestStore(t, client, o)
	m, err := sessions.NewManager(s, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/read", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, m.FromContext(r.Context()).GetString("name"))
	})
	mux.HandleFunc("/write", func(w http.ResponseWriter, r *http.Request) {
		m.FromContext(r.Context()).Set("name", "kataras")
	})
	mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		m.FromContext(r.Context()).Increment("n", 1)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		m.FromContext(r.Context()).Login("grace")
	})
	h := m.Handler(mux)
	var cookies []*http.Cookie
	do := func(path string) error {
		req := httptest.NewRequest("GET", "https://example.com"+path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("%s: status %d: %s", path, rec.Code, rec.Body)
		}
		if set := rec.Result().Cookies(); len(set) > 0 {
			cookies = set
		}
		return nil
	}
	for _, st := range []struct {
		path        string
		want, trips int  // -1: logged only
		single      bool // checked in the single-node protocol only
	}{
		{"/write", 1, 1, false},   // a new session: Create
		{"/read", 1, 1, false},    // Load
		{"/write", 3, 2, false},   // Load; HSET, HMGET
		{"/count", 2, 2, false},   // Load, Increment
		{"/login", -1, -1, false}, // Load, RenameCommit (its script's first run: EVALSHA, then EVAL)
		{"/login", 2, 2, true},    // Load, RenameCommit (cluster-safe: Rename's steps, then Commit)
		{"/read", 1, 1, false},    // Load
	} {
		n, trips, sent, _ := cc.count(t, func() error { return do(st.path) })
		t.Logf("request %-7s %d in %d round trips: %s", st.path, n, trips, names(sent))
		if st.want >= 0 && !(st.single && o.Cluster) && (n != st.want || trips != st.trips) {
			t.Errorf("request %s: %d commands (%s) in %d round trips, want %d in %d", st.path, n, names(sent), trips, st.want, st.trips)
		}
	}
}

// TestKeysNeverHoldCookieID checks that no Redis key, field or value
// contains a session ID: only its SHA-256 store key.
func TestKeysNeverHoldCookieID(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, o := range []Options{{}, {Cluster: true}} {
		t.Run(fmt.Sprintf("Cluster=%v", o.Cluster), func(t *testing.T) {
			ctx := t.Context()
			s := newTestStore(t, c, o)
			newID := func() string {
				var b [32]byte
				rand.Read(b[:])
				return base64.RawURLEncoding.EncodeToString(b[:])
			}
			id1, id2 := newID(), newID()
			k1, k2 := sessions.KeyOf(id1), sessions.KeyOf(id2)
			rec := storetest.NewRecord(time.Hour, "name", "kataras")
			rec.User = "dave"
			if err := s.Create(ctx, k1, rec); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Increment(ctx, k1, "n", 1); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(ctx, k1, k2, time.Minute); err != nil {
				t.Fatal(err)
			}
			keys := keysWithPrefix(t, c, s.prefix)
			if len(keys) != 3 {
				t.Fatalf("keys: %q, want the session, its grace alias and the user index", keys)
			}
			for _, k := range keys {
				if strings.Contains(k, id1) || strings.Contains(k, id2) {
					t.Errorf("key %q contains a session ID", k)
				}
				if !strings.Contains(k, k1) && !strings.Contains(k, k2) && k != s.indexKey("dave") {
					t.Errorf("key %q is neither a store key's hash nor the user index", k)
				}
				var dump []string
				switch typ := c.Type(ctx, k).Val(); typ {
				case "hash":
					for f, v := range c.HGetAll(ctx, k).Val() {
						dump = append(dump, f, v)
					}
				case "zset":
					dump = c.ZRange(ctx, k, 0, -1).Val()
				default:
					t.Errorf("key %q has type %s", k, typ)
				}
				for _, d := range dump {
					if strings.Contains(d, id1) || strings.Contains(d, id2) {
						t.Errorf("key %q holds a session ID in %q", k, d)
					}
				}
			}
		})
	}
}

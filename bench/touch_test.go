package bench

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
	redisstore "github.com/sessionkit/sessions/stores/redis"
)

// BenchmarkTouch is this library's read-only request on a session whose
// recorded activity is older than Options.TouchInterval (one minute by
// default), against the same request on one read moments before, which is
// what BenchmarkRequest measures. Such a read re-records the activity, so
// that the idle timeout counts from it: a commit of the metadata, one more
// round trip on Redis. A session read more often than once a minute pays
// it once a minute; one read less often, on every read. The manager's
// clock moves 61 s after each pass over the 200 sessions (the stores keep
// the real clock, so nothing expires). A diagnostic, not part of run.sh:
//
//	go test -run='^$' -bench='^BenchmarkTouch$' -benchmem -count=6
func BenchmarkTouch(b *testing.B) {
	for _, store := range []string{"memory", "redis"} {
		for _, due := range []bool{false, true} {
			name := "store=" + store + "/touch=fresh"
			if due {
				name = "store=" + store + "/touch=due"
			}
			b.Run(name, func(b *testing.B) {
				var mu sync.Mutex
				now := time.Now()
				clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
				var st sessions.Store
				if store == "memory" {
					ms := memory.New(memory.Options{})
					defer ms.Close()
					st = ms
				} else {
					needRedis(b)
					client := newGoRedis(nil)
					defer client.Close()
					rs, err := redisstore.NewWithOptions(client, redisstore.Options{Prefix: redisPrefix + "touch:"})
					if err != nil {
						b.Fatal(err)
					}
					st = rs
				}
				m, err := sessions.NewManager(st, sessions.Options{IdleTimeout: idle, Now: clock})
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				h := m.Handler(oursApp(m))
				cookies := seed(b, h, 200)
				hdrs := make([]http.Header, len(cookies))
				for i, c := range cookies {
					hdrs[i] = http.Header{"Cookie": {c}}
				}
				req := newRequest(pathRead, "")
				proto := *req
				rec := newRecorder()
				i := 0
				b.ReportAllocs()
				for b.Loop() {
					if due && i%len(hdrs) == 0 {
						mu.Lock()
						now = now.Add(61 * time.Second)
						mu.Unlock()
					}
					rec.reset()
					*req = proto
					req.Header = hdrs[i%len(hdrs)]
					h.ServeHTTP(&rec.ResponseRecorder, req)
					if rec.Code != http.StatusOK || rec.Body.String() != "alice" {
						b.Fatalf("request %d: status %d body %q, want 200 alice", i, rec.Code, rec.Body)
					}
					i++
				}
			})
		}
	}
}

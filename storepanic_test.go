package sessions_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// panickingStore is a memory store whose next call of one kind panics, as
// a store with a bug would. It is no RenameCommitter, so a renewal is a
// Rename and then a Commit.
type panickingStore struct {
	sessions.Store
	mu sync.Mutex
	op string // "create", "commit" or "rename": the call that panics next, once
}

func (p *panickingStore) arm(op string) {
	p.mu.Lock()
	p.op = op
	p.mu.Unlock()
}

func (p *panickingStore) maybePanic(op string) {
	p.mu.Lock()
	fire := p.op == op
	if fire {
		p.op = ""
	}
	p.mu.Unlock()
	if fire {
		panic("store bug in " + op)
	}
}

func (p *panickingStore) Create(ctx context.Context, key string, r *sessions.Record) error {
	p.maybePanic("create")
	return p.Store.Create(ctx, key, r)
}

func (p *panickingStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	p.maybePanic("commit")
	return p.Store.Commit(ctx, key, d)
}

func (p *panickingStore) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	p.maybePanic("rename")
	return p.Store.Rename(ctx, oldKey, newKey, grace)
}

// TestStorePanicInCommitFailsClosed checks a store that panics during the
// middleware's commit (a store bug), the panic recovered either by a
// middleware inside Handler or by one around it (chi's Recoverer, placed
// either way). The commit did not complete, so the request is answered as
// a failed commit is: by the error handler alone, without the handler's
// headers and cookies, without a cookie for a session not stored (but
// with the cookie of one a first step stored under a new ID, the Rename of
// a renewal, which the old ID no longer names); a
// change made after the recovery is refused (Err reports why) rather than
// written as if the commit had gone through; the panic still reaches the
// recoverer; and the session stays usable for the next request.
func TestStorePanicInCommitFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		op      string
		seeded  bool
		act     func(*sessions.Session)
		renamed bool // the Rename was stored before the panic
	}{
		{"Create of a new session", "create", false, func(s *sessions.Session) { s.Set("cart", 3) }, false},
		{"Commit of a Set", "commit", true, func(s *sessions.Session) { s.Set("cart", 3) }, false},
		{"Rename of a Renew", "rename", true, func(s *sessions.Session) { s.Set("cart", 3); s.Renew() }, false},
		{"Commit after the Rename of a Renew", "commit", true, func(s *sessions.Session) { s.Set("cart", 3); s.Renew() }, true},
	} {
		for _, outside := range []bool{false, true} {
			where := "recovered inside Handler"
			if outside {
				where = "recovered around Handler"
			}
			t.Run(tc.name+"/"+where, func(t *testing.T) {
				m, c := newPanicManager(t, tc.op, tc.seeded)

				var recovered any
				recoverer := func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						defer func() {
							if p := recover(); p != nil {
								recovered = p
								w.WriteHeader(http.StatusInternalServerError)
							}
						}()
						next.ServeHTTP(w, r)
					})
				}
				var afterErr error
				after := func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						next.ServeHTTP(w, r)
						s := m.FromContext(r.Context())
						s.Set("after", 1)
						afterErr = s.Err()
					})
				}
				handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("X-Account", "alice")
					http.SetCookie(w, &http.Cookie{Name: "remember", Value: "1"})
					tc.act(m.Start(w, r))
					w.Write([]byte("cart saved"))
				})
				var h http.Handler
				if outside {
					h = recoverer(m.Handler(handler))
				} else {
					h = m.Handler(after(recoverer(handler)))
				}
				rec := serveCookie(h, "/", c)
				res := rec.Result()

				if recovered == nil {
					t.Error("the store's panic did not reach the recoverer")
				}
				if res.StatusCode != http.StatusInternalServerError {
					t.Errorf("status %d, want 500", res.StatusCode)
				}
				if body := rec.Body.String(); body != "Internal Server Error\n" {
					t.Errorf("body %q, want the error handler's", body)
				}
				cs := res.Cookies()
				if v := res.Header.Get("X-Account"); v != "" || (!tc.renamed && len(cs) != 0) || (tc.renamed && (len(cs) != 1 || cs[0].Name != m.CookieName() || cs[0].Value == cookieValue(c))) {
					want := "neither"
					if tc.renamed {
						want = "neither, and the renamed session's cookie"
					}
					t.Errorf("the answer carries the handler's X-Account %q and cookies %q, want %s", v, res.Header.Values("Set-Cookie"), want)
				}
				if tc.renamed && len(cs) == 1 {
					c = cs[0] // the cookie the client holds
				}
				if !outside && afterErr == nil {
					t.Error("after the recovered store panic, Err is nil: a later Set looks written")
				}

				// The next request, with the cookie the client holds, finds
				// the session usable: it loads, and a value set is stored.
				var first, second map[string]any
				res2 := do(t, m, cookieValue(c), func(s *sessions.Session) {
					first = s.GetAll()
					s.Set("next", 2)
				})
				if res2.StatusCode != http.StatusOK {
					t.Fatalf("next request: status %d, want 200", res2.StatusCode)
				}
				if _, ok := first["after"]; ok {
					t.Errorf("the session holds %v: the change after the recovered panic was stored", first)
				}
				id := cookieValue(c)
				if cs := res2.Cookies(); len(cs) == 1 {
					id = cs[0].Value
				}
				do(t, m, id, func(s *sessions.Session) { second = s.GetAll() })
				if second["next"] != 2 {
					t.Errorf("the session holds %v after the next request, want next 2", second)
				}
			})
		}
	}
}

func cookieValue(c *http.Cookie) string {
	if c == nil {
		return ""
	}
	return c.Value
}

// TestStorePanicOutsideFinalCommitFailsClosed checks a store that panics
// in a write the handler makes before the middleware's commit (Save) or
// after it (a change once the response has started, written at once), the
// panic recovered by a middleware inside Handler. The session is then
// failed, as after a failed store call: Err reports it, a later change is
// not written, and a response not yet started is the error handler's.
func TestStorePanicOutsideFinalCommitFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		op     string
		seeded bool
		late   bool // the write comes after the response started
	}{
		{"Save of a new session", "create", false, false},
		{"Save of a Set", "commit", true, false},
		{"Set after the response started", "commit", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, c := newPanicManager(t, tc.op, tc.seeded)

			var recovered any
			var afterErr error
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				func() {
					defer func() { recovered = recover() }()
					w.Header().Set("X-Account", "alice")
					if tc.late {
						w.Write([]byte("started"))
						s.Set("cart", 3)
						return
					}
					s.Set("cart", 3)
					s.Save()
				}()
				s.Set("after", 1)
				afterErr = s.Err()
				if !tc.late {
					w.WriteHeader(http.StatusInternalServerError)
				}
			}))
			rec := serveCookie(h, "/", c)
			res := rec.Result()
			if recovered == nil {
				t.Fatal("the store's panic did not reach the recoverer")
			}
			if afterErr == nil {
				t.Error("after the recovered store panic, Err is nil: a later Set looks written")
			}
			if !tc.late {
				if body := rec.Body.String(); res.StatusCode != http.StatusInternalServerError || body != "Internal Server Error\n" {
					t.Errorf("status %d, body %q, want the error handler's 500", res.StatusCode, body)
				}
				if v := res.Header.Get("X-Account"); v != "" || len(res.Cookies()) != 0 {
					t.Errorf("the answer carries the handler's X-Account %q and cookies %q, want neither", v, res.Header.Values("Set-Cookie"))
				}
			}
			if c != nil {
				var got map[string]any
				do(t, m, c.Value, func(s *sessions.Session) { got = s.GetAll() })
				if _, ok := got["after"]; ok || got["name"] != "kataras" {
					t.Errorf("the session holds %v, want its seeded value and not the change made after the panic", got)
				}
			}
		})
	}
}

// newPanicManager returns a manager on a memory store that panics in its
// next op call ("create", "commit" or "rename"), and, when seeded, the
// cookie of a session stored before the store was armed.
func newPanicManager(t *testing.T, op string, seeded bool) (*sessions.Manager, *http.Cookie) {
	t.Helper()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &panickingStore{Store: mem}
	m, err := sessions.NewManager(store, sessions.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	var c *http.Cookie
	if seeded {
		c = &http.Cookie{Name: m.CookieName(), Value: seedSession(t, m)}
	}
	store.arm(op)
	return m, c
}

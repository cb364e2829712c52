package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// encodingStore is the memory store refusing, as the stores that encode
// values do (Redis, PostgreSQL, bbolt), a value the codec cannot encode:
// an error wrapping ErrUnsupportedValue, and nothing stored.
type encodingStore struct{ sessions.Store }

func encodable(fields []sessions.Field) error {
	for _, f := range fields {
		if _, err := sessions.EncodeValue(f.Value); err != nil {
			return err
		}
	}
	return nil
}

func (s encodingStore) Create(ctx context.Context, key string, r *sessions.Record) error {
	if err := encodable(r.Fields); err != nil {
		return err
	}
	return s.Store.Create(ctx, key, r)
}

func (s encodingStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if err := encodable(d.Set); err != nil {
		return err
	}
	return s.Store.Commit(ctx, key, d)
}

// TestRefusedChangeLeavesSessionUsable checks that a change refused for its
// size or its encoding (ErrTooLarge, ErrUnsupportedValue: refused before
// the store changes anything) does not end the request's session. Under
// Handler a refused Save leaves the changes pending: the handler can drop
// the offending value and save again, and the response is its own, not
// the error handler's. Without the middleware the refused change is not
// kept, Err reports it, and later changes are stored.
func TestRefusedChangeLeavesSessionUsable(t *testing.T) {
	stores := []struct {
		name  string
		store func(t *testing.T) sessions.Store
		opts  sessions.Options
		bad   any // a value the store or the options refuse
		want  error
	}{
		{"Options.MaxSize", func(t *testing.T) sessions.Store {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			return mem
		}, sessions.Options{MaxSize: 1000}, strings.Repeat("x", 1000), sessions.ErrTooLarge},
		{"a store's codec", func(t *testing.T) sessions.Store {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			return encodingStore{mem}
		}, sessions.Options{}, func() {}, sessions.ErrUnsupportedValue},
		{"the cookie's size", newCookieStore, sessions.Options{}, strings.Repeat("x", 5000), sessions.ErrTooLarge},
		{"the cookie store's codec", newCookieStore, sessions.Options{}, make(chan int), sessions.ErrUnsupportedValue},
	}
	for _, st := range stores {
		for _, mode := range []string{"Handler", "write-through"} {
			for _, start := range []string{"stored", "new", "renewed"} {
				t.Run(st.name+"/"+mode+"/"+start, func(t *testing.T) {
					refusedChange(t, st.store(t), st.opts, mode, start, st.bad, st.want)
				})
			}
		}
	}
}

// refusedChange is one case of TestRefusedChangeLeavesSessionUsable: a
// session stored before the request, a new one, or a stored one the
// handler renews before the refused change.
func refusedChange(t *testing.T, store sessions.Store, opts sessions.Options, mode, start string, bad any, refusal error) {
	want := map[string]any{"base": "kept", "after": "stored"}
	var handled error
	opts.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		handled = err
		http.Error(w, "refused", http.StatusRequestEntityTooLarge)
	}
	m, err := sessions.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	seed := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("base", "kept")
	}))
	res := serveCookie(seed, "https://example.com/", nil).Result()
	if len(res.Cookies()) != 1 {
		t.Fatalf("setup: cookies %v", res.Cookies())
	}
	c := res.Cookies()[0]
	if start == "new" {
		c, want = nil, map[string]any{"after": "stored"}
	}

	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if start == "renewed" {
			s.Renew()
		}
		s.Set("big", bad)
		if mode == "Handler" {
			if err := s.Save(); !errors.Is(err, refusal) {
				t.Fatalf("Save of the refused value = %v, want one wrapping %v", err, refusal)
			}
			s.Delete("big")
			s.Set("after", "stored")
			if err := s.Save(); err != nil {
				t.Errorf("Save once the refused value is gone = %v, want nil", err)
			}
		} else {
			if err := s.Err(); !errors.Is(err, refusal) {
				t.Fatalf("Err after the refused Set = %v, want one wrapping %v", err, refusal)
			}
			s.Set("after", "stored")
			if err := s.Err(); !errors.Is(err, refusal) {
				t.Errorf("Err after a later Set = %v, want the refusal (%v) still reported", err, refusal)
			}
		}
		if v, ok := s.Lookup("big"); ok {
			t.Errorf("the refused value reads back: %T", v)
		}
		if got := s.GetString("after"); got != "stored" {
			t.Errorf(`after the refusal Get("after") = %q, want "stored"`, got)
		}
		w.Write([]byte("handler's own response"))
	})
	if mode == "Handler" {
		h = m.Handler(h)
	}
	res = serveCookie(h, "https://example.com/", c).Result()
	if res.StatusCode != http.StatusOK || handled != nil {
		t.Errorf("status %d, error handler called with %v; want the handler's 200", res.StatusCode, handled)
	}
	if cs := res.Cookies(); len(cs) > 0 {
		c = cs[len(cs)-1]
	}
	var got map[string]any
	serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = m.Start(w, r).GetAll()
	})), "https://example.com/", c)
	if !equalValues(got, want) {
		t.Errorf("stored values %v, want %v", got, want)
	}
}

// TestRefusedChangeUnfixedReachesErrorHandler checks that a change refused
// by Save and left in the session is refused again by the middleware's
// commit: the error handler answers, and nothing of the request is stored.
func TestRefusedChangeUnfixedReachesErrorHandler(t *testing.T) {
	var handled error
	m, _ := newTestManager(t, sessions.Options{MaxSize: 100, ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		handled = err
		http.Error(w, "refused", http.StatusRequestEntityTooLarge)
	}})
	id := seedSession(t, m)
	res := do(t, m, id, func(s *sessions.Session) {
		s.Set("big", strings.Repeat("x", 100))
		if err := s.Save(); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("Save = %v, want ErrTooLarge", err)
		}
		s.Set("small", 1)
	})
	if res.StatusCode != http.StatusRequestEntityTooLarge || !errors.Is(handled, sessions.ErrTooLarge) {
		t.Errorf("status %d, error handler called with %v; want its 413 for ErrTooLarge", res.StatusCode, handled)
	}
	do(t, m, id, func(s *sessions.Session) {
		if got, want := s.GetAll(), map[string]any{"name": "kataras"}; !equalValues(got, want) {
			t.Errorf("after the refused request the session holds %v, want %v", got, want)
		}
	})
}

// TestRefusedFinalCommitEndsSession checks that once the middleware's
// commit is refused and the error handler has answered, nothing the
// handler does afterwards reaches the store: a Save after the offending
// value is removed returns the refusal and stores nothing.
func TestRefusedFinalCommitEndsSession(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{MaxSize: 100})
	id := seedSession(t, m)
	res := do(t, m, id, func(s *sessions.Session) {
		s.Set("big", strings.Repeat("x", 100))
		s.ResponseWriter().WriteHeader(http.StatusOK)
		s.Delete("big")
		s.Set("late", 1)
		if err := s.Save(); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("Save after the refused commit = %v, want ErrTooLarge", err)
		}
	})
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want the default error handler's 413", res.StatusCode)
	}
	do(t, m, id, func(s *sessions.Session) {
		if got, want := s.GetAll(), map[string]any{"name": "kataras"}; !equalValues(got, want) {
			t.Errorf("after the refused request the session holds %v, want %v", got, want)
		}
	})
}

// TestRefusedChangesEachReported checks that without the middleware each
// refused change is reported as an event, not only the first: the session
// stays usable after a refusal, so a later one is news.
func TestRefusedChangesEachReported(t *testing.T) {
	var kinds []sessions.EventKind
	m, _ := newTestManager(t, sessions.Options{MaxSize: 100, OnEvent: func(_ context.Context, e sessions.Event) {
		kinds = append(kinds, e.Kind)
	}})
	id := seedSession(t, m)
	kinds = nil
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	s := m.Start(httptest.NewRecorder(), r)
	s.Set("a", strings.Repeat("x", 100))
	s.Set("b", func() {})
	s.Set("c", 1)
	want := []sessions.EventKind{sessions.EventTooLarge, sessions.EventUnsupportedValue}
	if !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
	if got := s.GetAll(); !equalValues(got, map[string]any{"name": "kataras", "c": 1}) {
		t.Errorf("session holds %v, want name and c", got)
	}
}

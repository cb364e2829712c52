package sessions_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// sizeOf is what Options.MaxSize counts for the values kv (key, value, ...).
func sizeOf(t *testing.T, kv ...any) int {
	t.Helper()
	n := 0
	for i := 0; i+1 < len(kv); i += 2 {
		b, err := sessions.EncodeValue(kv[i+1])
		if err != nil {
			t.Fatal(err)
		}
		n += len(kv[i].(string)) + len(b)
	}
	return n
}

// TestMaxSize checks that Options.MaxSize refuses the commit that would take
// a session's values over it, at its byte count exactly, with and without
// the middleware, and that the refused changes are not stored.
func TestMaxSize(t *testing.T) {
	const limit = 1000
	base := strings.Repeat("a", 500)
	// "big" brings the session to exactly the limit with "base" in it.
	fill := strings.Repeat("b", limit-sizeOf(t, "base", base)-sizeOf(t, "big", ""))
	if sizeOf(t, "base", base, "big", fill) != limit {
		t.Fatal("setup: the two values do not add up to the limit")
	}
	cases := []struct {
		name    string
		change  func(s *sessions.Session)
		wantErr bool
		want    map[string]any // the stored values after the change
		// Without the middleware each change is written at once, so a
		// case of several changes may stop at another one: these, when
		// set, are its error and values then.
		throughErr  bool
		throughWant map[string]any
	}{
		{"at the limit", func(s *sessions.Session) { s.Set("big", fill) }, false,
			map[string]any{"base": base, "big": fill}, false, nil},
		{"one byte over", func(s *sessions.Session) { s.Set("big", fill+"b") }, true,
			map[string]any{"base": base}, false, nil},
		{"a new key over", func(s *sessions.Session) { s.Set("big", fill); s.Set("x", 1) }, true,
			map[string]any{"base": base}, true, map[string]any{"base": base, "big": fill}},
		// Written at once, the Set is refused and not kept, and the
		// Delete after it is written: a refusal leaves the session usable.
		{"over, then room made in the same request", func(s *sessions.Session) {
			s.Set("big", fill+"bbbb")
			s.Delete("base")
		}, false, map[string]any{"big": fill + "bbbb"}, true, map[string]any{}},
		{"replacing a value with a larger one counts the new one", func(s *sessions.Session) {
			s.Set("base", base+strings.Repeat("a", limit))
		}, true, map[string]any{"base": base}, false, nil},
		{"an unencodable value", func(s *sessions.Session) { s.Set("f", func() {}) }, true,
			map[string]any{"base": base}, false, nil},
		{"an unencodable value: a string JSON would change", func(s *sessions.Session) {
			s.Set("doc", struct{ Name string }{"a\xffb"})
		}, true, map[string]any{"base": base}, false, nil},
	}
	for _, mode := range []string{"Handler", "write-through", "Save"} {
		for _, tc := range cases {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				var handled error
				m, _ := newTestManager(t, sessions.Options{
					MaxSize: limit,
					ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
						handled = err
						http.Error(w, "too large", http.StatusRequestEntityTooLarge)
					},
				})
				serve := func(c *http.Cookie, middleware bool, f func(s *sessions.Session)) *http.Response {
					var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(m.Start(w, r)) })
					if middleware {
						h = m.Handler(h)
					}
					return serveCookie(h, "https://example.com/", c).Result()
				}
				resp := serve(nil, true, func(s *sessions.Session) { s.Set("base", base) })
				if len(resp.Cookies()) != 1 {
					t.Fatalf("setup: cookies %v", resp.Cookies())
				}
				c := resp.Cookies()[0]
				var err error
				resp = serve(c, mode != "write-through", func(s *sessions.Session) {
					tc.change(s)
					switch mode {
					case "write-through":
						err = s.Err()
					case "Save":
						err = s.Save()
					}
				})
				wantErr, want := tc.wantErr, tc.want
				if mode == "write-through" && tc.throughWant != nil {
					wantErr, want = tc.throughErr, tc.throughWant
				}
				if mode == "Handler" {
					err = handled
					if wantErr && resp.StatusCode != http.StatusRequestEntityTooLarge {
						t.Errorf("status %d, want the ErrorHandler's 413", resp.StatusCode)
					}
				}
				wantKind := sessions.ErrTooLarge
				if strings.HasPrefix(tc.name, "an unencodable value") {
					wantKind = sessions.ErrUnsupportedValue
				}
				if wantErr != (err != nil) || (err != nil && !errors.Is(err, wantKind)) {
					t.Errorf("error %v, want one wrapping %v: %v", err, wantKind, wantErr)
				}
				var got map[string]any
				serve(c, true, func(s *sessions.Session) { got = s.GetAll() })
				if !equalValues(got, want) {
					t.Errorf("stored values have keys %v, want %v", keys(got), keys(want))
				}
			})
		}
	}
}

// TestMaxSizeIncrement checks that an Increment adding a counter the
// session would have no room for is refused without ending the request's
// session, while counters the session holds still count.
func TestMaxSizeIncrement(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{MaxSize: 100})
	full := strings.Repeat("x", 100-sizeOf(t, "hits", 1, "pad", "")-10)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if _, err := s.Increment("hits", 1); err != nil {
			t.Errorf("Increment(hits) with room: %v", err)
		}
		s.Set("pad", full)
		if err := s.Save(); err != nil {
			t.Fatalf("Save at 10 bytes under the limit: %v", err)
		}
		if n, err := s.Increment("another-counter", 1); !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
			t.Errorf("Increment of a new key with no room = %d, %v; want 0, ErrTooLarge", n, err)
		}
		if s.Err() != nil {
			t.Errorf("a refused Increment ended the session: %v", s.Err())
		}
		if n, err := s.Increment("hits", 1); err != nil || n != 2 {
			t.Errorf("Increment(hits) of a held counter = %d, %v; want 2", n, err)
		}
		if _, ok := s.Lookup("another-counter"); ok {
			t.Errorf("the refused counter is in the session")
		}
	}))
	if resp := serveCookie(h, "https://example.com/", nil).Result(); resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
}

// TestMaxSizeCookieStore checks the cap on a session kept in the cookie.
func TestMaxSizeCookieStore(t *testing.T) {
	m, err := sessions.NewManager(newCookieStore(t), sessions.Options{MaxSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var saved error
	serveCookie(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("k", strings.Repeat("v", 100))
		saved = s.Save()
	}), "https://example.com/", nil)
	if !errors.Is(saved, sessions.ErrTooLarge) {
		t.Errorf("Save over MaxSize in the cookie store: %v, want ErrTooLarge", saved)
	}
}

// TestMaxSizeNegative checks that a negative MaxSize is a configuration
// error.
func TestMaxSizeNegative(t *testing.T) {
	_, err := sessions.NewManager(newMemoryStore(t), sessions.Options{MaxSize: -1})
	if !errors.Is(err, sessions.ErrConfig) {
		t.Errorf("MaxSize -1: %v, want ErrConfig", err)
	}
}

func equalValues(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

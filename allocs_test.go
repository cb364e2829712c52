package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// discardWriter is a ResponseWriter that allocates nothing itself: its
// header map is emptied, not replaced, between requests.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// TestRequestAllocations pins what a request on an existing session costs
// in heap allocations under Handler with the memory store, defaults on
// (strict mode, hashed keys, the delta commit): a read allocates the
// Session, the request copy that carries it and the store key; a
// read-write adds only the record the commit stores. The Delta the commit
// hands the store lives in the Session.
func TestRequestAllocations(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/read", func(w http.ResponseWriter, r *http.Request) {
		if m.Start(w, r).Get("flag") == nil {
			w.WriteHeader(http.StatusNotFound)
		}
	})
	mux.HandleFunc("/rw", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		flag, _ := s.Get("flag").(bool) // a bool in an interface allocates nothing
		s.Set("flag", !flag)
	})
	h := m.Handler(mux)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/rw", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("seeding request set %d cookies, want 1", len(cookies))
	}

	for _, tc := range []struct {
		path string
		want float64
	}{
		{"/read", 3},
		{"/rw", 4},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			r.AddCookie(cookies[0])
			w := &discardWriter{h: http.Header{}}
			serve := func() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
			serve() // the mux's and the header map's first-use allocations
			if w.h.Get("Set-Cookie") != "" {
				t.Fatalf("%s on an existing session set a cookie: %q", tc.path, w.h["Set-Cookie"])
			}
			if got := testing.AllocsPerRun(200, serve); got > tc.want {
				t.Errorf("%s: %v allocations per request, want at most %v", tc.path, got, tc.want)
			}
		})
	}
	if n := store.Len(); n != 1 {
		t.Errorf("store holds %d sessions, want the one seeded", n)
	}
}

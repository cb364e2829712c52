package cookie_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestSaveAfterLateReadReportsNothing checks a cookie-store session that a
// handler first reads after the response has started, and changes in no
// way: its cookie can no longer be re-issued, so neither the activity a
// read records (past the touch interval) nor the re-seal under the newest
// key of a cookie sealed under an older one can reach the client. Neither
// is a change the handler made, so Save reports no error and no
// EventLostWrite is emitted, as with a server-side store; the next request
// records them.
func TestSaveAfterLateReadReportsNothing(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	for _, tc := range []struct {
		name  string
		seed  []byte // the key the cookie is sealed under
		ring  [][]byte
		delay time.Duration
	}{
		{"activity due", k1, [][]byte{k1}, 2 * time.Minute},
		{"sealed under an older key", k1, [][]byte{k2, k1}, 0},
		{"both", k1, [][]byte{k2, k1}, 2 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			value := newRig(t, newStore(t, tc.seed), sessions.Options{}).do("GET", "/set?v=seed", "").value(t)
			r := newRig(t, newStore(t, tc.ring...), sessions.Options{})
			r.clock.Advance(tc.delay)
			var (
				got     string
				saveErr error
			)
			h := r.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				io.WriteString(w, "the response starts here; ")
				s := r.m.FromContext(req.Context())
				got = s.GetString("name")
				saveErr = s.Save()
			}))
			req := httptest.NewRequest("GET", "https://app.example/", nil)
			req.Header.Add("Cookie", cookieName+"="+value)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if got != "seed" {
				t.Errorf("the handler read name = %q, want %q", got, "seed")
			}
			if saveErr != nil {
				t.Errorf("Save of a session only read after the first byte: %v, want nil", saveErr)
			}
			if e := r.saw(sessions.EventLostWrite); e != nil {
				t.Errorf("EventLostWrite emitted for a session the handler only read: %+v", e)
			}
			if c := w.Result().Cookies(); len(c) != 0 {
				t.Errorf("a response that had started set cookies %v", c)
			}
			// The next request, whose response has not started, records
			// the activity and re-seals under the newest key.
			res := r.do("GET", "/get", value)
			if res.body != "seed" {
				t.Fatalf("the next request read %q, want %q", res.body, "seed")
			}
			if res.cookie == nil {
				t.Errorf("the next request did not re-issue the cookie")
			}
		})
	}
}

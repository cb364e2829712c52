package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestParallelMetadataChangesSurvive checks that a request minting the
// session's CSRF secret and a parallel request recording activity (an idle
// refresh) both keep their change, whichever commits last: each commit
// writes only the metadata fields it changed.
func TestParallelMetadataChangesSurvive(t *testing.T) {
	var now atomic.Int64
	// The store keeps the real clock: start the manager's clock at it.
	now.Store(time.Now().UnixNano())
	m, _ := newTestManager(t, sessions.Options{
		IdleTimeout:   30 * time.Minute,
		TouchInterval: time.Minute,
		Now:           func() time.Time { return time.Unix(0, now.Load()) },
	})
	loaded, release := make(chan struct{}), make(chan struct{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		switch r.URL.Path {
		case "/seed":
			s.Set("x", 1)
		case "/touch": // reads, so the due idle refresh is committed
			_ = s.GetString("x")
			loaded <- struct{}{}
			<-release
		case "/mint":
			w.Write([]byte(s.CSRFToken()))
			return
		}
		w.Write([]byte("ok"))
	}))
	serve := func(method, path, cookie, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "https://example.com"+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	seed := serve("GET", "/seed", "", "")
	cookies := seed.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("seed: %d cookies, want 1", len(cookies))
	}
	cookie := cookies[0].Name + "=" + cookies[0].Value

	now.Add(int64(2 * time.Minute)) // both requests below find the refresh due
	var wg sync.WaitGroup
	wg.Go(func() {
		if rec := serve("GET", "/touch", cookie, ""); rec.Code != http.StatusOK {
			t.Errorf("touch: status %d", rec.Code)
		}
	})
	<-loaded // the touch request has loaded the session, without a CSRF secret
	mint := serve("GET", "/mint", cookie, "")
	token := mint.Body.String()
	if mint.Code != http.StatusOK || token == "" {
		t.Fatalf("mint: status %d, token %q", mint.Code, token)
	}
	close(release) // the touch request commits after the mint
	wg.Wait()

	if rec := serve("POST", "/post", cookie, token); rec.Code != http.StatusOK {
		t.Fatalf("POST with the token minted in parallel with an idle refresh: status %d %q, want 200 (the CSRF secret was lost)",
			rec.Code, rec.Body.String())
	}
}

func TestMetaChangesAndMerge(t *testing.T) {
	stored := sessions.Meta{Created: 1, Renewed: 2, LastSeen: 3, AuthTime: 4, Expires: 5, User: "u", UserAgent: "ua", CSRF: "c", Bind: "b"}
	next := sessions.Meta{Created: 10, Renewed: 20, LastSeen: 30, AuthTime: 40, Expires: 50, User: "U", UserAgent: "UA", CSRF: "C", Bind: "B"}
	for _, tc := range []struct {
		name        string
		meta        *sessions.Meta
		fields      sessions.MetaField
		wantChanges sessions.MetaField
		want        sessions.Meta
	}{
		{"no meta", nil, sessions.MetaCSRF, 0, stored},
		{"meta without fields is all", &next, 0, sessions.MetaAll, next},
		{"all", &next, sessions.MetaAll, sessions.MetaAll, next},
		{"csrf", &next, sessions.MetaCSRF, sessions.MetaCSRF, func() sessions.Meta { m := stored; m.CSRF = "C"; return m }()},
		{"activity", &next, sessions.MetaLastSeen | sessions.MetaExpires, sessions.MetaLastSeen | sessions.MetaExpires,
			func() sessions.Meta { m := stored; m.LastSeen, m.Expires = 30, 50; return m }()},
		{"login", &next, sessions.MetaUser | sessions.MetaAuthTime | sessions.MetaCreated | sessions.MetaUserAgent | sessions.MetaBind | sessions.MetaRenewed,
			sessions.MetaUser | sessions.MetaAuthTime | sessions.MetaCreated | sessions.MetaUserAgent | sessions.MetaBind | sessions.MetaRenewed,
			sessions.Meta{Created: 10, Renewed: 20, LastSeen: 3, AuthTime: 40, Expires: 5, User: "U", UserAgent: "UA", CSRF: "c", Bind: "B"}},
		{"unknown bits ignored", &next, sessions.MetaCSRF | 1<<15, sessions.MetaCSRF, func() sessions.Meta { m := stored; m.CSRF = "C"; return m }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &sessions.Delta{Meta: tc.meta, MetaFields: tc.fields}
			if got := d.MetaChanges(); got != tc.wantChanges {
				t.Errorf("MetaChanges() = %b, want %b", got, tc.wantChanges)
			}
			rec := &sessions.Record{Meta: stored}
			if got := rec.Apply(d).Meta; got != tc.want {
				t.Errorf("Apply: meta\n got %+v\nwant %+v", got, tc.want)
			}
			if rec.Meta != stored {
				t.Errorf("Apply changed the original record's meta")
			}
		})
	}
}

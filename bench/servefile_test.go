package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// BenchmarkServeFile serves a 1 MiB file with http.ServeFile over loopback
// TCP: bare, under this library's Handler (the session read first, as a
// page behind a login would) and under scs's LoadAndSave, which wrap the
// response writer. B/op shows whether the copy keeps net/http's sendfile
// path or goes through a 32 KiB buffer per response.
func BenchmarkServeFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "file.bin")
	if err := os.WriteFile(path, make([]byte, 1<<20), 0o644); err != nil {
		b.Fatal(err)
	}
	files := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, path) })

	st := memory.New(memory.Options{})
	defer st.Close()
	m, err := sessions.NewManager(st, sessions.Options{IdleTimeout: idle})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ours := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = m.Start(w, r).GetString("user")
		files.ServeHTTP(w, r)
	}))
	sm := newSCS()
	theirs := sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = sm.GetString(r.Context(), "user")
		files.ServeHTTP(w, r)
	}))

	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"none", files}, {"sessions-memory", ours}, {"scs-memstore", theirs}} {
		b.Run("lib="+c.name, func(b *testing.B) {
			srv := httptest.NewServer(c.h)
			defer srv.Close()
			client := srv.Client()
			b.SetBytes(1 << 20)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || n != 1<<20 {
					b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
				}
			}
		})
	}
}

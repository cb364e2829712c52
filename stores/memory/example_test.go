package memory_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// A store of a chosen size and sweep interval, its manager, and the
// store's counters: what a health endpoint might report.
func Example() {
	store := memory.New(memory.Options{
		MaxEntries:      100_000,         // past this many records a new session is ErrFull
		CleanupInterval: 5 * time.Minute, // expired records are never served in between
	})
	defer store.Close()
	m, err := sessions.NewManager(store, sessions.Options{IdleTimeout: 30 * time.Minute})
	if err != nil {
		panic(err)
	}

	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("theme", "dark")
	}))
	for range 3 { // three clients without a cookie: three sessions
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	st := store.Stats()
	fmt.Println(st.Sessions, "sessions,", st.Removed, "removed")
	// Output:
	// 3 sessions, 0 removed
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// failingStore is a memory store whose Load fails with err while err is
// set.
type failingStore struct {
	sessions.Store
	mu  sync.Mutex
	err error
}

func (f *failingStore) failWith(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *failingStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return nil, false, err
	}
	return f.Store.Load(ctx, key)
}

// TestStoreErrorAnswers: a session whose store fails is answered with the
// demo's JSON error for that failure, whether the manager's error handler
// meets it (a seed path) or a handler that checks the session itself (GET
// /api/sessions): an unavailable store or a store call past its deadline
// is 503 "try again shortly", not a 401 that says the client is logged
// out, and any other failure is a 500; no cache keeps the answer.
func TestStoreErrorAnswers(t *testing.T) {
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &failingStore{Store: mem}
	srv := serveDemo(t, store)
	cl := newClient(t, srv)
	cl.session() // a stored session, which the next requests load

	const unavailable = "session store unavailable, try again shortly"
	for _, tc := range []struct {
		path string
		err  error
		code int
		msg  string
	}{
		{"/get", fmt.Errorf("dial: %w", sessions.ErrStoreUnavailable), http.StatusServiceUnavailable, unavailable},
		{"/get", fmt.Errorf("load: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, unavailable},
		{"/get", errors.New("disk on fire"), http.StatusInternalServerError, "session error"},
		{"/api/sessions", fmt.Errorf("dial: %w", sessions.ErrStoreUnavailable), http.StatusServiceUnavailable, unavailable},
		{"/api/sessions", errors.New("disk on fire"), http.StatusInternalServerError, "session error"},
	} {
		store.failWith(tc.err)
		req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
		resp, err := cl.hc.Do(req)
		store.failWith(nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error string `json:"error"`
		}
		if resp.StatusCode != tc.code || json.Unmarshal(body, &e) != nil || e.Error != tc.msg {
			t.Errorf("GET %s with Load failing (%v) = %d %s, want %d {\"error\": %q}", tc.path, tc.err, resp.StatusCode, body, tc.code, tc.msg)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s with Load failing (%v): Cache-Control %q, want no-store (as the default error handler's)", tc.path, tc.err, cc)
		}
	}
}

package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
	"go.uber.org/goleak"
)

// TestOutage kills a private redis-server under a store made by NewFromURL:
// every operation must fail fast with ErrStoreUnavailable, and the same
// store must work again once the server is back on the same port.
func TestOutage(t *testing.T) {
	srv := redistest.StartServer(t)
	leaks := goleak.IgnoreCurrent()
	ctx := t.Context()

	s, err := NewFromURL("redis://" + srv.Addr() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	key := storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "n", 1)
	rec.User = "outage-user"
	if err := s.Create(ctx, key, rec); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Load(ctx, key); err != nil || !found {
		t.Fatalf("Load before the outage: %v, %v", found, err)
	}

	srv.Kill()
	delta := &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 2}}}
	ops := []struct {
		name string
		op   func() error
	}{
		{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
		{"Commit", func() error { return s.Commit(ctx, key, delta) }},
		{"Create", func() error { return s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)) }},
		{"Increment", func() error { _, err := s.Increment(ctx, key, "hits", 1); return err }},
		{"Rename", func() error { return s.Rename(ctx, key, storetest.NewKey(t), time.Second) }},
		{"Delete", func() error { return s.Delete(ctx, key) }},
		{"UserSessions", func() error { _, err := s.UserSessions(ctx, "outage-user"); return err }},
		{"DeleteUserSessions", func() error { _, err := s.DeleteUserSessions(ctx, "outage-user", ""); return err }},
	}
	for _, o := range ops {
		start := time.Now()
		err := o.op()
		took := time.Since(start)
		if !errors.Is(err, sessions.ErrStoreUnavailable) {
			t.Errorf("%s with redis down: err = %v, want one wrapping ErrStoreUnavailable", o.name, err)
		}
		if took > 2*time.Second {
			t.Errorf("%s with redis down took %v, want < 2s (fail fast)", o.name, took)
		}
		t.Logf("%-18s down: %-8v %v", o.name, took.Round(time.Millisecond), err)
	}

	srv.Restart() // same port, empty (no persistence)
	deadline := time.Now().Add(10 * time.Second)
	key2 := storetest.NewKey(t)
	for {
		err := s.Create(ctx, key2, storetest.NewRecord(time.Hour, "n", 1))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store did not recover after redis came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := s.Commit(ctx, key2, delta); err != nil {
		t.Fatalf("Commit after recovery: %v", err)
	}
	if r, found, err := s.Load(ctx, key2); err != nil || !found || r.Fields[0].Value != 2 {
		t.Fatalf("Load after recovery: %+v, %v, %v", r, found, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := s.Load(ctx, key2); !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Fatalf("Load after Close: %v, want ErrStoreUnavailable", err)
	}
	// go-redis's dial prober sleeps a second between attempts before it
	// notices the closed pool; give it a few.
	deadline = time.Now().Add(5 * time.Second)
	for {
		err := goleak.Find(leaks)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Close: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/postgres/internal/pgserver"
	"github.com/sessionkit/sessions/storetest"
)

// restartState is what the restart tests wrote and committed before
// the server went down, to check after it came back.
type restartState struct {
	user    string
	keys    []string          // live sessions, each with "n" = index and "name"
	values  []map[string]any  // committed fields per key
	meta    []sessions.Meta   // committed metadata per key
	counter map[string]int64  // committed "hits" per key
	renamed map[string]string // old key (alias with grace) -> new key
	deleted []string          // keys deleted before the stop
}

// TestStoreSurvivesServerRestart stops a private PostgreSQL server (a clean
// fast shutdown, then a crash) under one Store and one pool: while it is
// down every call fails promptly with sessions.ErrStoreUnavailable, and once
// it is back the same Store serves every committed write, exactly once,
// without a new pool.
func TestStoreSurvivesServerRestart(t *testing.T) {
	srv := pgserver.Start(t)
	cfg, err := pgxpool.ParseConfig(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
	p, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	s, err := New(t.Context(), p, Options{CleanupInterval: -1})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })

	for _, mode := range []string{"fast", "immediate"} {
		t.Run(mode, func(t *testing.T) {
			st := writeRestartState(t, s, mode)
			traffic := startIncrements(t, s, 2)
			time.Sleep(100 * time.Millisecond) // let the traffic run before the stop
			srv.Stop(mode)
			callWhileDown(t, s, st, time.Second)
			srv.StartAgain()
			waitUntilServing(t, s, st, 3*time.Second)
			time.Sleep(200 * time.Millisecond) // and again after the restart
			traffic.check(t, s)
			checkRestartState(t, s, st)
			if got := p.Stat().MaxConns(); got != 4 {
				t.Fatalf("pool MaxConns = %d; want the original pool", got)
			}
		})
	}
}

// writeRestartState creates sessions and commits values, metadata,
// counters, renames and deletes through every write path of the store.
func writeRestartState(t *testing.T, s *Store, mode string) *restartState {
	t.Helper()
	ctx := t.Context()
	st := &restartState{
		user:    "user-" + mode + "-" + storetest.NewKey(t)[:8],
		counter: map[string]int64{},
		renamed: map[string]string{},
	}
	for i := range 6 {
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, "n", i, "name", fmt.Sprintf("s%d", i))
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		m := rec.Meta
		m.User = st.user
		m.CSRF = fmt.Sprintf("csrf-%d", i)
		d := &sessions.Delta{
			Set:  []sessions.Field{{Key: "cart", Value: fmt.Sprintf("items-%d", i)}},
			Del:  []string{"name"},
			Meta: &m,
		}
		if err := s.Commit(ctx, key, d); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		var n int64
		var err error
		for range i + 1 {
			if n, err = s.Increment(ctx, key, "hits", 1); err != nil {
				t.Fatalf("Increment: %v", err)
			}
		}
		st.keys = append(st.keys, key)
		st.values = append(st.values, map[string]any{"n": i, "cart": fmt.Sprintf("items-%d", i), "hits": n})
		st.meta = append(st.meta, m)
		st.counter[key] = n
	}
	// Rotate the first session with a grace period: the old key must reach
	// it after the restart, too.
	newKey := storetest.NewKey(t)
	if err := s.Rename(ctx, st.keys[0], newKey, time.Hour); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	st.renamed[st.keys[0]] = newKey
	st.counter[newKey] = st.counter[st.keys[0]]
	delete(st.counter, st.keys[0])
	st.keys[0] = newKey
	// Delete the last one.
	last := len(st.keys) - 1
	if err := s.Delete(ctx, st.keys[last]); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	delete(st.counter, st.keys[last])
	st.deleted = append(st.deleted, st.keys[last])
	st.keys, st.values, st.meta = st.keys[:last], st.values[:last], st.meta[:last]
	if list, err := s.UserSessions(ctx, st.user); err != nil || len(list) != len(st.keys) {
		t.Fatalf("UserSessions = %d sessions, %v; want %d", len(list), err, len(st.keys))
	}
	return st
}

// restartCall is one store call made while the server is down.
type restartCall struct {
	name string
	call func(ctx context.Context) error
}

func restartCalls(s *Store, st *restartState) []restartCall {
	key := st.keys[1]
	return []restartCall{
		{"Load", func(ctx context.Context) error { _, _, err := s.Load(ctx, key); return err }},
		{"Create", func(ctx context.Context) error {
			return s.Create(ctx, sessions.KeyOf(fmt.Sprint(time.Now().UnixNano())), storetest.NewRecord(time.Hour, "a", 1))
		}},
		{"Commit", func(ctx context.Context) error {
			return s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "cart", Value: "lost"}}})
		}},
		{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, key, "hits", 1000); return err }},
		{"Rename", func(ctx context.Context) error {
			return s.Rename(ctx, key, sessions.KeyOf(fmt.Sprint(time.Now().UnixNano())), time.Minute)
		}},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, st.keys[2]) }},
		{"UserSessions", func(ctx context.Context) error { _, err := s.UserSessions(ctx, st.user); return err }},
		{"DeleteUserSessions", func(ctx context.Context) error { _, err := s.DeleteUserSessions(ctx, st.user, ""); return err }},
		{"Count", func(ctx context.Context) error { _, err := s.Count(ctx); return err }},
		{"Cleanup", func(ctx context.Context) error { _, err := s.Cleanup(ctx); return err }},
	}
}

// callWhileDown makes every kind of call for d with a request deadline of
// 500ms: each must fail with sessions.ErrStoreUnavailable before its
// deadline (plus scheduling slack).
func callWhileDown(t *testing.T, s *Store, st *restartState, d time.Duration) {
	t.Helper()
	const deadline = 500 * time.Millisecond
	end := time.Now().Add(d)
	rounds := 0
	for time.Now().Before(end) || rounds == 0 {
		for _, c := range restartCalls(s, st) {
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			start := time.Now()
			err := c.call(ctx)
			took := time.Since(start)
			cancel()
			if !errors.Is(err, sessions.ErrStoreUnavailable) {
				t.Fatalf("round %d: %s while the server is down = %v; want an error wrapping sessions.ErrStoreUnavailable", rounds, c.name, err)
			}
			if took > deadline+250*time.Millisecond {
				t.Fatalf("round %d: %s while the server is down took %v; want an answer within the request deadline (%v)", rounds, c.name, took, deadline)
			}
		}
		rounds++
	}
}

// waitUntilServing polls Load until it succeeds, failing after within: the
// pool must replace its dead connections by itself.
func waitUntilServing(t *testing.T, s *Store, st *restartState, within time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, found, err := s.Load(ctx, st.keys[1])
		cancel()
		if err == nil && found {
			return
		}
		if time.Since(start) > within {
			t.Fatalf("Load %v after the server came back = found %v, %v; want the session", time.Since(start), found, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkRestartState checks every committed write, then that each kind of
// call succeeds on the same store.
func checkRestartState(t *testing.T, s *Store, st *restartState) {
	t.Helper()
	ctx := t.Context()
	for i, key := range st.keys {
		rec, found, err := s.Load(ctx, key)
		if err != nil || !found {
			t.Fatalf("Load session %d after restart = found %v, %v; want it", i, found, err)
		}
		got := map[string]any{}
		for _, f := range rec.Fields {
			got[f.Key] = f.Value
		}
		want := map[string]any{}
		for k, v := range st.values[i] {
			want[k] = v
		}
		if n, ok := want["hits"].(int64); ok {
			want["hits"] = int(n)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("session %d after restart holds %v; want the committed %v", i, got, want)
		}
		if rec.Meta != st.meta[i] {
			t.Errorf("session %d metadata after restart = %+v; want the committed %+v", i, rec.Meta, st.meta[i])
		}
	}
	for old, newKey := range st.renamed {
		actx, at := sessions.WithAliasReport(ctx)
		if _, found, err := s.Load(actx, old); err != nil || !found || at() != newKey {
			t.Errorf("Load via the rename alias after restart = found %v, %v, reported key %.8s; want the session under %.8s", found, err, at(), newKey)
		}
	}
	for _, key := range st.deleted {
		if _, found, err := s.Load(ctx, key); err != nil || found {
			t.Errorf("Load of a session deleted before the stop = found %v, %v; want not found", found, err)
		}
	}
	for key, n := range st.counter {
		got, err := s.Increment(ctx, key, "hits", 1)
		if err != nil || got != n+1 {
			t.Errorf("Increment after restart = %d, %v; want %d (the counter continues from its committed value)", got, err, n+1)
		}
	}
	if list, err := s.UserSessions(ctx, st.user); err != nil || len(list) != len(st.keys) {
		t.Errorf("UserSessions after restart = %d sessions, %v; want %d", len(list), err, len(st.keys))
	}
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
		t.Errorf("Create after restart: %v", err)
	}
	if err := s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 2}}}); err != nil {
		t.Errorf("Commit after restart: %v", err)
	}
	if err := s.Rename(ctx, key, storetest.NewKey(t), time.Minute); err != nil {
		t.Errorf("Rename after restart: %v", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("Delete after restart: %v", err)
	}
	if _, err := s.Cleanup(ctx); err != nil {
		t.Errorf("Cleanup after restart: %v", err)
	}
}

// increments is Increment traffic on one counter, kept up across a stop
// and restart of the server.
type increments struct {
	key  string
	stop chan struct{}
	done chan incrementResult
}

type incrementResult struct {
	ok, failed int64         // calls that returned the new value, and that failed
	err        error         // a failure not wrapping sessions.ErrStoreUnavailable
	slowest    time.Duration // the longest call
}

const incrementDeadline = 500 * time.Millisecond

// startIncrements starts workers goroutines incrementing a new session's
// counter, each call with a request deadline of incrementDeadline.
func startIncrements(t *testing.T, s *Store, workers int) *increments {
	t.Helper()
	in := &increments{key: storetest.NewKey(t), stop: make(chan struct{}), done: make(chan incrementResult, workers)}
	if err := s.Create(t.Context(), in.key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	for range workers {
		go func() {
			var r incrementResult
			defer func() { in.done <- r }()
			for {
				select {
				case <-in.stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), incrementDeadline)
				start := time.Now()
				_, err := s.Increment(ctx, in.key, "hits", 1)
				r.slowest = max(r.slowest, time.Since(start))
				cancel()
				switch {
				case err == nil:
					r.ok++
				case errors.Is(err, sessions.ErrStoreUnavailable):
					r.failed++
					time.Sleep(10 * time.Millisecond)
				default:
					r.err = err
					return
				}
			}
		}()
	}
	return in
}

// check stops the traffic and checks that every call answered within its
// deadline, failed only with sessions.ErrStoreUnavailable, and that the
// counter holds every increment that succeeded and none that were never
// sent: ok <= hits <= ok + failed (a failed call whose COMMIT reached the
// server just before the connection dropped may have counted).
func (in *increments) check(t *testing.T, s *Store) {
	t.Helper()
	close(in.stop)
	var total incrementResult
	for range cap(in.done) {
		r := <-in.done
		if r.err != nil {
			t.Errorf("Increment across the restart failed with %v; want only errors wrapping sessions.ErrStoreUnavailable", r.err)
		}
		total.ok += r.ok
		total.failed += r.failed
		total.slowest = max(total.slowest, r.slowest)
	}
	if total.slowest > incrementDeadline+250*time.Millisecond {
		t.Errorf("an Increment across the restart took %v; want an answer within its deadline (%v)", total.slowest, incrementDeadline)
	}
	if total.ok == 0 || total.failed == 0 {
		t.Errorf("Increment traffic: %d succeeded, %d failed; want both (traffic before, during and after the outage)", total.ok, total.failed)
	}
	rec, found, err := s.Load(t.Context(), in.key)
	if err != nil || !found {
		t.Fatalf("Load counter = %v, %v", found, err)
	}
	v, _ := rec.Lookup("hits")
	hits, _ := v.(int)
	if int64(hits) < total.ok || int64(hits) > total.ok+total.failed {
		t.Errorf("counter after the restart = %v; want between %d (increments that succeeded) and %d (plus those that failed)", v, total.ok, total.ok+total.failed)
	}
	t.Logf("increments: %d ok, %d failed, counter %d, slowest %v", total.ok, total.failed, hits, total.slowest)
}

package redis

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
)

// TestSentinelPrimaryKilled kills a Sentinel-managed primary with SIGKILL
// while requests run through a store on redis.NewFailoverClient, the way
// the package documentation says to open one, and proves:
//
//   - from the kill until Sentinel promotes the replica, every store call
//     fails, fast, with an error wrapping ErrStoreUnavailable (no panic, no
//     "not found", no success);
//   - no Load ever returns another session's data, and every write the
//     store acknowledged after the kill is on the new primary;
//   - once the replica is promoted, the same Store serves Load, Commit and
//     Create again within a few seconds, and sessions written and
//     replicated before the kill load back exactly as they were;
//   - the killed node, restarted with the data it had on disk, rejoins as a
//     replica of the new primary and takes the new primary's data: neither
//     the store nor the node itself shows its stale copies afterwards.
func TestSentinelPrimaryKilled(t *testing.T) {
	// Data nodes write every command to disk, so the killed primary comes
	// back with what it held when it died.
	d := redistest.StartSentinel(t, 1, "--appendonly", "yes", "--appendfsync", "always")
	client := failoverClient(t, d)
	s := New(client)
	ctx := t.Context()
	old := d.Primary(t)
	replica := d.Replicas(t)[0]

	// Sessions written before the kill and replicated: each is Loaded
	// back after the failover and must equal what Load returned now.
	durable := make([]string, 6)
	before := map[string]*sessions.Record{}
	for i := range durable {
		k := storetest.NewKey(t)
		durable[i] = k
		rec := storetest.NewRecord(time.Hour, "owner", k, "n", i)
		rec.User = "kill-user"
		if err := s.Create(ctx, k, rec); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, k, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 10 + i}}}); err != nil {
			t.Fatal(err)
		}
		meta := rec.Meta
		meta.LastSeen = time.Now().UnixNano()
		if err := s.Commit(ctx, k, &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaLastSeen}); err != nil {
			t.Fatal(err)
		}
		r, found, err := s.Load(ctx, k)
		if err != nil || !found {
			t.Fatalf("Load before the kill: %v, %v", found, err)
		}
		before[k] = r
	}
	// Sessions for the calls made while no primary is up.
	probes := make([]string, 8)
	for i := range probes {
		probes[i] = storetest.NewKey(t)
		if err := s.Create(ctx, probes[i], storetest.NewRecord(time.Hour, "owner", probes[i], "n", 0)); err != nil {
			t.Fatal(err)
		}
	}
	d.WaitReplicated(t, old, replica)

	var killed atomic.Bool
	workers := make([]*killWorker, 4)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		w := &killWorker{t: t, s: s, killed: &killed}
		workers[i] = w
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				w.step(ctx)
				time.Sleep(time.Millisecond)
			}
		})
	}
	stopTraffic := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopTraffic()

	time.Sleep(200 * time.Millisecond)
	old.Kill()
	killed.Store(true)
	killedAt := time.Now()

	// No primary: every call fails with ErrStoreUnavailable. A call counts
	// only if the replica still was a replica when it returned, so that no
	// node could have served it.
	ops := []struct {
		name string
		op   func(ctx context.Context) error
	}{
		{"Load", func(ctx context.Context) error {
			_, found, err := s.Load(ctx, durable[0])
			if err == nil && !found {
				return errors.New("not found, with no error")
			}
			return err
		}},
		{"values-only Commit", func(ctx context.Context) error {
			return s.Commit(ctx, probes[0], &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 1}}})
		}},
		{"Commit with deletes", func(ctx context.Context) error {
			return s.Commit(ctx, probes[1], &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 1}}, Del: []string{"owner"}})
		}},
		{"metadata Commit", func(ctx context.Context) error {
			meta := sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}
			return s.Commit(ctx, probes[2], &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaExpires})
		}},
		{"Create", func(ctx context.Context) error {
			return s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour, "n", 0))
		}},
		{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, probes[3], "n", 1); return err }},
		{"Rename", func(ctx context.Context) error { return s.Rename(ctx, probes[4], storetest.NewKey(t), time.Minute) }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, probes[5]) }},
		{"UserSessions", func(ctx context.Context) error { _, err := s.UserSessions(ctx, "kill-user"); return err }},
	}
	checked := map[string]int{}
	for passes := 0; ; passes++ {
		promoted := false
		for _, o := range ops {
			start := time.Now()
			err := guard(func() error { return o.op(ctx) })
			took := time.Since(start)
			if role(ctx, replica.Addr()) != "slave" {
				promoted = true
				break
			}
			checked[o.name]++
			if !errors.Is(err, sessions.ErrStoreUnavailable) || errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("%s with the primary dead and no replica promoted: %v, want an error wrapping only ErrStoreUnavailable", o.name, err)
			}
			if took > 2*time.Second {
				t.Errorf("%s with the primary dead took %v, want < 2s (fail fast)", o.name, took)
			}
			if passes == 0 {
				t.Logf("%-20s primary dead: %-7v %v", o.name, took.Round(time.Millisecond), err)
			}
		}
		if promoted {
			break
		}
		if time.Since(killedAt) > 20*time.Second {
			t.Fatalf("the replica %s was not promoted within 20s of the kill", replica.Addr())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, o := range ops {
		if checked[o.name] == 0 {
			t.Errorf("%s never ran while the primary was dead and the replica not yet promoted", o.name)
		}
	}
	t.Logf("replica promoted %v after the kill; calls checked meanwhile: %v", time.Since(killedAt).Round(time.Millisecond), checked)

	primary := d.WaitFailover(t, old)
	if primary != replica {
		t.Fatalf("Sentinel names %s the primary, want the replica %s", primary.Addr(), replica.Addr())
	}
	moved := time.Now()
	// The same store serves Load, Commit and Create again within 5s of
	// every sentinel naming the new primary.
	var lastErr error
	for {
		k := storetest.NewKey(t)
		lastErr = guard(func() error {
			if err := s.Create(ctx, k, storetest.NewRecord(time.Hour, "owner", k, "n", 0)); err != nil {
				return err
			}
			if err := s.Commit(ctx, k, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 1}}}); err != nil {
				return err
			}
			r, found, err := s.Load(ctx, k)
			if err == nil && (!found || !reflect.DeepEqual(r.Fields, []sessions.Field{{Key: "n", Value: 1}, {Key: "owner", Value: k}})) {
				t.Errorf("Load after the failover of a session just created and committed: found %v, fields %+v", found, r)
			}
			return err
		})
		if lastErr == nil {
			break
		}
		if !errors.Is(lastErr, sessions.ErrStoreUnavailable) {
			t.Errorf("after the failover: %v, want nil or an error wrapping ErrStoreUnavailable", lastErr)
		}
		if time.Since(moved) > 5*time.Second {
			t.Fatalf("the store did not serve Create, Commit and Load within 5s of the failover: %v", lastErr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("store serves the new primary %v after the sentinels named it", time.Since(moved).Round(time.Millisecond))
	time.Sleep(100 * time.Millisecond) // some traffic on the new primary too
	stopTraffic()

	// Acknowledged and replicated before the kill: intact.
	for _, k := range durable {
		r, found, err := s.Load(ctx, k)
		if err != nil || !found {
			t.Fatalf("Load after the failover of a session replicated before the kill: %v, %v", found, err)
		}
		if !reflect.DeepEqual(r, before[k]) {
			t.Errorf("session %s after the failover:\n got %+v\nwant %+v", short(k), r, before[k])
		}
	}
	lost, kept := 0, 0
	for _, w := range workers {
		l, k := w.check(ctx)
		lost, kept = lost+l, kept+k
	}
	t.Logf("traffic: %d sessions checked on the new primary, %d written only before the kill and lost", kept, lost)

	// Change the durable sessions on the new primary: the killed node's
	// disk still holds the old versions.
	for i, k := range durable {
		if i == 0 {
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := s.Commit(ctx, k, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 100 + i}}}); err != nil {
			t.Fatal(err)
		}
	}
	after := map[string]*sessions.Record{}
	for _, k := range durable[1:] {
		r, _, err := s.Load(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		after[k] = r
	}

	// The killed node comes back with its stale data. Until and after it
	// is a replica, the store reads the new primary's versions only.
	checkNew := func() {
		t.Helper()
		for i, k := range durable {
			r, found, err := s.Load(ctx, k)
			switch {
			case err != nil:
				t.Errorf("Load while the killed node rejoins: %v", err)
			case i == 0 && found:
				t.Errorf("a session deleted on the new primary is back while the killed node rejoins: %+v", r)
			case i > 0 && !reflect.DeepEqual(r, after[k]):
				t.Errorf("session %s while the killed node rejoins:\n got %+v\nwant %+v", short(k), r, after[k])
			}
		}
	}
	old.Restart()
	restarted := time.Now()
	// While it still claims the primary role (Sentinel waits a moment
	// before it demotes it), the node holds the session deleted since:
	// without that, what follows would prove nothing.
	stale := redis.NewClient(&redis.Options{Addr: old.Addr()})
	n, err := stale.Exists(ctx, s.hashKey(durable[0])).Result()
	if r := role(ctx, old.Addr()); r == "master" && (err != nil || n != 1) {
		t.Fatalf("the restarted node came back without its data (EXISTS: %d, %v)", n, err)
	} else if r != "master" {
		t.Logf("the restarted node was a replica already (%q) before its stale data could be seen", r)
	}
	stale.Close()
	rejoined := make(chan struct{})
	var checker sync.WaitGroup
	checker.Go(func() {
		for {
			checkNew()
			select {
			case <-rejoined:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	d.WaitReplicated(t, primary, old)
	close(rejoined)
	checker.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("the killed node rejoined as a replica %v after its restart", time.Since(restarted).Round(time.Millisecond))
	if r := role(ctx, primary.Addr()); r != "master" {
		t.Fatalf("the new primary %s reports role %q after the old one rejoined", primary.Addr(), r)
	}
	checkNew()

	// The rejoined node holds exactly the new primary's keys and values.
	want, got := dump(ctx, t, primary.Addr()), dump(ctx, t, old.Addr())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the rejoined node's data differs from the new primary's:\n got %d keys %v\nwant %d keys %v", len(got), got, len(want), want)
	}
	if _, ok := got[s.hashKey(durable[0])]; ok {
		t.Errorf("the rejoined node still holds the session deleted on the new primary")
	}
	t.Logf("%d keys identical on both nodes", len(got))
}

// killWorker runs sessions of its own through the store while the primary
// is killed: Create, then values-only Commits of an increasing n and Loads,
// and remembers what the store acknowledged.
type killWorker struct {
	t      *testing.T
	s      *Store
	killed *atomic.Bool

	cur  *killSession
	done []*killSession
}

type killSession struct {
	key   string
	tried int  // the largest n sent
	after int  // the largest n acknowledged by a call that started after the kill, -1 for none
	lost  bool // gone (ErrNotFound) before any call after the kill was acknowledged
}

func (w *killWorker) step(ctx context.Context) {
	t := w.t
	if w.cur == nil {
		k := &killSession{key: storetest.NewKey(t), after: -1}
		afterKill := w.killed.Load()
		err := guard(func() error { return w.s.Create(ctx, k.key, storetest.NewRecord(time.Hour, "owner", k.key, "n", 0)) })
		if errors.Is(err, sessions.ErrExists) {
			// A Create whose reply was lost and that go-redis sent again
			// (see the package documentation): the record is there, but
			// this worker cannot tell which attempt made it.
			return
		}
		if !w.expectErr("Create", err) {
			return
		}
		if afterKill {
			k.after = 0
		}
		w.cur = k
		return
	}
	k := w.cur
	r, found, err := guardLoad(func() (*sessions.Record, bool, error) { return w.s.Load(ctx, k.key) })
	if w.expectErr("Load", err) {
		if !found {
			w.gone(k, "Load")
			return
		}
		w.checkRecord("Load", k, r)
	}
	k.tried++
	n := k.tried
	afterKill := w.killed.Load()
	err = guard(func() error {
		return w.s.Commit(ctx, k.key, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: n}}})
	})
	if errors.Is(err, sessions.ErrNotFound) {
		w.gone(k, "Commit")
		return
	}
	if w.expectErr("Commit", err) && afterKill {
		k.after = n
	}
	if k.tried >= 20 {
		w.done, w.cur = append(w.done, k), nil
	}
}

// gone records that k's record has disappeared, which is allowed only if
// no call started after the kill was acknowledged on it: the killed
// primary may have acknowledged its earlier writes without replicating
// them.
func (w *killWorker) gone(k *killSession, op string) {
	if k.after >= 0 {
		w.t.Errorf("%s of session %s: not found, but a write the store acknowledged after the kill (n=%d) should be on the new primary", op, short(k.key), k.after)
	}
	k.lost = true
	w.done, w.cur = append(w.done, k), nil
}

// checkRecord checks a record Load returned for k: its own, and holding
// an n the worker sent and no older than what was acknowledged after the
// kill.
func (w *killWorker) checkRecord(op string, k *killSession, r *sessions.Record) {
	owner, _ := r.Lookup("owner")
	if owner != k.key {
		w.t.Errorf("%s of session %s returned the record of %v: %+v", op, short(k.key), owner, r)
		return
	}
	v, _ := r.Lookup("n")
	n, ok := v.(int)
	if !ok || n > k.tried || n < k.after {
		w.t.Errorf("%s of session %s: n = %v, want one sent (<= %d) and at least %d, acknowledged after the kill", op, short(k.key), v, k.tried, k.after)
	}
}

// expectErr reports whether err is nil, and fails the test unless it wraps
// ErrStoreUnavailable and no other kind.
func (w *killWorker) expectErr(op string, err error) bool {
	w.t.Helper()
	if err == nil {
		return true
	}
	if !errors.Is(err, sessions.ErrStoreUnavailable) || errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrCorrupt) {
		w.t.Errorf("%s while the primary was killed: %v, want an error wrapping only ErrStoreUnavailable", op, err)
	}
	return false
}

// check Loads every session the worker wrote once traffic has stopped and
// returns how many were lost with the killed primary and how many are on
// the new primary.
func (w *killWorker) check(ctx context.Context) (lost, kept int) {
	all := w.done
	if w.cur != nil {
		all = append(all, w.cur)
	}
	for _, k := range all {
		r, found, err := w.s.Load(ctx, k.key)
		switch {
		case err != nil:
			w.t.Errorf("final Load of %s: %v", short(k.key), err)
		case !found && (k.lost || k.after < 0):
			lost++
		case !found:
			w.t.Errorf("final Load of %s: not found, but a write the store acknowledged after the kill (n=%d) should be on the new primary", short(k.key), k.after)
		default:
			kept++
			w.checkRecord("final Load", k, r)
		}
	}
	return lost, kept
}

// guard runs f and turns a panic into an error that wraps no sentinel,
// so that the caller's check fails with the panic's value.
func guard(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return f()
}

func guardLoad(f func() (*sessions.Record, bool, error)) (r *sessions.Record, found bool, err error) {
	err = guard(func() error {
		var err error
		r, found, err = f()
		return err
	})
	return r, found, err
}

// role returns what ROLE reports first on the node at addr ("master",
// "slave"), or "" if it does not answer.
func role(ctx context.Context, addr string) string {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	v, err := c.Do(ctx, "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return ""
	}
	r, _ := v[0].(string)
	return r
}

// dump returns every key on the node at addr with a rendering of its
// value: the fields of a hash, the members and scores of a sorted set.
func dump(ctx context.Context, t *testing.T, addr string) map[string]string {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatalf("KEYS on %s: %v", addr, err)
	}
	out := map[string]string{}
	for _, k := range keys {
		switch typ := c.Type(ctx, k).Val(); typ {
		case "hash":
			h := c.HGetAll(ctx, k).Val()
			fields := make([]string, 0, len(h))
			for f, v := range h {
				fields = append(fields, f+"="+v)
			}
			slices.Sort(fields)
			out[k] = fmt.Sprint(fields)
		case "zset":
			out[k] = fmt.Sprint(c.ZRangeWithScores(ctx, k, 0, -1).Val())
		default:
			out[k] = typ
		}
	}
	return out
}

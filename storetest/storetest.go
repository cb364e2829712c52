// Package storetest is the conformance suite for sessions.Store
// implementations. Every store in this repository runs it against a real
// backend, and third-party stores can run it the same way:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Harness{
//			New: func(t *testing.T) sessions.Store { return newStoreForTest(t) },
//		})
//	}
//
// A store with a background cleaner should also run the suite with the
// cleaner running every few milliseconds: at its usual interval no cleanup
// falls within the suite, and one that removed a live record or grace
// alias would pass unseen. The memory, bbolt and PostgreSQL stores run it
// both ways (their TestConformanceSweeping).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// Harness tells Run how to get a store and what it cannot do.
type Harness struct {
	// New returns an empty store (or one whose other keys do not matter).
	// Register cleanup with t.Cleanup.
	New func(t *testing.T) sessions.Store

	// Corrupt overwrites the backend's copy of the record under key with
	// undecodable bytes (a truncated value, an unknown format version). When
	// nil, the corrupt-record test is skipped with a note; a store that keeps
	// Go values has nothing to corrupt.
	Corrupt func(t *testing.T, s sessions.Store, key string)

	// Skip names subtests that do not apply to the store, each with the
	// reason, which is logged.
	Skip map[string]string
}

// Run runs every conformance test against h.
func Run(t *testing.T, h Harness) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"LoadMissing", testLoadMissing},
		{"CreateLoad", testCreateLoad},
		{"CreateExisting", testCreateExisting},
		{"ValueTypes", testValueTypes},
		{"ValueNames", testValueNames},
		{"InvalidUTF8Values", testInvalidUTF8Values},
		{"CommitDelta", testCommitDelta},
		{"CommitClear", testCommitClear},
		{"CallerKeepsArguments", testCallerKeepsArguments},
		{"LoadedRecordUnchanged", testLoadedRecordUnchanged},
		{"CommitMissingNeverCreates", testCommitMissing},
		{"ConcurrentCommits", testConcurrentCommits},
		{"MetaFields", testMetaFields},
		{"Increment", testIncrement},
		{"ConcurrentIncrements", testConcurrentIncrements},
		{"IncrementRounds", testIncrementRounds},
		{"IncrementIntRange", testIncrementIntRange},
		{"Expiry", testExpiry},
		{"ExpiredOnWrite", testExpiredOnWrite},
		{"ExpiredOnEveryWrite", testExpiredOnEveryWrite},
		{"Delete", testDelete},
		{"Rename", testRename},
		{"RenameAnswers", testRenameAnswers},
		{"RenameGrace", testRenameGrace},
		{"RenameGraceOutlivesRecord", testRenameGraceOutlivesRecord},
		{"RenameGraceLasts", testRenameGraceLasts},
		{"ReportAlias", testReportAlias},
		{"RenameCommit", testRenameCommit},
		{"CommitRacingRename", testCommitRacingRename},
		{"UserIndex", testUserIndex},
		{"UserSessionsInfo", testUserSessionsInfo},
		{"UserSessionsOrder", testUserSessionsOrder},
		{"UserIndexThroughAlias", testUserIndexThroughAlias},
		{"AnonymousNotIndexed", testAnonymousNotIndexed},
		{"DeleteUserSessionsAll", testDeleteUserSessionsAll},
		{"DeleteUserSessionsSparesReassigned", testDeleteUserSessionsSparesReassigned},
		{"DeleteUserSessionsKeepsExcepted", testDeleteUserSessionsKeepsExcepted},
		{"UserIndexMetaFields", testUserIndexMetaFields},
		{"Count", testCount},
		{"CorruptRecord", testCorrupt},
		{"ContextCanceled", testContextCanceled},
		{"UserIndexContextCanceled", testUserIndexContextCanceled},
		{"KeysAreOpaque", testKeysAreOpaque},
		{"RandomOps", testRandomOps},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if why, ok := h.Skip[tc.name]; ok {
				t.Skipf("not applicable to this store: %s", why)
			}
			tc.fn(t, h)
		})
	}
}

// NewKey returns the store key of a fresh random session ID.
func NewKey(t *testing.T) string {
	t.Helper()
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return sessions.KeyOf(base64.RawURLEncoding.EncodeToString(b[:]))
}

// NewRecord returns a record that lives for ttl from now, with the given
// fields (key, value, key, value, ...).
func NewRecord(ttl time.Duration, kv ...any) *sessions.Record {
	now := time.Now()
	r := &sessions.Record{Meta: sessions.Meta{
		Created:  now.UnixNano(),
		Renewed:  now.UnixNano(),
		LastSeen: now.UnixNano(),
		Expires:  now.Add(ttl).UnixNano(),
	}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.SetField(kv[i].(string), kv[i+1])
	}
	return r
}

func ctx(t *testing.T) context.Context { return t.Context() }

func mustCreate(t *testing.T, s sessions.Store, key string, r *sessions.Record) {
	t.Helper()
	if err := s.Create(ctx(t), key, r); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

func mustLoad(t *testing.T, s sessions.Store, key string) *sessions.Record {
	t.Helper()
	r, found, err := s.Load(ctx(t), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !found {
		t.Fatalf("Load(%s…): not found, want found", key[:8])
	}
	return r
}

func mustMiss(t *testing.T, s sessions.Store, key string) {
	t.Helper()
	r, found, err := s.Load(ctx(t), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if found {
		t.Fatalf("Load(%s…): found %+v, want not found", key[:8], r)
	}
}

func values(r *sessions.Record) map[string]any {
	m := make(map[string]any, len(r.Fields))
	for _, f := range r.Fields {
		m[f.Key] = f.Value
	}
	return m
}

func testLoadMissing(t *testing.T, h Harness) {
	s := h.New(t)
	mustMiss(t, s, NewKey(t))
}

func testCreateLoad(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	in := NewRecord(time.Hour, "name", "kataras", "n", 7)
	in.User = "alice"
	in.UserAgent = "curl/8"
	in.CSRF = "secret"
	in.Bind = "bind"
	in.AuthTime = in.Created - 5
	mustCreate(t, s, key, in)
	out := mustLoad(t, s, key)
	if out.Meta != in.Meta {
		t.Errorf("meta round trip:\n got %+v\nwant %+v", out.Meta, in.Meta)
	}
	if got, want := values(out), values(in); !reflect.DeepEqual(got, want) {
		t.Errorf("values round trip: got %v, want %v", got, want)
	}
	if !sort.SliceIsSorted(out.Fields, func(i, j int) bool { return out.Fields[i].Key < out.Fields[j].Key }) {
		t.Errorf("Fields not sorted by key: %v", out.Fields)
	}
}

func testCreateExisting(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "owner", "first"))
	err := s.Create(ctx(t), key, NewRecord(time.Hour, "owner", "second"))
	if !errors.Is(err, sessions.ErrExists) {
		t.Fatalf("second Create on one key: err = %v, want ErrExists", err)
	}
	if got := values(mustLoad(t, s, key))["owner"]; got != "first" {
		t.Fatalf("after colliding Create, owner = %v, want first (insert-if-absent)", got)
	}
}

type point struct {
	X, Y int
	Tag  string
}

func testValueTypes(t *testing.T, h Harness) {
	s := h.New(t)
	when := time.Date(2026, 11, 26, 5, 0, 0, 123456789, time.UTC)
	cases := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"string", "kataras"},
		{"empty string", ""},
		{"unicode string", "héllo, 世界"},
		{"int", 42},
		{"negative int", -7},
		{"int8", int8(-8)},
		{"int16", int16(1600)},
		{"int32", int32(-32000)},
		{"int64", int64(1) << 62},
		{"uint", uint(7)},
		{"uint8", uint8(255)},
		{"uint16", uint16(65535)},
		{"uint32", uint32(1) << 31},
		{"uint64", uint64(1) << 63},
		{"float64", 3.25},
		{"float32", float32(1.5)},
		{"bool true", true},
		{"bool false", false},
		{"bytes", []byte{0, 1, 2, 255}},
		{"time", when},
		{"duration", 90 * time.Second},
		{"strings", []string{"a", "", "c"}},
		{"list", []any{"a", 1, true, []any{2.5}}},
		{"map", map[string]any{"k": "v", "n": 3, "nested": map[string]any{"b": false}}},
	}
	key := NewKey(t)
	rec := NewRecord(time.Hour)
	for _, c := range cases {
		rec.SetField(c.name, c.v)
	}
	rec.SetField("struct", point{1, 2, "p"})
	mustCreate(t, s, key, rec)
	got := values(mustLoad(t, s, key))
	for _, c := range cases {
		v, ok := got[c.name]
		if !ok {
			t.Errorf("%s: missing after round trip", c.name)
			continue
		}
		if tm, ok := c.v.(time.Time); ok {
			if g, _ := v.(time.Time); !g.Equal(tm) {
				t.Errorf("%s: got %v, want %v", c.name, v, tm)
			}
			continue
		}
		if !reflect.DeepEqual(v, c.v) {
			t.Errorf("%s: got %#v (%T), want %#v (%T)", c.name, v, v, c.v, c.v)
		}
	}
	if p, ok := sessions.As[point](got["struct"]); !ok || p != (point{1, 2, "p"}) {
		t.Errorf("struct: got %#v, want point{1, 2, p} through sessions.As", got["struct"])
	}
}

// testValueNames writes values under names a store might mistake for its
// own syntax or fail to keep: each write must either be refused with an
// error wrapping sessions.ErrUnsupportedValue, leaving the session as it
// was, or store the value so that it loads back under the same name. A
// write that succeeds and leaves a session that no longer loads would log
// its user out.
func testValueNames(t *testing.T, h Harness) {
	s := h.New(t)
	for _, name := range []string{
		"", " ", "a b", "a:b", "v:x", "m:v", "m:u", "{x}", "%s", `a\x00b`, "a\x00b",
		"\xff", "lang\xff", "\xed\xa0\x80", "héllo", strings.Repeat("k", 1000),
	} {
		for _, via := range []string{"Create", "Commit"} {
			key := NewKey(t)
			var err error
			if via == "Create" {
				err = s.Create(ctx(t), key, NewRecord(time.Hour, "keep", 1, name, "v"))
			} else {
				mustCreate(t, s, key, NewRecord(time.Hour, "keep", 1))
				err = s.Commit(ctx(t), key, &sessions.Delta{Set: []sessions.Field{{Key: name, Value: "v"}}})
			}
			if err != nil {
				if !errors.Is(err, sessions.ErrUnsupportedValue) {
					t.Errorf("%s with a value named %q: %v, want nil or ErrUnsupportedValue", via, name, err)
				}
				if via == "Commit" {
					if got := values(mustLoad(t, s, key)); !reflect.DeepEqual(got, map[string]any{"keep": 1}) {
						t.Errorf("after a refused Commit of a value named %q: %v, want keep=1 only", name, got)
					}
				}
				continue
			}
			rec, found, err := s.Load(ctx(t), key)
			if err != nil || !found {
				t.Errorf("%s with a value named %q succeeded, then Load: found %v, %v", via, name, found, err)
				continue
			}
			if got := values(rec); got[name] != "v" || got["keep"] != 1 || len(got) != 2 {
				t.Errorf("%s with a value named %q: loaded %q, want keep=1 and the value", via, name, got)
			}
		}
	}
}

// textDoc is a value a remote store encodes as JSON.
type textDoc struct {
	Name string
	Tags map[string]string
}

// testInvalidUTF8Values stores values holding strings that are not UTF-8.
// Strings, byte slices, []string and map[string]any load back with the
// same bytes. A value a store would change on the way (encoding/json
// writes U+FFFD for bad bytes) must be refused with an error wrapping
// sessions.ErrUnsupportedValue, leaving the session as it was, or load
// back equal.
func testInvalidUTF8Values(t *testing.T, h Harness) {
	s := h.New(t)
	kept := []struct {
		name string
		v    any
	}{
		{"string", "a\xffb"},
		{"bytes", []byte("a\xffb")},
		{"strings", []string{"ok", "\xc3"}},
		{"map", map[string]any{"\xfe": "\x80", "k": []any{"\xff"}}},
	}
	key := NewKey(t)
	rec := NewRecord(time.Hour)
	for _, c := range kept {
		rec.SetField(c.name, c.v)
	}
	mustCreate(t, s, key, rec)
	got := values(mustLoad(t, s, key))
	for _, c := range kept {
		if !reflect.DeepEqual(got[c.name], c.v) {
			t.Errorf("%s: got %#v, want %#v", c.name, got[c.name], c.v)
		}
	}
	for _, c := range []struct {
		name string
		v    any
		as   func(any) (any, bool)
	}{
		{"struct", textDoc{Name: "a\xffb"}, func(v any) (any, bool) { return sessions.As[textDoc](v) }},
		{"map[string]string", map[string]string{"\xff": "v"}, func(v any) (any, bool) { return sessions.As[map[string]string](v) }},
		{"structs", []textDoc{{Name: "ok"}, {Tags: map[string]string{"k": "\xe2\x82"}}}, func(v any) (any, bool) { return sessions.As[[]textDoc](v) }},
	} {
		for _, via := range []string{"Create", "Commit"} {
			key := NewKey(t)
			var err error
			if via == "Create" {
				err = s.Create(ctx(t), key, NewRecord(time.Hour, "keep", 1, "v", c.v))
			} else {
				mustCreate(t, s, key, NewRecord(time.Hour, "keep", 1))
				err = s.Commit(ctx(t), key, &sessions.Delta{Set: []sessions.Field{{Key: "v", Value: c.v}}})
			}
			if err != nil {
				if !errors.Is(err, sessions.ErrUnsupportedValue) {
					t.Errorf("%s of a %s: %v, want nil or ErrUnsupportedValue", via, c.name, err)
				}
				if via == "Commit" {
					if got := values(mustLoad(t, s, key)); !reflect.DeepEqual(got, map[string]any{"keep": 1}) {
						t.Errorf("after a refused Commit of a %s: %v, want keep=1 only", c.name, got)
					}
				}
				continue
			}
			v, ok := c.as(values(mustLoad(t, s, key))["v"])
			if !ok || !reflect.DeepEqual(v, c.v) {
				t.Errorf("%s of a %s succeeded, and it loads back as %#v, want %#v", via, c.name, v, c.v)
			}
		}
	}
}

func testCommitDelta(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "keep", "k", "change", 1, "drop", "d"))
	d := &sessions.Delta{
		Set: []sessions.Field{{Key: "add", Value: "a"}, {Key: "change", Value: 2}},
		Del: []string{"drop", "never-there"},
	}
	if err := s.Commit(ctx(t), key, d); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	got := values(mustLoad(t, s, key))
	want := map[string]any{"keep": "k", "change": 2, "add": "a"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after delta: got %v, want %v", got, want)
	}

	// Metadata moves only when the delta carries it.
	before := mustLoad(t, s, key).Meta
	meta := before
	meta.User = "bob"
	meta.LastSeen++
	meta.Expires = time.Now().Add(2 * time.Hour).UnixNano()
	if err := s.Commit(ctx(t), key, &sessions.Delta{Meta: &meta}); err != nil {
		t.Fatalf("Commit meta: %v", err)
	}
	if got := mustLoad(t, s, key).Meta; got != meta {
		t.Fatalf("meta after commit: got %+v, want %+v", got, meta)
	}
}

func testCommitClear(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "a", 1, "b", 2))
	d := &sessions.Delta{Clear: true, Set: []sessions.Field{{Key: "c", Value: 3}}}
	if err := s.Commit(ctx(t), key, d); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got, want := values(mustLoad(t, s, key)), map[string]any{"c": 3}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after clear: got %v, want %v", got, want)
	}
}

func testCommitMissing(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	meta := NewRecord(time.Hour).Meta
	d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}, Meta: &meta}
	if err := s.Commit(ctx(t), key, d); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Commit on absent key: err = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, key)

	// A destroyed session is not brought back by a late commit.
	mustCreate(t, s, key, NewRecord(time.Hour, "x", 0))
	if err := s.Delete(ctx(t), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Commit(ctx(t), key, d); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Commit after Delete: err = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, key)
	if _, err := s.Increment(ctx(t), key, "n", 1); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Increment after Delete: err = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, key)
}

func testConcurrentCommits(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour))
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &sessions.Delta{Set: []sessions.Field{{Key: fmt.Sprintf("k%02d", i), Value: i}}}
			errs <- s.Commit(ctx(t), key, d)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Commit: %v", err)
		}
	}
	got := values(mustLoad(t, s, key))
	if len(got) != n {
		t.Fatalf("after %d concurrent commits of distinct keys: %d keys survive, want %d", n, len(got), n)
	}
	for i := range n {
		if v := got[fmt.Sprintf("k%02d", i)]; v != i {
			t.Errorf("k%02d = %v, want %d", i, v, i)
		}
	}
}

// testMetaFields checks that a commit writes only the metadata fields its
// Delta.MetaFields names: two requests that loaded the same record, one
// minting the CSRF secret and one recording activity, must both survive,
// in either order and at the same time. Each delta carries the whole Meta
// as its request saw it, so a store writing more than the named fields
// puts a stale value back.
func testMetaFields(t *testing.T, h Harness) {
	s := h.New(t)
	now := time.Now()
	newBase := func(t *testing.T) (string, sessions.Meta) {
		key := NewKey(t)
		rec := NewRecord(time.Hour, "v", 1)
		rec.User, rec.UserAgent, rec.AuthTime = "alice", "agent/1", rec.Created
		mustCreate(t, s, key, rec)
		return key, mustLoad(t, s, key).Meta
	}
	mint := func(base sessions.Meta) *sessions.Delta {
		m := base
		m.CSRF = "secret-1"
		m.LastSeen, m.Expires = 1, now.Add(time.Minute).UnixNano() // stale, must not be written
		return &sessions.Delta{Meta: &m, MetaFields: sessions.MetaCSRF}
	}
	touch := func(base sessions.Meta) *sessions.Delta {
		m := base
		m.LastSeen, m.Expires = now.Add(time.Minute).UnixNano(), now.Add(2*time.Hour).UnixNano()
		m.User, m.CSRF = "", "stale" // must not be written
		return &sessions.Delta{Meta: &m, MetaFields: sessions.MetaLastSeen | sessions.MetaExpires}
	}
	want := func(base sessions.Meta) sessions.Meta {
		w := base
		w.CSRF = "secret-1"
		w.LastSeen, w.Expires = now.Add(time.Minute).UnixNano(), now.Add(2*time.Hour).UnixNano()
		return w
	}
	commit := func(t *testing.T, key string, d *sessions.Delta) {
		t.Helper()
		if err := s.Commit(ctx(t), key, d); err != nil {
			t.Errorf("Commit(MetaFields %b): %v", d.MetaFields, err)
		}
	}

	for _, order := range []string{"mint, touch", "touch, mint"} {
		key, base := newBase(t)
		first, second := mint(base), touch(base)
		if order == "touch, mint" {
			first, second = second, first
		}
		commit(t, key, first)
		commit(t, key, second)
		if got, w := mustLoad(t, s, key).Meta, want(base); got != w {
			t.Errorf("%s: meta\n got %+v\nwant %+v", order, got, w)
		}
	}

	for round := range 10 {
		key, base := newBase(t)
		var wg sync.WaitGroup
		for _, d := range []*sessions.Delta{mint(base), touch(base)} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				commit(t, key, d)
			}()
		}
		wg.Wait()
		if got, w := mustLoad(t, s, key).Meta, want(base); got != w {
			t.Fatalf("concurrent round %d: meta\n got %+v\nwant %+v", round, got, w)
		}
	}

	// Without MetaFields the whole Meta is written.
	key, base := newBase(t)
	all := base
	all.CSRF, all.UserAgent, all.AuthTime = "", "", 0
	all.LastSeen, all.Expires = now.Add(time.Minute).UnixNano(), now.Add(2*time.Hour).UnixNano()
	commit(t, key, &sessions.Delta{Meta: &all})
	if got := mustLoad(t, s, key).Meta; got != all {
		t.Errorf("MetaFields 0 (all): meta\n got %+v\nwant %+v", got, all)
	}
}

func testIncrement(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "start", 10, "name", "x"))
	for _, c := range []struct {
		field string
		by    int64
		want  int64
	}{
		{"fresh", 1, 1},
		{"fresh", 1, 2},
		{"start", 5, 15},
		{"start", -20, -5},
	} {
		got, err := s.Increment(ctx(t), key, c.field, c.by)
		if err != nil || got != c.want {
			t.Fatalf("Increment(%s, %d) = %d, %v; want %d", c.field, c.by, got, err, c.want)
		}
	}
	if n, err := s.Increment(ctx(t), key, "name", 1); !errors.Is(err, sessions.ErrNotInteger) || n != 0 {
		t.Fatalf("Increment of a string = %d, %v; want 0, ErrNotInteger", n, err)
	}
	if n, err := s.Increment(ctx(t), NewKey(t), "n", 1); !errors.Is(err, sessions.ErrNotFound) || n != 0 {
		t.Fatalf("Increment on absent record = %d, %v; want 0, ErrNotFound", n, err)
	}
	// Only a Go int counts (what Session.Increment stores); a counter
	// never wraps around.
	other := NewKey(t)
	mustCreate(t, s, other, NewRecord(time.Hour, "i64", int64(3), "f", float64(3), "max", math.MaxInt))
	for _, c := range []struct {
		field string
		by    int64
	}{{"i64", 1}, {"f", 1}, {"max", 1}} {
		if n, err := s.Increment(ctx(t), other, c.field, c.by); !errors.Is(err, sessions.ErrNotInteger) || n != 0 {
			t.Fatalf("Increment(%s, %d) = %d, %v; want 0, ErrNotInteger", c.field, c.by, n, err)
		}
	}
	if got := values(mustLoad(t, s, other)); got["max"] != math.MaxInt {
		t.Fatalf("max after a refused Increment = %#v, want it unchanged", got["max"])
	}
	got := values(mustLoad(t, s, key))
	if n, ok := sessions.As[int64](got["start"]); !ok || n != -5 {
		t.Fatalf("start after increments = %#v, want -5", got["start"])
	}
	if got["name"] != "x" {
		t.Fatalf("failed increment changed name to %#v", got["name"])
	}
}

func testConcurrentIncrements(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour))
	const n = 50
	var wg sync.WaitGroup
	seen := make(chan int64, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := s.Increment(ctx(t), key, "hits", 1)
			if err != nil {
				t.Errorf("Increment: %v", err)
			}
			seen <- v
		}()
	}
	wg.Wait()
	close(seen)
	distinct := map[int64]bool{}
	for v := range seen {
		distinct[v] = true
	}
	if len(distinct) != n {
		t.Errorf("%d concurrent increments returned %d distinct values, want %d", n, len(distinct), n)
	}
	if v, _ := sessions.As[int64](values(mustLoad(t, s, key))["hits"]); v != n {
		t.Fatalf("hits = %d after %d concurrent increments, want %d", v, n, n)
	}
}

func testExpiry(t *testing.T, h Harness) {
	s := h.New(t)
	// Already expired when written: never served (a backend purge is not relied on).
	old := NewKey(t)
	rec := NewRecord(time.Hour, "x", 1)
	rec.Expires = time.Now().Add(-time.Second).UnixNano()
	if err := s.Create(ctx(t), old, rec); err != nil && !errors.Is(err, sessions.ErrExists) {
		t.Fatalf("Create expired: %v", err)
	}
	mustMiss(t, s, old)

	// Expires while stored.
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(1200*time.Millisecond, "x", 1))
	mustLoad(t, s, key)
	time.Sleep(1500 * time.Millisecond)
	mustMiss(t, s, key)
	if err := s.Create(ctx(t), key, NewRecord(time.Hour, "x", 2)); err != nil {
		t.Fatalf("Create over an expired key: %v (an expired record must not block the key)", err)
	}

	// A commit carrying a later Expires extends the record's life.
	ext := NewKey(t)
	mustCreate(t, s, ext, NewRecord(1200*time.Millisecond))
	meta := mustLoad(t, s, ext).Meta
	meta.Expires = time.Now().Add(time.Hour).UnixNano()
	if err := s.Commit(ctx(t), ext, &sessions.Delta{Meta: &meta}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	time.Sleep(1500 * time.Millisecond)
	mustLoad(t, s, ext)
}

func testExpiredOnWrite(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(1200*time.Millisecond, "x", 1))
	time.Sleep(1500 * time.Millisecond)
	d := &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: 2}}}
	if err := s.Commit(ctx(t), key, d); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Commit to an expired record: err = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, key)
}

func testDelete(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "x", 1))
	if err := s.Delete(ctx(t), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustMiss(t, s, key)
	if err := s.Delete(ctx(t), key); err != nil {
		t.Fatalf("Delete of an absent key: %v, want nil", err)
	}
}

func testRename(t *testing.T, h Harness) {
	s := h.New(t)
	oldKey, newKey := NewKey(t), NewKey(t)
	mustCreate(t, s, oldKey, NewRecord(time.Hour, "cart", "3 items"))
	if err := s.Rename(ctx(t), oldKey, newKey, 0); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	mustMiss(t, s, oldKey)
	if got := values(mustLoad(t, s, newKey))["cart"]; got != "3 items" {
		t.Fatalf("cart after rename = %v, want 3 items", got)
	}
	d := &sessions.Delta{Set: []sessions.Field{{Key: "late", Value: 1}}}
	if err := s.Commit(ctx(t), oldKey, d); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Commit to the old key after rename: %v, want ErrNotFound", err)
	}
	if err := s.Rename(ctx(t), oldKey, NewKey(t), 0); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Rename of an absent key: %v, want ErrNotFound", err)
	}
	taken := NewKey(t)
	mustCreate(t, s, taken, NewRecord(time.Hour, "owner", "other"))
	if err := s.Rename(ctx(t), newKey, taken, 0); !errors.Is(err, sessions.ErrExists) {
		t.Fatalf("Rename onto a taken key: %v, want ErrExists", err)
	}
	if got := values(mustLoad(t, s, taken))["owner"]; got != "other" {
		t.Fatalf("Rename overwrote another session: owner = %v", got)
	}
	mustLoad(t, s, newKey)
}

// testReportAlias checks what a store's Load reports through
// sessions.ReportAlias: nothing for a record under its own key, the new key
// for a Rename's grace alias. Reporting is optional: a store that reports
// nothing for the alias is skipped with a note.
func testReportAlias(t *testing.T, h Harness) {
	s := h.New(t)
	load := func(t *testing.T, key string) (*sessions.Record, string) {
		t.Helper()
		lctx, reported := sessions.WithAliasReport(ctx(t))
		rec, found, err := s.Load(lctx, key)
		if err != nil || !found {
			t.Fatalf("Load(%s…): found %v, err %v", key[:8], found, err)
		}
		return rec, reported()
	}
	oldKey, newKey := NewKey(t), NewKey(t)
	mustCreate(t, s, oldKey, NewRecord(time.Hour, "a", 1))
	if _, at := load(t, oldKey); at != "" {
		t.Errorf("Load of a record under its own key reported an alias to %q", at)
	}
	if err := s.Rename(ctx(t), oldKey, newKey, time.Minute); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if _, at := load(t, newKey); at != "" {
		t.Errorf("Load of the renamed record under its new key reported an alias to %q", at)
	}
	rec, at := load(t, oldKey)
	if got := values(rec)["a"]; got != 1 {
		t.Errorf("Load(old key) within the grace: a = %v, want 1", got)
	}
	switch at {
	case newKey:
	case "":
		t.Skip("the store's Load does not report grace aliases with sessions.ReportAlias (optional)")
	default:
		t.Errorf("Load(old key) within the grace reported %q, want the new key %q", at, newKey)
	}
}

func testRenameGrace(t *testing.T, h Harness) {
	s := h.New(t)
	oldKey, newKey := NewKey(t), NewKey(t)
	mustCreate(t, s, oldKey, NewRecord(time.Hour, "a", 1))
	if err := s.Rename(ctx(t), oldKey, newKey, 1200*time.Millisecond); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	// During the grace the old key reaches the renamed record, for reads and writes.
	if got := values(mustLoad(t, s, oldKey))["a"]; got != 1 {
		t.Fatalf("old key during grace: a = %v, want 1", got)
	}
	d := &sessions.Delta{Set: []sessions.Field{{Key: "b", Value: 2}}}
	if err := s.Commit(ctx(t), oldKey, d); err != nil {
		t.Fatalf("Commit through the old key during grace: %v", err)
	}
	if _, err := s.Increment(ctx(t), oldKey, "n", 1); err != nil {
		t.Fatalf("Increment through the old key during grace: %v", err)
	}
	got := values(mustLoad(t, s, newKey))
	if got["b"] != 2 || got["n"] == nil {
		t.Fatalf("new key after writes through the old key: %v, want b=2 and n=1", got)
	}
	time.Sleep(1500 * time.Millisecond)
	mustMiss(t, s, oldKey)
	// After the grace the old key reaches nothing for writes either.
	late := &sessions.Delta{Set: []sessions.Field{{Key: "late", Value: 1}}}
	if err := s.Commit(ctx(t), oldKey, late); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Commit through the old key after the grace: %v, want ErrNotFound", err)
	}
	if _, err := s.Increment(ctx(t), oldKey, "n", 1); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Increment through the old key after the grace: %v, want ErrNotFound", err)
	}
	got = values(mustLoad(t, s, newKey))
	if n, _ := sessions.As[int64](got["n"]); got["late"] != nil || n != 1 {
		t.Fatalf("new key after writes through the expired old key: %v, want no late and n=1", got)
	}

	// Delete of the old key ends the grace early and leaves the new session.
	k1, k2 := NewKey(t), NewKey(t)
	mustCreate(t, s, k1, NewRecord(time.Hour))
	if err := s.Rename(ctx(t), k1, k2, time.Minute); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if err := s.Delete(ctx(t), k1); err != nil {
		t.Fatalf("Delete old key: %v", err)
	}
	mustMiss(t, s, k1)
	mustLoad(t, s, k2)

	// A grace too long to add to the clock (math.MaxInt64, a common "no
	// end") must not wrap around into the past: the alias stands.
	k3, k4 := NewKey(t), NewKey(t)
	mustCreate(t, s, k3, NewRecord(time.Hour, "c", 3))
	if err := s.Rename(ctx(t), k3, k4, time.Duration(math.MaxInt64)); err != nil {
		t.Fatalf("Rename with a grace of math.MaxInt64: %v", err)
	}
	if got := values(mustLoad(t, s, k3))["c"]; got != 3 {
		t.Fatalf("old key after a Rename with a grace of math.MaxInt64: c = %v, want 3", got)
	}
}

func testUserIndex(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	u := newUser(t)
	v := newUser(t)
	var uKeys []string
	for i := range 3 {
		key := NewKey(t)
		rec := NewRecord(time.Hour, "i", i)
		rec.User = u
		rec.Created += int64(i) * int64(time.Millisecond)
		mustCreate(t, s, key, rec)
		uKeys = append(uKeys, key)
	}
	vKey := NewKey(t)
	rec := NewRecord(time.Hour)
	rec.User = v
	mustCreate(t, s, vKey, rec)

	// A session that becomes U's through a commit (login) joins the index.
	late := NewKey(t)
	mustCreate(t, s, late, NewRecord(time.Hour))
	meta := mustLoad(t, s, late).Meta
	meta.User = u
	meta.Created = time.Now().Add(time.Second).UnixNano()
	if err := s.Commit(ctx(t), late, &sessions.Delta{Meta: &meta}); err != nil {
		t.Fatal(err)
	}
	uKeys = append(uKeys, late)
	// So does one whose commit names the user alone (Delta.MetaFields).
	w := newUser(t)
	wKey := NewKey(t)
	mustCreate(t, s, wKey, NewRecord(time.Hour))
	meta = mustLoad(t, s, wKey).Meta
	meta.User = w
	if err := s.Commit(ctx(t), wKey, &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaUser}); err != nil {
		t.Fatal(err)
	}
	if list, err := ux.UserSessions(ctx(t), w); err != nil || len(list) != 1 || list[0].Key != wKey {
		t.Errorf("a commit of the user alone: UserSessions = %v, %v; want the session %s…", list, err, wKey[:8])
	}

	// An expired session of U is not listed.
	gone := NewKey(t)
	rec = NewRecord(1200 * time.Millisecond)
	rec.User = u
	mustCreate(t, s, gone, rec)
	time.Sleep(1500 * time.Millisecond)

	list, err := ux.UserSessions(ctx(t), u)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	var got []string
	for _, in := range list {
		got = append(got, in.Key)
		if in.User != u {
			t.Errorf("listed session %s… has User %q, want %q", in.Key[:8], in.User, u)
		}
	}
	if !reflect.DeepEqual(got, uKeys) {
		t.Fatalf("UserSessions(u) = %v, want %v (oldest first, no expired)", got, uKeys)
	}

	// Renaming keeps the session in the index under its new key.
	renamed := NewKey(t)
	if err := s.Rename(ctx(t), uKeys[0], renamed, 0); err != nil {
		t.Fatal(err)
	}
	uKeys[0] = renamed
	list, err = ux.UserSessions(ctx(t), u)
	if err != nil || len(list) != 4 || list[0].Key != renamed {
		t.Fatalf("after rename, UserSessions = %v, %v; want 4 with %s… first", list, err, renamed[:8])
	}

	// Deleting one removes it from the index.
	if err := s.Delete(ctx(t), uKeys[3]); err != nil {
		t.Fatal(err)
	}
	if list, _ = ux.UserSessions(ctx(t), u); len(list) != 3 {
		t.Fatalf("after Delete, %d sessions listed, want 3", len(list))
	}

	n, err := ux.DeleteUserSessions(ctx(t), u, uKeys[1])
	if err != nil {
		t.Fatalf("DeleteUserSessions: %v", err)
	}
	if n != 2 {
		t.Errorf("DeleteUserSessions deleted %d, want 2", n)
	}
	mustMiss(t, s, uKeys[0])
	mustMiss(t, s, uKeys[2])
	mustLoad(t, s, uKeys[1])
	mustLoad(t, s, vKey)
	if list, _ = ux.UserSessions(ctx(t), u); len(list) != 1 || list[0].Key != uKeys[1] {
		t.Fatalf("after DeleteUserSessions, listed %v, want only the excepted session", list)
	}
	if list, _ = ux.UserSessions(ctx(t), v); len(list) != 1 || list[0].Key != vKey {
		t.Fatalf("other user's listing changed: %v", list)
	}
	n, err = ux.DeleteUserSessions(ctx(t), u, "")
	if err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions without exception = %d, %v; want 1", n, err)
	}
	mustMiss(t, s, uKeys[1])
	if list, _ = ux.UserSessions(ctx(t), "nobody-"+NewKey(t)[:8]); len(list) != 0 {
		t.Fatalf("unknown user lists %v", list)
	}
}

func testCorrupt(t *testing.T, h Harness) {
	if h.Corrupt == nil {
		t.Skip("store keeps Go values: nothing to corrupt")
	}
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "role", "admin"))
	h.Corrupt(t, s, key)
	rec, found, err := s.Load(ctx(t), key)
	if err == nil && found {
		t.Fatalf("Load of a corrupt record returned %+v, want an ErrCorrupt error or not found", rec)
	}
	if err != nil && !errors.Is(err, sessions.ErrCorrupt) {
		t.Fatalf("Load of a corrupt record: err = %v, want one wrapping ErrCorrupt", err)
	}
	// The key can be deleted and reused afterwards.
	if err := s.Delete(ctx(t), key); err != nil {
		t.Fatalf("Delete of a corrupt record: %v", err)
	}
	mustMiss(t, s, key)
}

func testContextCanceled(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "x", 1))
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	if _, _, err := s.Load(c, key); err == nil {
		t.Errorf("Load with a canceled context: nil error")
	}
	d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 2}}}
	if err := s.Commit(c, key, d); err == nil {
		t.Errorf("Commit with a canceled context: nil error")
	}
	fresh := NewKey(t)
	if err := s.Create(c, fresh, NewRecord(time.Hour)); err == nil {
		t.Errorf("Create with a canceled context: nil error")
	}
	if _, err := s.Increment(c, key, "n", 1); err == nil {
		t.Errorf("Increment with a canceled context: nil error")
	}
	if err := s.Rename(c, key, fresh, 0); err == nil {
		t.Errorf("Rename with a canceled context: nil error")
	}
	if err := s.Delete(c, key); err == nil {
		t.Errorf("Delete with a canceled context: nil error")
	}
	// None of them did anything.
	got := values(mustLoad(t, s, key))
	if got["x"] != 1 || got["n"] != nil {
		t.Errorf("values %v after canceled calls, want x=1 and no n", got)
	}
	mustMiss(t, s, fresh)
}

func testKeysAreOpaque(t *testing.T, h Harness) {
	// Keys that are not store keys (path traversal, SQL, oversize) are refused
	// or simply not found; they never reach another session.
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour, "x", 1))
	for _, bad := range []string{"../../etc/passwd", "'; DROP TABLE sessions;--", "", key[:63], key + "0"} {
		rec, found, err := s.Load(ctx(t), bad)
		if found {
			t.Errorf("Load(%q) found %+v", bad, rec)
		}
		_ = err
	}
	mustLoad(t, s, key)
}

// testCommitRacingRename: writes through the old key while a rename with a
// grace moves the record are never lost, whichever side wins the race.
func testCommitRacingRename(t *testing.T, h Harness) {
	s := h.New(t)
	// A store with one-step renames races them too, every other round.
	rc, _ := s.(sessions.RenameCommitter)
	if rc != nil && errors.Is(rc.RenameCommit(ctx(t), NewKey(t), NewKey(t), 0, &sessions.Delta{}), errors.ErrUnsupported) {
		rc = nil
	}
	for i := range 30 {
		oldKey, newKey := NewKey(t), NewKey(t)
		mustCreate(t, s, oldKey, NewRecord(time.Hour))
		withCommit := rc != nil && i%2 == 1
		var wg sync.WaitGroup
		wg.Add(3)
		go func() {
			defer wg.Done()
			if withCommit {
				d := &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: i}}}
				if err := rc.RenameCommit(ctx(t), oldKey, newKey, time.Minute, d); err != nil {
					t.Errorf("RenameCommit: %v", err)
				}
				return
			}
			if err := s.Rename(ctx(t), oldKey, newKey, time.Minute); err != nil {
				t.Errorf("Rename: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: i}}}
			if err := s.Commit(ctx(t), oldKey, d); err != nil {
				t.Errorf("Commit racing a rename: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := s.Increment(ctx(t), oldKey, "n", 1); err != nil {
				t.Errorf("Increment racing a rename: %v", err)
			}
		}()
		wg.Wait()
		got := values(mustLoad(t, s, newKey))
		if got["x"] != i {
			t.Fatalf("round %d: x = %v after the race, want %d", i, got["x"], i)
		}
		if n, _ := sessions.As[int64](got["n"]); n != 1 {
			t.Fatalf("round %d: n = %v after the race, want 1", i, got["n"])
		}
		if withCommit && got["y"] != i {
			t.Fatalf("round %d: y = %v after RenameCommit, want %d", i, got["y"], i)
		}
	}
}

package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestDamagedAliasAgree checks that Load and the scripts of Commit,
// Increment and Rename classify a hash naming an alias target (m:to) the
// same way. A grace alias as Rename writes it holds m:v = formatVersion and
// m:to; every operation follows it (Rename refuses it, as it refuses any
// alias: sessions.ErrNotFound). A hash with m:to but a missing, empty or
// unknown version is damaged: every operation reports sessions.ErrCorrupt
// and none reaches the record m:to names. Delete removes any of them.
func TestDamagedAliasAgree(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	shapes := []struct {
		name    string
		version *string // m:v, or nil for none
		corrupt bool
	}{
		{"alias", ptr(formatVersion), false},
		{"alias without version", nil, true},
		{"alias with unknown version", ptr("9"), true},
		{"alias with empty version", ptr(""), true},
	}
	type env struct {
		s           *Store
		key, target string
	}
	ops := []struct {
		name string
		// run does the operation on e.key and reports an error when its
		// outcome is not the one for an alias (corrupt false) or for a
		// damaged record (corrupt true).
		run func(t *testing.T, e env, corrupt bool)
	}{
		{"Load", func(t *testing.T, e env, corrupt bool) {
			rec, found, err := e.s.Load(t.Context(), e.key)
			switch {
			case corrupt && (!errors.Is(err, sessions.ErrCorrupt) || found):
				t.Errorf("Load = found %v, %v; want ErrCorrupt", found, err)
			case !corrupt && (err != nil || !found):
				t.Errorf("Load = found %v, %v; want the alias followed", found, err)
			case !corrupt:
				if n, _ := rec.Lookup("n"); n != 1 {
					t.Errorf("Load through the alias: n = %v, want 1", n)
				}
			}
		}},
		{"CommitValues", func(t *testing.T, e env, corrupt bool) {
			d := &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: "z"}}}
			checkWrite(t, "Commit of values", e.s.Commit(t.Context(), e.key, d), corrupt)
		}},
		{"CommitMeta", func(t *testing.T, e env, corrupt bool) {
			m := storetest.NewRecord(time.Hour).Meta
			d := &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: "z"}}, Meta: &m, MetaFields: sessions.MetaLastSeen}
			checkWrite(t, "Commit with metadata", e.s.Commit(t.Context(), e.key, d), corrupt)
		}},
		{"Increment", func(t *testing.T, e env, corrupt bool) {
			n, err := e.s.Increment(t.Context(), e.key, "n", 1)
			checkWrite(t, "Increment", err, corrupt)
			if !corrupt && n != 2 {
				t.Errorf("Increment through the alias = %d, want 2", n)
			}
		}},
		{"Rename", func(t *testing.T, e env, corrupt bool) {
			err := e.s.Rename(t.Context(), e.key, storetest.NewKey(t), time.Minute)
			want := sessions.ErrNotFound // an alias cannot be renamed
			if corrupt {
				want = sessions.ErrCorrupt
			}
			if !errors.Is(err, want) {
				t.Errorf("Rename = %v, want %v", err, want)
			}
		}},
		{"Delete", func(t *testing.T, e env, _ bool) {
			if err := e.s.Delete(t.Context(), e.key); err != nil {
				t.Fatalf("Delete = %v", err)
			}
			if _, found, err := e.s.Load(t.Context(), e.key); found || err != nil {
				t.Errorf("Load after Delete = found %v, %v; want absent", found, err)
			}
		}},
	}
	for _, p := range protocols {
		for _, sh := range shapes {
			for _, op := range ops {
				t.Run(p.name+"/"+sh.name+"/"+op.name, func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					e := env{s: newTestStore(t, c, p.o), key: storetest.NewKey(t), target: storetest.NewKey(t)}
					if err := e.s.Create(ctx, e.target, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
						t.Fatal(err)
					}
					hash := map[string]any{fAliasTo: e.target}
					if sh.version != nil {
						hash[fVersion] = *sh.version
					}
					if err := c.HSet(ctx, e.s.hashKey(e.key), hash).Err(); err != nil {
						t.Fatal(err)
					}
					op.run(t, e, sh.corrupt)
					if !sh.corrupt {
						return
					}
					// The damaged hash led nowhere: the record it names is
					// as it was.
					rec, found, err := e.s.Load(ctx, e.target)
					if err != nil || !found {
						t.Fatalf("Load of the record the damaged hash names = found %v, %v", found, err)
					}
					if n, _ := rec.Lookup("n"); n != 1 {
						t.Errorf("the record the damaged hash names has n = %v, want 1 still", n)
					}
					if y, ok := rec.Lookup("y"); ok {
						t.Errorf("the record the damaged hash names has y = %v, want none", y)
					}
				})
			}
		}
	}
}

// checkWrite reports an error unless err is nil (a write through an
// alias) or wraps sessions.ErrCorrupt (corrupt).
func checkWrite(t *testing.T, op string, err error, corrupt bool) {
	t.Helper()
	switch {
	case corrupt && !errors.Is(err, sessions.ErrCorrupt):
		t.Errorf("%s = %v, want ErrCorrupt", op, err)
	case !corrupt && err != nil:
		t.Errorf("%s = %v, want the alias followed", op, err)
	}
}

func ptr[T any](v T) *T { return &v }

package memory

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestCreateRenameOntoAlias checks that a key that is a live Rename grace
// alias counts as taken: Load through it finds the renamed session, so
// Create and Rename onto it are refused with ErrExists (as in the bbolt
// and PostgreSQL stores), and the alias keeps leading to the renamed
// session instead of the new record taking its place.
func TestCreateRenameOntoAlias(t *testing.T) {
	ctx := context.Background()
	st := New(Options{CleanupInterval: time.Hour})
	defer st.Close()
	newRec := func(v string) *sessions.Record {
		r := &sessions.Record{Meta: sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}}
		r.SetField("owner", v)
		return r
	}
	for _, tc := range []struct {
		name string
		onto func(alias string) error
	}{
		{"Create", func(alias string) error { return st.Create(ctx, alias, newRec("other")) }},
		{"Rename", func(alias string) error {
			k := shardKey(t, 3)
			if err := st.Create(ctx, k, newRec("other")); err != nil {
				t.Fatal(err)
			}
			return st.Rename(ctx, k, alias, 0)
		}},
		{"RenameCommit", func(alias string) error {
			k := shardKey(t, 3)
			if err := st.Create(ctx, k, newRec("other")); err != nil {
				t.Fatal(err)
			}
			return st.RenameCommit(ctx, k, alias, 0, &sessions.Delta{})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oldKey, newKey := shardKey(t, 1), shardKey(t, 2)
			if err := st.Create(ctx, oldKey, newRec("mine")); err != nil {
				t.Fatal(err)
			}
			if err := st.Rename(ctx, oldKey, newKey, time.Minute); err != nil {
				t.Fatal(err)
			}
			lenBefore := st.Len()
			if err := tc.onto(oldKey); !errors.Is(err, sessions.ErrExists) {
				t.Errorf("%s onto a live grace alias: %v, want ErrExists", tc.name, err)
			}
			r, found, err := st.Load(ctx, oldKey)
			if err != nil || !found {
				t.Fatalf("Load(alias): found %v, err %v", found, err)
			}
			if v, _ := r.Lookup("owner"); v != "mine" {
				t.Errorf("the alias serves owner %v, want the renamed session (mine)", v)
			}
			if tc.name == "Create" && st.Len() != lenBefore {
				t.Errorf("Len() = %d after a refused Create, want %d", st.Len(), lenBefore)
			}
		})
	}
}

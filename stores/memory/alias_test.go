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

// TestCleanupDropsEndedAliases checks that the cleaner removes grace
// aliases once their grace has ended, whether the shard's records are
// swept in batches or its map is rebuilt, and keeps those still in their
// grace: otherwise every rotation would leave an alias behind for good.
func TestCleanupDropsEndedAliases(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expired int // expired records beside the aliases, in every shard
	}{
		{"no expired records", 0},
		{"batch deletes", 3},
		{"rebuilt maps", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			rec := func(life time.Duration) *sessions.Record {
				return &sessions.Record{Meta: sessions.Meta{Expires: now.Add(life).UnixNano()}}
			}
			for i := range shardCount {
				for range tc.expired {
					if err := st.Create(ctx, shardKey(t, i), rec(time.Second)); err != nil {
						t.Fatal(err)
					}
				}
			}
			var short, long []string
			for i := range 20 {
				grace := time.Second
				if i%2 == 1 {
					grace = time.Hour
				}
				from, to := shardKey(t, i), shardKey(t, i+100)
				if err := st.Create(ctx, from, rec(2*time.Hour)); err != nil {
					t.Fatal(err)
				}
				if err := st.Rename(ctx, from, to, grace); err != nil {
					t.Fatal(err)
				}
				if grace == time.Second {
					short = append(short, from)
				} else {
					long = append(long, from)
				}
			}
			now = now.Add(2 * time.Second)
			st.Cleanup()
			aliases := 0
			for i := range st.shards {
				aliases += len(st.shards[i].aliases)
			}
			if aliases != len(long) {
				t.Errorf("%d aliases after the cleanup, want the %d still in their grace (%d ended)", aliases, len(long), len(short))
			}
			for _, k := range long {
				if _, found, _ := st.Load(ctx, k); !found {
					t.Errorf("an alias in its grace no longer leads to its session")
				}
			}
		})
	}
}

package postgres

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// A Rename without grace ends every way the old key reaches a session: it
// writes no alias (not even a dead one for the cleaner to delete), and it
// deletes an alias from the old key left beside the row, which a Create
// racing a rotation of the same key can leave (the Create's alias check
// ran before the rotation committed).
func TestRenameWithoutGraceLeavesNoAlias(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	for _, c := range []struct {
		name      string
		staleLive bool // a live alias from the old key to another session
	}{
		{"plain", false},
		{"alias beside the row", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			old, renamed := storetest.NewKey(t), storetest.NewKey(t)
			mustCreateRec(t, s, old, storetest.NewRecord(time.Hour, "who", "old"))
			if c.staleLive {
				other := storetest.NewKey(t)
				mustCreateRec(t, s, other, storetest.NewRecord(time.Hour, "who", "other"))
				exec(t, s, `INSERT INTO {a} (old_key, new_key, expires_at) VALUES ($1, $2, $3)`,
					old, other, time.Now().Add(time.Hour).UnixNano())
			}
			if err := s.Rename(ctx, old, renamed, 0); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			if rowExists(t, s, old) {
				t.Errorf("after Rename(%s…, %s…, 0) a row or alias under the old key is left", old[:8], renamed[:8])
			}
			if rec, found, err := s.Load(ctx, old); err != nil || found {
				t.Errorf("Load(old key) after Rename without grace = %v, found %v, %v; want not found", rec, found, err)
			}
			if _, found, err := s.Load(ctx, renamed); err != nil || !found {
				t.Errorf("Load(new key) = found %v, %v; want the session", found, err)
			}
		})
	}
}

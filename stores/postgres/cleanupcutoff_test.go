package postgres

import (
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// The cleaner deletes exactly the rows whose expiry has passed: a session or
// rename alias that expires in a fraction of a second or in a few seconds
// is live until then, and one that expired a moment ago goes. Both ways of
// running it are checked: a call to Cleanup and the background cleaner.
func TestCleanupCutoffIsNow(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		run  func(t *testing.T, s *Store, expired []string)
	}{
		{"Cleanup", Options{CleanupInterval: -1}, func(t *testing.T, s *Store, _ []string) {
			if _, err := s.Cleanup(t.Context()); err != nil {
				t.Fatalf("Cleanup: %v", err)
			}
		}},
		{"background cleaner", Options{CleanupInterval: 20 * time.Millisecond}, func(t *testing.T, s *Store, expired []string) {
			deadline := time.Now().Add(10 * time.Second)
			for {
				left := 0
				for _, k := range expired {
					if rowExists(t, s, k) {
						left++
					}
				}
				if left == 0 {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("background cleaner left %d of %d expired rows after 10s", left, len(expired))
				}
				time.Sleep(10 * time.Millisecond)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t, c.opts)
			ctx := t.Context()
			type row struct {
				name    string
				key     string
				alias   bool
				expires time.Time
			}
			var rows []row
			target := storetest.NewKey(t) // what the aliases lead to
			if err := s.Create(ctx, target, storetest.NewRecord(time.Hour)); err != nil {
				t.Fatal(err)
			}
			for _, r := range []struct {
				name  string
				alias bool
				ttl   time.Duration
			}{
				{"session expiring in 300ms", false, 300 * time.Millisecond},
				{"session expiring in 2s", false, 2 * time.Second},
				{"session expiring in 30s", false, 30 * time.Second},
				{"session expired 1ms ago", false, -time.Millisecond},
				{"session expired 1s ago", false, -time.Second},
				{"alias expiring in 300ms", true, 300 * time.Millisecond},
				{"alias expiring in 2s", true, 2 * time.Second},
				{"alias expiring in 30s", true, 30 * time.Second},
				{"alias expired 1ms ago", true, -time.Millisecond},
				{"alias expired 1s ago", true, -time.Second},
			} {
				key := storetest.NewKey(t)
				var expires time.Time
				if r.alias {
					expires = time.Now().Add(r.ttl)
					exec(t, s, `INSERT INTO {a} (old_key, new_key, expires_at) VALUES ($1, $2, $3)`,
						key, target, expires.UnixNano())
				} else {
					rec := storetest.NewRecord(r.ttl, "x", 1)
					expires = time.Unix(0, rec.Meta.Expires)
					if err := s.Create(ctx, key, rec); err != nil {
						t.Fatal(err)
					}
				}
				rows = append(rows, row{r.name, key, r.alias, expires})
			}
			var expired []string
			for _, r := range rows {
				if r.expires.Before(time.Now()) {
					expired = append(expired, r.key)
				}
			}

			c.run(t, s, expired)

			for _, r := range rows {
				exists := rowExists(t, s, r.key)
				switch {
				case slices.Contains(expired, r.key) && exists:
					t.Errorf("%s: still stored after the cleaner ran", r.name)
				// Read the clock after the row: a row that is gone while
				// its expiry is still ahead was deleted live.
				case !exists && time.Now().Before(r.expires):
					t.Errorf("%s: deleted %v before its expiry", r.name, time.Until(r.expires).Round(time.Millisecond))
				}
			}
			if !rowExists(t, s, target) {
				t.Error("the aliases' target session (expiring in 1h) was deleted")
			}
		})
	}
}

// rowExists reports whether key has a session row or an alias row.
func rowExists(t *testing.T, s *Store, key string) bool {
	t.Helper()
	var n int
	sql := `SELECT (SELECT count(*) FROM ` + quote(s.table) + ` WHERE key = $1) +
		(SELECT count(*) FROM ` + quote(s.table+"_aliases") + ` WHERE old_key = $1)`
	if err := s.pool.QueryRow(t.Context(), sql, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// Increment counts every stored text that Load decodes as an int, including
// one another program wrote with leading zeros or as "-0", which
// sessions.DecodeValue accepts: Load and Increment agree on what an int is.
func TestIncrementLeadingZeros(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	for _, tc := range storetest.IntTexts {
		t.Run(fmt.Sprintf("%q", tc.Raw), func(t *testing.T) {
			key := storetest.NewKey(t)
			mustCreateRec(t, s, key, storetest.NewRecord(time.Hour))
			exec(t, s, `INSERT INTO {v} (key, name, value) VALUES ($1, 'n', $2)`, key, []byte(tc.Raw))
			rec, found, err := s.Load(t.Context(), key)
			if err != nil || !found {
				t.Fatalf("Load = %v, %v", found, err)
			}
			v, _ := rec.Lookup("n")
			old, err := sessions.DecodeValue([]byte(tc.Raw))
			if err != nil || v != old {
				t.Fatalf("Load gives n = %#v; DecodeValue(%q) = %#v, %v", v, tc.Raw, old, err)
			}
			n, err := s.Increment(t.Context(), key, "n", tc.By)
			if err != nil || n != tc.Want {
				t.Errorf("Increment of the stored value %q (loaded as %v) by %d = %d, %v; want %d", tc.Raw, v, tc.By, n, err, tc.Want)
			}
		})
	}
}

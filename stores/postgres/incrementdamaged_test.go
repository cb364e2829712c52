package postgres

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// Increment counts only a whole stored value of plain decimal digits as an
// integer. A value that only starts like one (a damaged row, text written
// by hand) is sessions.ErrNotInteger and stays as it was, never a server
// error from casting it.
func TestIncrementDamagedValue(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	for _, raw := range []string{"12x", "1 ", "-", "", "+1", "1e3", "0x10", "12\n", "99999999999999999999"} {
		t.Run(fmt.Sprintf("%q", raw), func(t *testing.T) {
			key := storetest.NewKey(t)
			mustCreateRec(t, s, key, storetest.NewRecord(time.Hour))
			exec(t, s, `INSERT INTO {v} (key, name, value) VALUES ($1, 'n', $2)`, key, []byte(raw))
			n, err := s.Increment(t.Context(), key, "n", 1)
			if !errors.Is(err, sessions.ErrNotInteger) {
				t.Errorf("Increment of the stored value %q = %d, %v; want ErrNotInteger", raw, n, err)
			}
			var got []byte
			if err := s.pool.QueryRow(t.Context(), `SELECT value FROM `+quote(s.table+"_values")+` WHERE key = $1 AND name = 'n'`, key).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte(raw)) {
				t.Errorf("stored value after the refused Increment = %q, want %q unchanged", got, raw)
			}
		})
	}
}

package postgres

import (
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMetaFieldBits pins the bit of each metadata column in the commit
// statement to sessions.MetaField.
func TestMetaFieldBits(t *testing.T) {
	for _, c := range []struct {
		f    sessions.MetaField
		want int
	}{
		{sessions.MetaCreated, 1}, {sessions.MetaRenewed, 2}, {sessions.MetaLastSeen, 4},
		{sessions.MetaAuthTime, 8}, {sessions.MetaExpires, 16}, {sessions.MetaUser, 32},
		{sessions.MetaUserAgent, 64}, {sessions.MetaCSRF, 128}, {sessions.MetaBind, 256},
		{sessions.MetaAll, 511},
	} {
		if int(c.f) != c.want {
			t.Errorf("MetaField %b = %d, the commit statement tests bit %d", c.f, c.f, c.want)
		}
	}
}

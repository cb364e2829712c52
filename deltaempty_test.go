package sessions_test

import (
	"testing"

	"github.com/sessionkit/sessions"
)

// TestDeltaEmpty checks Delta.Empty against its doc: only a delta that
// changes nothing is empty; one that changes metadata alone (an idle
// refresh) is not, or a store skipping empty commits would drop it.
func TestDeltaEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    sessions.Delta
		want bool
	}{
		{"zero", sessions.Delta{}, true},
		{"Clear", sessions.Delta{Clear: true}, false},
		{"Set", sessions.Delta{Set: []sessions.Field{{Key: "k", Value: 1}}}, false},
		{"Del", sessions.Delta{Del: []string{"k"}}, false},
		{"Meta only", sessions.Delta{Meta: &sessions.Meta{LastSeen: 1}, MetaFields: sessions.MetaLastSeen}, false},
	} {
		if got := tc.d.Empty(); got != tc.want {
			t.Errorf("%s: Empty = %v, want %v", tc.name, got, tc.want)
		}
	}
}

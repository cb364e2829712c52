package cookie_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestSealFieldOrder proves that Seal never returns a cookie that Open then
// refuses. A Record built as a literal (a test seeding a session, a
// migration from another cookie format) may list its fields out of key
// order or name a key twice; Open refuses such a plaintext ("fields out of
// order"), so a sealed cookie of it would silently lose the session on the
// client's next request. Seal must refuse the record instead, wrapping
// sessions.ErrUnsupportedValue and naming the key.
func TestSealFieldOrder(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name   string
		fields []sessions.Field
		key    string // the key the error names; "" when Seal must succeed
	}{
		{name: "sorted", fields: []sessions.Field{{Key: "a", Value: 1}, {Key: "b", Value: "x"}}},
		{name: "out of order", fields: []sessions.Field{{Key: "user", Value: 1}, {Key: "cart", Value: "x"}}, key: "cart"},
		{name: "duplicate key", fields: []sessions.Field{{Key: "a", Value: 1}, {Key: "a", Value: 2}}, key: "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &sessions.Record{Fields: tc.fields}
			v, err := s.Seal(cookieName, "seeded-session", rec)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("Seal: %v", err)
				}
				if _, _, err := s.Open(cookieName, v); err != nil {
					t.Fatalf("Open of the sealed value: %v", err)
				}
				return
			}
			if err == nil {
				_, _, openErr := s.Open(cookieName, v)
				t.Fatalf("Seal accepted the record; Open of its cookie then gives %v", openErr)
			}
			if !errors.Is(err, sessions.ErrUnsupportedValue) || !strings.Contains(err.Error(), `"`+tc.key+`"`) {
				t.Errorf("Seal error %q: want one wrapping ErrUnsupportedValue that names %q", err, tc.key)
			}
		})
	}
}

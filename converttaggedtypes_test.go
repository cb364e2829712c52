package sessions_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestAsTaggedTypesApart checks the two halves of As's doc that keep the
// codec's tagged types apart from JSON: a JSON value never converts to a
// type the codec tags (it is another type's value), and a value of a
// tagged type never converts to a type the codec has no tag for (no store
// keeps it as JSON, so no JSON of it can unmarshal into that type).
func TestAsTaggedTypesApart(t *testing.T) {
	for _, c := range []struct {
		name string
		as   func(any) (any, bool)
		v    any
	}{
		{"JSON as time.Time", asAny[time.Time], sessions.JSON(`"2024-01-02T03:04:05Z"`)},
		{"JSON as int8", asAny[int8], sessions.JSON(`5`)},
		{"JSON as uint", asAny[uint], sessions.JSON(`5`)},
		{"JSON as uint8", asAny[uint8], sessions.JSON(`5`)},
		{"JSON as []string", asAny[[]string], sessions.JSON(`["a"]`)},
		{"int as a struct", asAny[jsonCart], 5},
		{"int as JSON", asAny[sessions.JSON], 5},
		{"nil as JSON", asAny[sessions.JSON], nil},
		{"string as a named string", asAny[jsonRole], "admin"},
		{"bool as a struct", asAny[jsonCart], true},
		{"time.Time as a struct", asAny[jsonCart], time.Unix(0, 0)},
	} {
		if got, ok := c.as(c.v); ok {
			t.Errorf("As(%s): %#v, true; want false", c.name, got)
		}
	}
}

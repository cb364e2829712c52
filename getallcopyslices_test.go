package sessions_test

import (
	"reflect"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestGetAllCopiesListsByExtent checks GetAll's copies of []any values
// the memory store keeps as they are: two lists over the same elements but
// of different lengths are two values, each copied at its own length; a
// list held twice is copied once; and a list holding itself is copied as a
// list holding its copy, not followed without end.
func TestGetAllCopiesListsByExtent(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	long := []any{"a", "b", "c"}
	short := long[:1]
	self := make([]any, 1)
	self[0] = self
	shared := []any{"x"}
	do(t, m, id, func(s *sessions.Session) {
		s.Set("long", long)
		s.Set("short", short)
		s.Set("both", []any{short, long})
		s.Set("self", self)
		s.Set("shared", []any{shared, shared})
		all := s.GetAll()
		for _, c := range []struct {
			name string
			got  any
			want int
		}{
			{"long", all["long"], 3},
			{"short", all["short"], 1},
			{"both[0]", all["both"].([]any)[0], 1},
			{"both[1]", all["both"].([]any)[1], 3},
		} {
			if l, ok := c.got.([]any); !ok || len(l) != c.want {
				t.Errorf("GetAll()[%s] = %#v; want a list of %d elements", c.name, c.got, c.want)
			}
		}
		got := all["self"].([]any)
		if reflect.ValueOf(got).Pointer() == reflect.ValueOf(self).Pointer() {
			t.Fatal("GetAll returned the session's own list")
		}
		if inner, ok := got[0].([]any); !ok || reflect.ValueOf(inner).Pointer() != reflect.ValueOf(got).Pointer() {
			t.Error("the copy of a list holding itself does not hold itself")
		}
		sh := all["shared"].([]any)
		if reflect.ValueOf(sh[0]).Pointer() != reflect.ValueOf(sh[1]).Pointer() {
			t.Error("a list held twice was copied twice")
		}
	})
}

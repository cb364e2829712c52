package sessions_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// Named types of the kinds the codec tags: it has no tag for them, so an
// encoding store keeps them as JSON, while the memory store keeps them as
// they are.
type (
	jsonRole  string
	jsonFlag  bool
	jsonUser  int64
	jsonLevel int32
	jsonCart  struct{ Items int }
)

// TestAsJSONOnlyIntoTypesWithoutCodecTag checks As's doc: "Other numeric
// Ts (int32, uint64, float32...) need v to be of that type", and JSON is
// what stores return "for types the codec has no tag for". A JSON value is
// never a stored string, bool, Duration, int32, []byte or map[string]any,
// so it must not convert to one: only a type without a tag of its own
// (a struct, a named type) unmarshals from JSON.
func TestAsJSONOnlyIntoTypesWithoutCodecTag(t *testing.T) {
	for _, c := range []struct {
		name string
		as   func(any) (any, bool)
		v    sessions.JSON
	}{
		{"int32", asAny[int32], sessions.JSON(`5`)},
		{"uint64", asAny[uint64], sessions.JSON(`5`)},
		{"float32", asAny[float32], sessions.JSON(`5`)},
		{"time.Duration", asAny[time.Duration], sessions.JSON(`5`)},
		{"string", asAny[string], sessions.JSON(`"admin"`)},
		{"bool", asAny[bool], sessions.JSON(`true`)},
		{"[]byte", asAny[[]byte], sessions.JSON(`[1,2]`)},
		{"map[string]any", asAny[map[string]any], sessions.JSON(`{"Items":1}`)},
		{"[]any", asAny[[]any], sessions.JSON(`[1]`)},
	} {
		if got, ok := c.as(c.v); ok {
			t.Errorf("As[%s](JSON %s) = %#v, true; want false (the codec has a tag for %s: a JSON value is some other type)", c.name, c.v, got, c.name)
		}
	}
	if got, ok := sessions.As[jsonCart](sessions.JSON(`{"Items":2}`)); !ok || got.Items != 2 {
		t.Errorf("As[struct](JSON) = %#v, %v; want {2}, true", got, ok)
	}
	if got, ok := sessions.As[jsonRole](sessions.JSON(`"admin"`)); !ok || got != "admin" {
		t.Errorf("As[named string](JSON) = %#v, %v; want admin, true", got, ok)
	}
}

// TestGettersSameInMemoryAndCookieStore checks Get's promise, "It works the
// same on every store": every getter reads a value set in one request the
// same in the next, whether the memory store kept it as a Go value or the
// cookie store (which encodes, as bbolt, Redis and PostgreSQL do) returned
// it as JSON.
func TestGettersSameInMemoryAndCookieStore(t *testing.T) {
	values := map[string]any{
		"role":  jsonRole("admin"),
		"flag":  jsonFlag(true),
		"user":  jsonUser(42),
		"level": jsonLevel(3),
		"ids":   []int{1, 2},
		"cart":  jsonCart{Items: 1},
	}
	read := func(s *sessions.Session) map[string]any {
		m, _ := sessions.Get[map[string]any](s, "cart")
		n32, _ := sessions.Get[int32](s, "level")
		list, _ := sessions.Get[[]any](s, "ids")
		return map[string]any{
			"GetString(role)":           s.GetString("role"),
			"GetBool(flag)":             s.GetBool("flag"),
			"GetDuration(user)":         s.GetDuration("user"),
			"GetInt(user)":              s.GetInt("user"),
			"Get[int32](level)":         n32,
			"GetBytes(ids)":             s.GetBytes("ids"),
			"Get[[]any](ids)":           list,
			"Get[map[string]any](cart)": m,
			"Get[jsonCart](cart).Items": func() int { c, _ := sessions.Get[jsonCart](s, "cart"); return c.Items }(),
			"Get[jsonRole](role)":       func() jsonRole { r, _ := sessions.Get[jsonRole](s, "role"); return r }(),
		}
	}
	sameOnMemoryAndCookie(t, values, read)
}

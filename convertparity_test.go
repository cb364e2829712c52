package sessions_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/sessionkit/sessions"
)

// Types without a tag of their own in the codec: an encoding store keeps
// their values as JSON.
type (
	parityCart struct{ Items int }
	parityID   int
)

// TestAsSameForGoValueAndJSON checks Get's promise, "It works the same on
// every store", for values of types the codec has no tag for: As[T] of
// the Go value the memory store keeps gives what As[T] gives of the JSON an
// encoding store (bbolt, Redis, PostgreSQL, the cookie store) returns for
// it, the value and the ok alike. A program storing a *Cart and reading a
// Cart worked on Redis and read nothing from the memory store.
func TestAsSameForGoValueAndJSON(t *testing.T) {
	var nilCart *parityCart
	for _, c := range []struct {
		name   string
		stored any
		as     func(any) (any, bool)
	}{
		{"Cart as *Cart", parityCart{Items: 2}, asAny[*parityCart]},
		{"*Cart as Cart", &parityCart{Items: 4}, asAny[parityCart]},
		{"nil *Cart as Cart", nilCart, asAny[parityCart]},
		{"empty JSON as Cart", sessions.JSON(nil), asAny[parityCart]},
		{"empty JSON as *Cart", sessions.JSON(""), asAny[*parityCart]},
		{"[]int as []int64", []int{1, 2}, asAny[[]int64]},
		{"named int as *named int", parityID(5), asAny[*parityID]},
		{"map[string]int as map[string]float64", map[string]int{"a": 1}, asAny[map[string]float64]},
		{"Cart as JSON", parityCart{Items: 3}, asAny[sessions.JSON]},
		{"named int as Cart", parityID(5), asAny[parityCart]},
		{"Cart as named int", parityCart{Items: 1}, asAny[parityID]},
		{"func as Cart", func() {}, asAny[parityCart]},
	} {
		t.Run(c.name, func(t *testing.T) {
			goV, goOK := c.as(c.stored)
			enc, err := sessions.EncodeValue(c.stored)
			if err != nil {
				if goOK {
					t.Fatalf("EncodeValue: %v, yet As of the Go value = %#v, true", err, goV)
				}
				return // no store but the memory store keeps it
			}
			dec, err := sessions.DecodeValue(enc)
			if err != nil {
				t.Fatal(err)
			}
			jsonV, jsonOK := c.as(dec)
			if goOK != jsonOK || !reflect.DeepEqual(goV, jsonV) {
				t.Errorf("As of the Go value (memory store) = %s, %v; of its decoding %q (encoding stores) = %s, %v; want the same",
					show(goV), goOK, enc, show(jsonV), jsonOK)
			}
		})
	}
}

// show prints v and what a pointer in it points to.
func show(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("&%#v", rv.Elem().Interface())
	}
	return fmt.Sprintf("%#v", v)
}

// TestGetSameOnMemoryAndCookieStore checks the same through sessions: what
// one request stores, the next reads with Get the same from the memory
// store as from the cookie store, which encodes as the remote stores do.
func TestGetSameOnMemoryAndCookieStore(t *testing.T) {
	values := map[string]any{
		"cart": parityCart{Items: 2},
		"ptr":  &parityCart{Items: 4},
		"ids":  []int{1, 2},
	}
	read := func(s *sessions.Session) map[string]any {
		out := map[string]any{}
		if p, ok := sessions.Get[*parityCart](s, "cart"); ok && p != nil {
			out["Get[*Cart](cart)"] = *p
		} else {
			out["Get[*Cart](cart)"] = ok
		}
		out["Get[Cart](ptr)"] = fmt.Sprint(sessions.Get[parityCart](s, "ptr"))
		out["Get[[]int64](ids)"] = fmt.Sprint(sessions.Get[[]int64](s, "ids"))
		return out
	}
	sameOnMemoryAndCookie(t, values, read)
}

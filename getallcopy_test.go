package sessions_test

import (
	"reflect"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestGetAllReturnsCopies checks GetAll's doc, "a copy of every value in
// the session", for the values the codec stores natively: changing a
// []byte, []string, []any or map[string]any that GetAll or VisitAll
// returned, in place, changes neither the session nor the stored one. With
// the memory store they were the stored record's own, which every request
// shares: the change reached the next request without a Set (where an
// encoding store keeps the value as it was) and raced requests reading it.
func TestGetAllReturnsCopies(t *testing.T) {
	stored := func() map[string]any {
		return map[string]any{
			"bytes": []byte("ab"),
			"list":  []string{"a"},
			"any":   []any{[]byte("cd"), map[string]any{"k": []string{"x"}}},
			"map":   map[string]any{"b": []byte("ef"), "l": []any{"y"}},
			"json":  sessions.JSON(`[1]`),
		}
	}
	scribble := func(all map[string]any) {
		all["bytes"].([]byte)[0] = 'X'
		all["list"].([]string)[0] = "X"
		a := all["any"].([]any)
		a[0].([]byte)[0] = 'X'
		a[1].(map[string]any)["k"].([]string)[0] = "X"
		a[1].(map[string]any)["new"] = 1
		m := all["map"].(map[string]any)
		m["b"].([]byte)[0] = 'X'
		m["l"].([]any)[0] = "X"
		m["new"] = 1
		all["json"].(sessions.JSON)[1] = '2'
	}
	for _, tc := range []struct {
		name  string
		visit func(s *sessions.Session)
	}{
		{"GetAll", func(s *sessions.Session) { scribble(s.GetAll()) }},
		{"VisitAll", func(s *sessions.Session) {
			all := map[string]any{}
			s.VisitAll(func(k string, v any) { all[k] = v })
			scribble(all)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{})
			id := seedSession(t, m)
			do(t, m, id, func(s *sessions.Session) {
				for k, v := range stored() {
					s.Set(k, v)
				}
			})
			do(t, m, id, func(s *sessions.Session) {
				tc.visit(s)
				for k, want := range stored() {
					if got := s.Get(k); !reflect.DeepEqual(got, want) {
						t.Errorf("in the request: after changing what %s returned, Get(%q) = %#v, want %#v", tc.name, k, got, want)
					}
				}
			})
			do(t, m, id, func(s *sessions.Session) {
				for k, want := range stored() {
					if got := s.Get(k); !reflect.DeepEqual(got, want) {
						t.Errorf("the next request: after changing what %s returned, Get(%q) = %#v, want %#v", tc.name, k, got, want)
					}
				}
			})
		})
	}
}

// TestGetAllCopiesSharedValuesOnce checks that GetAll copies a map the
// session holds in several places, or inside itself (only the memory store
// without Options.MaxSize can hold such a value; no encoding store can),
// once: it returns, and the copy is shared as the original was.
func TestGetAllCopiesSharedValuesOnce(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	self := map[string]any{}
	self["self"] = self
	// 2^40 paths lead through this chain to its end.
	chain := map[string]any{"end": []byte("x")}
	for range 40 {
		chain = map[string]any{"a": chain, "b": chain}
	}
	do(t, m, id, func(s *sessions.Session) {
		s.Set("self", self)
		s.Set("chain", chain)
		all := s.GetAll()
		got := all["self"].(map[string]any)
		if reflect.ValueOf(got).Pointer() == reflect.ValueOf(self).Pointer() {
			t.Fatal("GetAll returned the session's own map")
		}
		if inner := got["self"].(map[string]any); reflect.ValueOf(inner).Pointer() != reflect.ValueOf(got).Pointer() {
			t.Error("the copy of a map holding itself does not hold itself")
		}
		c := all["chain"].(map[string]any)
		if reflect.ValueOf(c["a"]).Pointer() != reflect.ValueOf(c["b"]).Pointer() {
			t.Error("a map held twice was copied twice")
		}
	})
}

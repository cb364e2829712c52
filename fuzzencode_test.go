package sessions

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

// encodeDoc is a struct with no tag of its own in the codec: it goes through
// the JSON fallback and comes back, through As, as the same struct.
type encodeDoc struct {
	S  string
	B  []byte
	N  int64
	F  float64
	M  map[string]string
	L  []string
	TS time.Time
}

// FuzzEncodeValue builds values of the shapes an application stores from
// arbitrary strings, bytes and numbers, and checks the codec's promise for
// each: a value it encodes decodes back to what was stored (through As for
// a struct, from the Go value as from its JSON), and a value it cannot keep
// is refused with ErrUnsupportedValue or ErrTooLarge, never stored changed.
func FuzzEncodeValue(f *testing.F) {
	f.Add("alice", []byte("x"), int64(7), 2.5)
	f.Add("a\xffb", []byte{0xff, 0}, int64(-1), math.Inf(1))
	f.Add("\ufffd", []byte(nil), int64(math.MinInt64), math.NaN())
	f.Add("lmt", []byte(nil), int64(-52), 1.0) // Africa/Accra before 1918
	f.Add("\\ufffd\"<>&\u2028", []byte("\u2028"), int64(1)<<53+1, math.Copysign(0, -1))
	f.Fuzz(func(t *testing.T, s string, b []byte, n int64, fl float64) {
		when := time.Unix(n%(1<<38), n%1e9).In(time.FixedZone("", int(n%50000)))
		// encoding/json writes offsets in whole minutes (see EncodeValue).
		whenJSON := when.In(time.FixedZone("", int(n%1000)*60))
		for _, v := range []any{
			s, b, n, int(n), fl, []string{s, ""}, []any{s, n, fl, b},
			map[string]any{s: s, "b": b, "n": n, "f": fl, "l": []any{s}},
			when, time.Duration(n),
			encodeDoc{S: s, B: b, N: n, F: fl, M: map[string]string{s: s}, L: []string{s}, TS: whenJSON},
		} {
			enc, err := EncodeValue(v)
			if err != nil {
				if !errors.Is(err, ErrUnsupportedValue) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("EncodeValue(%#v): %v, want nil, ErrUnsupportedValue or ErrTooLarge", v, err)
				}
				continue
			}
			got, err := DecodeValue(enc)
			if err != nil {
				t.Fatalf("EncodeValue(%#v) = %q does not decode: %v", v, enc, err)
			}
			if doc, ok := v.(encodeDoc); ok {
				back, ok := As[encodeDoc](got)
				if !ok || !sameDoc(back, doc) {
					t.Fatalf("stored %#v, As gives back %#v, %v", doc, back, ok)
				}
				// Read as another type, it converts the same from the Go
				// value the memory store keeps as from the JSON.
				fromGo, okGo := As[*encodeDoc](v)
				fromJSON, okJSON := As[*encodeDoc](got)
				if !okGo || !okJSON || !sameDoc(*fromGo, *fromJSON) {
					t.Fatalf("stored %#v, As[*encodeDoc] gives %#v, %v from it and %#v, %v from its JSON; want the same", doc, fromGo, okGo, fromJSON, okJSON)
				}
				continue
			}
			if !sameValue(got, v) {
				t.Fatalf("stored %#v (%T), got back %#v (%T)", v, v, got, got)
			}
		}
	})
}

// sameValue reports whether got is what storing want must give back: the
// same type and value, with NaN equal to NaN, times compared as instants
// with the same offset, and nil and empty byte slices alike.
func sameValue(got, want any) bool {
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		return ok && (g == w && math.Signbit(g) == math.Signbit(w) || math.IsNaN(g) && math.IsNaN(w))
	case []byte:
		g, ok := got.([]byte)
		return ok && string(g) == string(w)
	case time.Time:
		g, ok := got.(time.Time)
		_, go_ := g.Zone()
		_, wo := w.Zone()
		return ok && g.Equal(w) && go_ == wo
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameValue(g[i], w[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k := range w {
			if !sameValue(g[k], w[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}

// sameDoc is sameValue for encodeDoc, field by field.
func sameDoc(g, w encodeDoc) bool {
	return g.S == w.S && string(g.B) == string(w.B) && g.N == w.N &&
		sameValue(g.F, w.F) && reflect.DeepEqual(g.M, w.M) && reflect.DeepEqual(g.L, w.L) && g.TS.Equal(w.TS)
}

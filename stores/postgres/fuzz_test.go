package postgres

import (
	"bytes"
	"errors"
	"sort"
	"testing"

	"github.com/sessionkit/sessions"
)

// FuzzDecodeRow feeds a loaded row's value names and bytes to decode, the
// only parser of what the sessions table holds, and round-trips fields
// through encode and decode as Create and Load do (the load query returns
// names in byte order). decode returns the row's values, in order, or an
// error wrapping sessions.ErrCorrupt; encode refuses only with
// ErrUnsupportedValue or ErrTooLarge, and what it accepts loads back equal,
// the last value of a repeated name winning.
func FuzzDecodeRow(f *testing.F) {
	for _, v := range []any{"kataras", 42, []any{"a", 1.5}, map[string]any{"k": []string{"v"}}} {
		b, err := sessions.EncodeValue(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(int16(rowVersion), "a", b, "b", []byte("7"))
	}
	f.Add(int16(rowVersion), "b", []byte("sx"), "a", []byte("1"))
	f.Add(int16(rowVersion), "x", []byte("sx"), "x", []byte("sy"))
	f.Add(int16(2), "a", []byte("1"), "b", []byte("2"))
	f.Add(int16(rowVersion), "a\x00", []byte(""), "\xff", []byte("L\x01\x05L\x01\x01n"))
	s := &Store{maxSize: 1 << 10}
	meta := sessions.Meta{Created: 1, Renewed: 2, LastSeen: 3, AuthTime: 4, Expires: 5, User: "u", UserAgent: "ua", CSRF: "c", Bind: "b"}
	f.Fuzz(func(t *testing.T, version int16, n1 string, v1 []byte, n2 string, v2 []byte) {
		// Any row.
		rec, err := s.decode(version, meta, []string{n1, n2}, [][]byte{v1, v2})
		if err != nil {
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Fatalf("decode: %v does not wrap ErrCorrupt", err)
			}
		} else {
			if version != rowVersion || rec.Meta != meta || len(rec.Fields) != 2 || rec.Fields[0].Key != n1 || rec.Fields[1].Key != n2 || n1 >= n2 {
				t.Fatalf("decode accepted version %d, names %q %q as %+v", version, n1, n2, rec)
			}
			for i, raw := range [][]byte{v1, v2} {
				want, _ := sessions.DecodeValue(raw)
				if !sameValue(t, rec.Fields[i].Value, want) {
					t.Fatalf("field %q: %#v, its bytes decode to %#v", rec.Fields[i].Key, rec.Fields[i].Value, want)
				}
			}
		}
		// Fields through encode, the load query's order, and decode.
		x1, err1 := sessions.DecodeValue(v1)
		x2, err2 := sessions.DecodeValue(v2)
		if err1 != nil || err2 != nil {
			return
		}
		names, vals, err := s.encode([]sessions.Field{{Key: n1, Value: x1}, {Key: n2, Value: x2}})
		if err != nil {
			if !errors.Is(err, sessions.ErrUnsupportedValue) && !errors.Is(err, sessions.ErrTooLarge) {
				t.Fatalf("encode: %v wraps neither ErrUnsupportedValue nor ErrTooLarge", err)
			}
			return
		}
		idx := make([]int, len(names))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return names[idx[a]] < names[idx[b]] })
		sn, sv := make([]string, len(idx)), make([][]byte, len(idx))
		for i, j := range idx {
			sn[i], sv[i] = names[j], vals[j]
		}
		got, err := s.decode(rowVersion, meta, sn, sv)
		if err != nil {
			t.Fatalf("encoded fields %q do not decode: %v", names, err)
		}
		want := map[string]any{n1: x1}
		want[n2] = x2 // the last value wins
		if len(got.Fields) != len(want) {
			t.Fatalf("%d fields stored, %d loaded", len(want), len(got.Fields))
		}
		for _, fl := range got.Fields {
			w, ok := want[fl.Key]
			if !ok || !sameValue(t, fl.Value, w) {
				t.Fatalf("field %q loaded as %#v, stored %#v", fl.Key, fl.Value, w)
			}
		}
	})
}

// sameValue compares codec values by their encodings (NaN included).
func sameValue(t *testing.T, a, b any) bool {
	t.Helper()
	ea, err := sessions.EncodeValue(a)
	if err != nil {
		t.Fatalf("EncodeValue(%#v): %v", a, err)
	}
	eb, err := sessions.EncodeValue(b)
	if err != nil {
		t.Fatalf("EncodeValue(%#v): %v", b, err)
	}
	return bytes.Equal(ea, eb)
}

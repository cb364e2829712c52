package sessions_test

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// nestLists returns 'n' (nil) wrapped in depth lists of one element each,
// as EncodeValue writes them.
func nestLists(depth int) []byte {
	v := []byte("n")
	for range depth {
		body := append(binary.AppendUvarint(nil, uint64(len(v))), v...)
		v = append([]byte{'L', 1}, body...)
	}
	return v
}

// TestDecodeValueRefusesMalformed checks that DecodeValue refuses, with an
// error wrapping ErrCorrupt, encodings EncodeValue never writes: a value
// with bytes after its end, a tag's payload out of its range, a count no
// bytes back, a nesting deeper than MaxDepth. Accepting one would hand the
// application a value other than the one stored (a wrapped integer, a bool
// from a stray byte), or one that re-encodes differently.
func TestDecodeValueRefusesMalformed(t *testing.T) {
	maxCount := binary.AppendUvarint(nil, math.MaxUint64)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"nil with a payload", []byte("nx")},
		{"bool neither 0 nor 1", []byte("B2")},
		{"float32 out of range", []byte("h1e39")},
		{"int8 out of range", []byte("i1300")},
		{"int16 out of range", []byte("i240000")},
		{"int32 out of range", []byte("i43000000000")},
		{"uint8 out of range", []byte("u1256")},
		{"uint16 out of range", []byte("u270000")},
		{"uint32 out of range", []byte("u45000000000")},
		{"strings with trailing bytes", []byte("S\x01\x01az")},
		{"list with trailing bytes", []byte("L\x01\x01nz")},
		{"map with trailing bytes", []byte("M\x01\x01a\x01nz")},
		{"strings counting 2^64-1", append([]byte("S"), maxCount...)},
		{"list counting 2^64-1", append([]byte("L"), maxCount...)},
		{"map counting 2^64-1", append([]byte("M"), maxCount...)},
		{"lists nested MaxDepth+1 deep", nestLists(sessions.MaxDepth + 1)},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			v, err := sessions.DecodeValue(tc.b)
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("DecodeValue(%q) = %#v, %v; want an error wrapping ErrCorrupt", tc.b, v, err)
			}
		})
	}
	// The deepest nesting EncodeValue writes still decodes.
	if v, err := sessions.DecodeValue(nestLists(sessions.MaxDepth)); err != nil {
		t.Errorf("DecodeValue of lists nested MaxDepth deep = %#v, %v; want the value", v, err)
	}
}

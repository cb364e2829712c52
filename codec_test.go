package sessions_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"github.com/sessionkit/sessions"
)

// forgedNest returns a value of about size bytes: lists ('L') or maps ('M')
// nested sessions.MaxDepth deep, each claiming as many elements as it has
// bytes left, and the innermost failing on its first element. A decoder
// that sizes its containers by the claimed counts allocates them all at
// every level before it reaches the error.
func forgedNest(tag byte, size int) []byte {
	inner := make([]byte, size) // first element: a zero length, refused
	v := append(binary.AppendUvarint([]byte{tag}, uint64(len(inner))), inner...)
	for range sessions.MaxDepth {
		var body []byte
		if tag == 'M' {
			body = []byte{0} // empty key
		}
		body = append(binary.AppendUvarint(body, uint64(len(v))), v...)
		v = append(binary.AppendUvarint([]byte{tag}, uint64(len(body))), body...)
	}
	return v
}

// TestDecodeForgedCountsBounded checks DecodeValue's and UnmarshalRecord's
// promise that a forged element count cannot force a huge allocation, also
// when containers are nested: decoding a forged value may allocate at most
// a small multiple of its size, and fails with ErrCorrupt.
func TestDecodeForgedCountsBounded(t *testing.T) {
	const size = 256 << 10
	for _, tc := range []struct {
		name   string
		tag    byte
		decode func([]byte) error
	}{
		{"DecodeValue lists", 'L', decodeValueErr},
		{"DecodeValue maps", 'M', decodeValueErr},
		{"UnmarshalRecord lists", 'L', unmarshalFieldErr},
		{"UnmarshalRecord maps", 'M', unmarshalFieldErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := forgedNest(tc.tag, size)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := tc.decode(b)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("decoding the forged value: %v, want ErrCorrupt", err)
			}
			if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(32*len(b)); got > limit {
				t.Errorf("decoding %d forged bytes allocated %d MB, want at most %d MB (32 times the input)",
					len(b), got>>20, limit>>20)
			}
		})
	}
}

func decodeValueErr(b []byte) error {
	_, err := sessions.DecodeValue(b)
	return err
}

// unmarshalFieldErr decodes a record holding b as its one field "k".
func unmarshalFieldErr(b []byte) error {
	// Version 1, five zero times, four empty strings, one field "k".
	rec := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'k'}
	rec = append(binary.AppendUvarint(rec, uint64(len(b))), b...)
	_, err := sessions.UnmarshalRecord(rec)
	return err
}

// TestMarshalRecordRoundTrips checks that a record MarshalRecord encodes is
// one UnmarshalRecord decodes ("decodes MarshalRecord's output"): a record
// the decoder would refuse is refused when it is encoded, with
// ErrUnsupportedValue, rather than written to a store (a cookie, a bbolt
// file) where the whole session is then lost as corrupt on its next load.
func TestMarshalRecordRoundTrips(t *testing.T) {
	for _, key := range []string{"cart", "", "ключ", "\xff", "a\xc3", "\xed\xa0\x80"} {
		rec := &sessions.Record{Meta: sessions.Meta{User: "u"}}
		rec.SetField(key, 1)
		b, err := sessions.MarshalRecord(rec)
		if err != nil {
			if !errors.Is(err, sessions.ErrUnsupportedValue) {
				t.Errorf("key %q: MarshalRecord: %v, want nil or ErrUnsupportedValue", key, err)
			}
			continue
		}
		got, err := sessions.UnmarshalRecord(b)
		if err != nil {
			t.Errorf("key %q: MarshalRecord succeeded, but UnmarshalRecord refuses its output: %v", key, err)
			continue
		}
		if v, ok := got.Lookup(key); !ok || v != 1 || got.User != "u" {
			t.Errorf("key %q: round trip gave %+v", key, got)
		}
	}
}

// TestEncodeDepthMatchesDecode checks that the encoder refuses what the
// decoder would: a value nested MaxDepth deep round-trips, one level deeper
// is refused when it is written (ErrUnsupportedValue), not stored to load
// as corrupt later, which would drop the whole session.
func TestEncodeDepthMatchesDecode(t *testing.T) {
	nest := func(depth int, wrap func(any) any) any {
		var v any = "leaf"
		for range depth {
			v = wrap(v)
		}
		return v
	}
	for _, c := range []struct {
		name string
		wrap func(any) any
	}{
		{"lists", func(v any) any { return []any{v} }},
		{"maps", func(v any) any { return map[string]any{"k": v} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := sessions.EncodeValue(nest(sessions.MaxDepth, c.wrap))
			if err != nil {
				t.Fatalf("a value nested MaxDepth (%d) deep: %v", sessions.MaxDepth, err)
			}
			if _, err := sessions.DecodeValue(b); err != nil {
				t.Fatalf("decoding a value nested MaxDepth deep: %v", err)
			}
			if _, err := sessions.EncodeValue(nest(sessions.MaxDepth+1, c.wrap)); !errors.Is(err, sessions.ErrUnsupportedValue) {
				t.Fatalf("a value nested MaxDepth+1 deep: %v, want ErrUnsupportedValue", err)
			}
		})
	}
}

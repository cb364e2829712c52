package sessions_test

import (
	"bytes"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestDecodeValueCopiesInput checks that a decoded []byte or JSON value
// holds bytes of its own, not a slice of DecodeValue's input: a store may
// decode from a buffer it reuses or gives back (bbolt's bytes are valid only
// within their transaction), and a value sharing it would change under the
// application, or change the buffer when the application writes to it.
func TestDecodeValueCopiesInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		enc  string
		get  func(any) []byte
	}{
		{"[]byte", "xabc", func(v any) []byte { b, _ := v.([]byte); return b }},
		{"JSON", `j"abc"`, func(v any) []byte { b, _ := v.(sessions.JSON); return b }},
		{"[]byte in a list", "L\x01\x04xabc", func(v any) []byte {
			l, _ := v.([]any)
			if len(l) != 1 {
				return nil
			}
			b, _ := l[0].([]byte)
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.enc)
			v, err := sessions.DecodeValue(in)
			if err != nil {
				t.Fatalf("DecodeValue(%q): %v", tc.enc, err)
			}
			got := tc.get(v)
			want := bytes.Clone(got)
			if len(want) == 0 {
				t.Fatalf("DecodeValue(%q) = %#v, want a value holding bytes", tc.enc, v)
			}
			for i := range in {
				in[i] = '#'
			}
			if !bytes.Equal(got, want) {
				t.Errorf("after DecodeValue(%q) its input was overwritten, and the value changed to %q: want %q, bytes of its own", tc.enc, got, want)
			}
		})
	}
}

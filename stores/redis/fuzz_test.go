package redis

import (
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// FuzzDecodeRecord feeds arbitrary hash contents to the decoder Load uses:
// it returns a record or an ErrCorrupt error, never panics.
func FuzzDecodeRecord(f *testing.F) {
	f.Add("v:name", "skataras", "m:e", "0")
	f.Add("v:l", "L\x02\x02s1\x011", "m:c", "12")
	f.Add("m:to", "abc", "m:v", "2")
	f.Add("v:m", "M\xff\xff\xff\xff\x0f", "x", "")
	f.Fuzz(func(t *testing.T, f1, v1, f2, v2 string) {
		h := map[string]string{fVersion: formatVersion, f1: v1, f2: v2}
		rec, err := decodeRecord(h, 1<<10)
		if err != nil {
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		for i := 1; i < len(rec.Fields); i++ {
			if rec.Fields[i-1].Key >= rec.Fields[i].Key {
				t.Fatalf("fields out of order: %v", rec.Fields)
			}
		}
	})
}

package redis

import (
	"testing"
)

// FuzzDecodeMeta checks that a listing (UserSessions, which reads the
// metadata with an HMGET of metaFields and decodeMeta) shows a session
// with the metadata Load (decodeRecord) gives it, whatever the hash holds:
// decodeMeta accepts exactly the hashes whose metadata decodeRecord
// accepts, but for a grace alias, which is no session to list.
func FuzzDecodeMeta(f *testing.F) {
	f.Add("m:c", "12", "m:u", "alice", "m:e", "99")
	f.Add("m:c", "x", "m:u", "bob", "", "")
	f.Add("m:to", "k", "m:c", "1", "m:a", "-4")
	f.Add("m:v", "2", "m:csrf", "s", "m:b", "b")
	f.Add("m:r", "+7", "m:l", "007", "m:ua", "\xff")
	f.Fuzz(func(t *testing.T, f1, v1, f2, v2, f3, v3 string) {
		h := map[string]string{fVersion: formatVersion}
		for _, kv := range [][2]string{{f1, v1}, {f2, v2}, {f3, v3}} {
			if kv[0] != "" {
				h[kv[0]] = kv[1]
			}
		}
		vals := make([]any, len(metaFields))
		meta := map[string]string{}
		for i, name := range metaFields {
			if v, ok := h[name]; ok {
				vals[i] = v
				meta[name] = v
			}
		}
		m, ok := decodeMeta(vals)
		rec, err := decodeRecord(meta, 1<<10)
		_, alias := h[fAliasTo]
		switch {
		case alias:
			if ok {
				t.Fatalf("decodeMeta lists the grace alias %q", h)
			}
		case ok != (err == nil):
			t.Fatalf("hash %q: decodeMeta ok = %v, decodeRecord: %v", h, ok, err)
		case ok && m != rec.Meta:
			t.Fatalf("hash %q: listed as %+v, loads as %+v", h, m, rec.Meta)
		}
	})
}

package redis

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestCountPrefixBytes checks that Count finds the sessions of a store
// whose prefix is any byte string Options accepts, not only valid UTF-8:
// the SCAN pattern must match the prefix's bytes as they are, glob
// characters escaped, so a prefix holding a byte such as 0xff (a binary
// namespace, or one cut from a longer UTF-8 string) counts its sessions.
func TestCountPrefixBytes(t *testing.T) {
	c := sharedClient(t)
	for _, tc := range []struct{ name, prefix string }{
		{"ASCII", "count-ascii:"},
		{"glob characters", `count-[*?\]:`},
		{"UTF-8", "count-ü:"},
		{"invalid UTF-8", "count-\xff:"},
		{"invalid UTF-8 and a glob character", "count-\xc3*:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s := newTestStore(t, c, Options{Prefix: testPrefix(t) + tc.prefix})
			now := time.Now().UnixNano()
			for _, id := range []string{"one", "two"} {
				rec := &sessions.Record{Meta: sessions.Meta{Created: now, Expires: now + int64(time.Hour)}}
				if err := s.Create(ctx, sessions.KeyOf(id), rec); err != nil {
					t.Fatal(err)
				}
			}
			n, err := s.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("Count with prefix %q = %d, want 2", s.prefix, n)
			}
		})
	}
}

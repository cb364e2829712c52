package redis

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// Increment counts every stored text that Load decodes as an int, including
// one another program wrote with leading zeros or as "-0", which
// sessions.DecodeValue accepts and HINCRBY alone does not: Load and
// Increment agree on what an int is. The field then holds the count in
// plain decimal.
func TestIncrementLeadingZeros(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			ctx := t.Context()
			s := newTestStore(t, c, p.o)
			for _, tc := range storetest.IntTexts {
				key, hk, field := withFieldText(t, s, c, "n", tc.Raw)
				rec, found, err := s.Load(ctx, key)
				if err != nil || !found {
					t.Fatalf("%q: Load = %v, %v", tc.Raw, found, err)
				}
				v, _ := rec.Lookup("n")
				if old, err := sessions.DecodeValue([]byte(tc.Raw)); err != nil || v != old {
					t.Fatalf("Load gives n = %#v; DecodeValue(%q) = %#v, %v", v, tc.Raw, old, err)
				}
				n, err := s.Increment(ctx, key, "n", tc.By)
				if err != nil || n != tc.Want {
					t.Errorf("Increment of the stored value %q (loaded as %v) by %d = %d, %v; want %d", tc.Raw, v, tc.By, n, err, tc.Want)
					continue
				}
				if text, err := c.HGet(ctx, hk, field).Result(); err != nil || text != strconv.FormatInt(tc.Want, 10) {
					t.Errorf("field text after Increment(%q by %d) = %q, %v; want %d", tc.Raw, tc.By, text, err, tc.Want)
				}
			}
			// Past the digits an int64 holds, the text is refused and
			// left as it was, leading zeros and all.
			for _, raw := range []string{"0099999999999999999999", "-00099999999999999999999", "007x"} {
				key, hk, field := withFieldText(t, s, c, "n", raw)
				n, err := s.Increment(ctx, key, "n", 1)
				text, _ := c.HGet(ctx, hk, field).Result()
				if !errors.Is(err, sessions.ErrNotInteger) || text != raw {
					t.Errorf("Increment(%q by 1) = %d, %v, text after %q; want ErrNotInteger and the text unchanged", raw, n, err, text)
				}
			}
		})
	}
}

// withFieldText creates a session whose field name holds text as another
// program would have written it, and returns its key, hash key and the
// field's hash field.
func withFieldText(t *testing.T, s *Store, c redis.UniversalClient, name, text string) (key, hk, field string) {
	t.Helper()
	key = storetest.NewKey(t)
	if err := s.Create(t.Context(), key, storetest.NewRecord(time.Hour, name, 1)); err != nil {
		t.Fatal(err)
	}
	hk, field = s.hashKey(key), valuePrefix+name
	if err := c.HSet(t.Context(), hk, field, text).Err(); err != nil {
		t.Fatal(err)
	}
	return key, hk, field
}

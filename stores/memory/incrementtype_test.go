package memory

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestIncrementOnlyInt checks that Increment counts only a field holding a
// Go int, as the sessions.Store contract says and the stores that encode
// values do: another integer type or a floating-point number, whole or
// not, is refused with ErrNotInteger and left as it was, not turned into
// an int.
func TestIncrementOnlyInt(t *testing.T) {
	ctx := context.Background()
	st := New(Options{CleanupInterval: time.Hour})
	defer st.Close()
	for _, v := range []any{float64(3), float32(2), 2.5, float64(0), int64(3), int32(1), uint8(7)} {
		k := shardKey(t, 1)
		rec := &sessions.Record{Meta: sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}}
		rec.SetField("n", v)
		if err := st.Create(ctx, k, rec); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Increment(ctx, k, "n", 1); !errors.Is(err, sessions.ErrNotInteger) {
			t.Errorf("Increment of %T(%v) = %d, %v; want ErrNotInteger", v, v, got, err)
		}
		r, _, _ := st.Load(ctx, k)
		if got, _ := r.Lookup("n"); got != v {
			t.Errorf("after Increment of %T(%v): n = %T(%v), want it unchanged", v, v, got, got)
		}
	}
}

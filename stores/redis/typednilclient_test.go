package redis

import (
	"errors"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestTypedNilClient checks that NewWithOptions refuses with ErrConfig a
// nil *redis.Client or *redis.ClusterClient passed as the interface (a
// client variable never assigned), as it refuses a nil interface. Accepted,
// such a store panicked inside go-redis on its first call, in a request.
func TestTypedNilClient(t *testing.T) {
	for _, c := range []redis.UniversalClient{(*redis.Client)(nil), (*redis.ClusterClient)(nil)} {
		t.Run(fmt.Sprintf("%T", c), func(t *testing.T) {
			s, err := NewWithOptions(c, Options{})
			if err != nil {
				if !errors.Is(err, sessions.ErrConfig) {
					t.Errorf("NewWithOptions = %v, want an error wrapping ErrConfig", err)
				}
				return
			}
			var loadErr error
			panicked := func() (p any) {
				defer func() { p = recover() }()
				_, _, loadErr = s.Load(t.Context(), storetest.NewKey(t))
				return nil
			}()
			t.Errorf("NewWithOptions(nil %T) = a store, nil error; want ErrConfig. Its first Load: panic %v, err %v", c, panicked, loadErr)
		})
	}
}

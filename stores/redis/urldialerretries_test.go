package redis

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestNewFromURLDialerRetries proves that dialer_retries in a store URL means
// what NewFromURL documents, for one server as for a cluster: an empty value
// counts as not given (one dial attempt, URLDialerRetries), and -1 means no
// retry (one attempt). A single-server URL refused the empty value as "not an
// integer", and -1 reached go-redis, which reads any value below 1 as its
// default of 5 attempts: the opposite of what was asked.
func TestNewFromURLDialerRetries(t *testing.T) {
	addr := sharedAddr() // the client is built, not dialled
	for _, tc := range []struct {
		url  string
		want int
	}{
		{"redis://" + addr + "/0?dialer_retries=", URLDialerRetries},
		{"redis://" + addr + "/0?dialer_retries=-1", 1},
		{"redis://" + addr + "/0?dialer_retries=3", 3},
		{"redis+cluster://" + addr + "?dialer_retries=", URLDialerRetries},
		{"redis+cluster://" + addr + "?dialer_retries=-1", 1},
		{"redis+cluster://" + addr + "?dialer_retries=3", 3},
	} {
		s, err := NewFromURL(tc.url)
		if err != nil {
			t.Errorf("NewFromURL(%q): %v", tc.url, err)
			continue
		}
		var got int
		switch c := s.c.(type) {
		case *redis.Client:
			got = c.Options().DialerRetries
		case *redis.ClusterClient:
			// Each node's client is built with it, and reads any value
			// below 1 as 5 attempts.
			got = c.Options().DialerRetries
		}
		s.Close()
		if got != tc.want {
			t.Errorf("NewFromURL(%q): %d dial attempts per connection, want %d", tc.url, got, tc.want)
		}
	}
}

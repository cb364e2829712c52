package redis

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions/storetest"
)

// TestNewFromURLEmptyValues: an option given without a value (as a URL
// template renders an unset variable: read_timeout=${T}) says nothing, so
// the client must fail fast as documented. go-redis parses the empty value
// as 0, its own defaults: 5s to dial and read, 3 retries per command and 5
// dial attempts per connection, which hold requests for many seconds while
// Redis is away and let a retried Increment count up to four times.
func TestNewFromURLEmptyValues(t *testing.T) {
	sharedClient(t) // skips without a server
	const q = "dial_timeout=&read_timeout=&write_timeout=&max_retries="
	for _, u := range []string{
		"redis://" + sharedAddr() + "/0?" + q,
		"redis://" + sharedAddr() + "/0?read_timeout=3s&" + q, // the last value counts, as in go-redis
		"redis+cluster://" + sharedAddr() + "?" + q + "&dialer_retries=",
	} {
		s, err := NewFromURL(u)
		if err != nil {
			t.Errorf("NewFromURL(%q): %v", u, err)
			continue
		}
		switch c := s.c.(type) {
		case *redis.Client:
			o := c.Options()
			wantFailFast(t, u, o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.MaxRetries, o.DialerRetries)
			// And the store works.
			key := storetest.NewKey(t)
			if err := s.Create(t.Context(), key, storetest.NewRecord(time.Minute, "n", 1)); err != nil {
				t.Errorf("%s: Create: %v", u, err)
			} else if err := s.Delete(t.Context(), key); err != nil {
				t.Errorf("%s: Delete: %v", u, err)
			}
		case *redis.ClusterClient:
			o := c.Options()
			wantFailFast(t, u, o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.MaxRetries, o.DialerRetries)
		}
		s.Close()
	}
}

// wantFailFast checks a client's options against the fail-fast defaults
// NewFromURL documents.
func wantFailFast(t *testing.T, u string, dial, read, write time.Duration, retries, dialRetries int) {
	t.Helper()
	if dial != URLTimeout || read != URLTimeout || write != URLTimeout || retries != URLMaxRetries || dialRetries != URLDialerRetries {
		t.Errorf("%s: dial %v, read %v, write %v, retries %d, dial attempts %d; want %v, %v, %v, %d, %d",
			u, dial, read, write, retries, dialRetries, URLTimeout, URLTimeout, URLTimeout, URLMaxRetries, URLDialerRetries)
	}
}

package redis

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions/storetest"
)

// TestNewFromURLSchemeCase: URL schemes are case-insensitive (RFC 3986
// section 3.1), and net/url and go-redis read "REDIS://" as "redis://".
// NewFromURL accepts every scheme it documents in any case, with the same
// meaning: TLS for rediss, a cluster client for +cluster.
func TestNewFromURLSchemeCase(t *testing.T) {
	for _, tc := range []struct {
		scheme  string
		cluster bool
		tls     bool
	}{
		{scheme: "REDIS"},
		{scheme: "Redis"},
		{scheme: "Rediss", tls: true},
		{scheme: "REDISS", tls: true},
		{scheme: "Redis+Cluster", cluster: true},
		{scheme: "REDISS+CLUSTER", cluster: true, tls: true},
	} {
		u := tc.scheme + "://127.0.0.1:6379"
		s, err := NewFromURL(u)
		if err != nil {
			t.Errorf("NewFromURL(%q): %v", u, err)
			continue
		}
		switch c := s.c.(type) {
		case *redis.Client:
			if tc.cluster || (c.Options().TLSConfig != nil) != tc.tls {
				t.Errorf("NewFromURL(%q): a client with TLS %v; want cluster %v, TLS %v", u, c.Options().TLSConfig != nil, tc.cluster, tc.tls)
			}
		case *redis.ClusterClient:
			if !tc.cluster || (c.Options().TLSConfig != nil) != tc.tls {
				t.Errorf("NewFromURL(%q): a cluster client with TLS %v; want cluster %v, TLS %v", u, c.Options().TLSConfig != nil, tc.cluster, tc.tls)
			}
		}
		s.Close()
	}

	// And the store works.
	sharedClient(t) // skips without a server
	s, err := NewFromURL("REDIS://" + sharedAddr() + "/0?key_prefix=" + testPrefix(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := storetest.NewKey(t)
	if err := s.Create(t.Context(), key, storetest.NewRecord(time.Minute, "n", 1)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, found, err := s.Load(t.Context(), key); !found || err != nil {
		t.Errorf("Load = found %v, %v", found, err)
	}
	if err := s.Delete(t.Context(), key); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

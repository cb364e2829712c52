package main

import (
	"testing"
	"time"
)

// TestRFC3339: the API's times are RFC 3339 in UTC whatever the zone they
// come in, and an unset (zero) time is "", not "0001-01-01T00:00:00Z".
func TestRFC3339(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Time{}, ""},
		{time.Date(2026, 3, 1, 12, 30, 5, 999, time.UTC), "2026-03-01T12:30:05Z"},
		{time.Date(2026, 3, 1, 14, 30, 5, 0, time.FixedZone("CEST", 2*3600)), "2026-03-01T12:30:05Z"},
		{time.Date(2026, 3, 1, 1, 0, 0, 0, time.FixedZone("EST", -5*3600)), "2026-03-01T06:00:00Z"},
	} {
		if got := rfc3339(tc.in); got != tc.want {
			t.Errorf("rfc3339(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

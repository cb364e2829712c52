package storeurl

import (
	"context"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/cmd/internal/testenv"
)

// TestSchemeAnyCase: a URL scheme is case-insensitive (RFC 3986, section
// 3.1), so -store REDIS://... or Postgres://... opens the store as its
// lower-case spelling does, rather than failing as an unknown -store (or,
// for PostgreSQL, as a malformed keyword/value connection string, which is
// how the driver reads anything not starting with a lower-case scheme).
func TestSchemeAnyCase(t *testing.T) {
	redisAddr := testenv.RequireRedis(t)
	_, _, pgURL := testenv.FreshSchema(t, "storeurl_case_", Redact)
	_, pgRest, _ := strings.Cut(pgURL, ":")
	for _, spec := range []string{
		"MEMORY",
		"Memory",
		"REDIS://" + redisAddr + "/0",
		"Redis://" + redisAddr + "/0",
		"POSTGRES:" + pgRest,
		"PostgreSQL:" + pgRest,
		"BOLT:" + t.TempDir() + "/Sessions.db",
	} {
		ctx := context.Background()
		st, closeStore, err := Open(ctx, spec, "")
		if err != nil {
			t.Errorf("Open(%q): %v; want the store its lower-case scheme opens", Redact(spec), err)
			continue
		}
		_, found, err := st.Load(ctx, sessions.KeyOf("schemecase-no-such-session"))
		if err != nil || found {
			t.Errorf("Open(%q): Load of a missing session = %v, %v; want false, nil", Redact(spec), found, err)
		}
		closeStore()
	}
}

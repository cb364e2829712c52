package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// openStore turns the -store flag into a store and a function that
// releases it.
func openStore(ctx context.Context, spec, key string) (sessions.Store, func(), error) {
	scheme, _, _ := strings.Cut(spec, ":")
	switch scheme {
	case "memory":
		s := memory.New(memory.Options{})
		return s, func() { s.Close() }, nil
	}
	return nil, nil, fmt.Errorf("unknown -store %q: use memory, redis://HOST:PORT/DB, redis+cluster://HOST:PORT,..., postgres://..., bolt:PATH or cookie", redactURL(spec))
}

// redactURL hides a password in a store URL for logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

package storeurl

import (
	"errors"
	"fmt"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// openCookieStore builds the encrypted cookie store from key text: one key,
// or a comma-separated ring with the newest first.
func openCookieStore(keys string) (sessions.Store, func(), error) {
	if keys == "" {
		return nil, nil, errors.New("-store cookie needs a key: pass -key or set " + cookie.KeyEnv + ": 32 random bytes as base64 or hex, e.g. from `openssl rand -base64 32`")
	}
	ring, err := cookie.ParseKeys(keys)
	if err != nil {
		return nil, nil, fmt.Errorf("cookie store key: %w", err)
	}
	s, err := cookie.New(ring...)
	if err != nil {
		return nil, nil, err
	}
	return s, func() {}, nil
}

package sessions

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// BindUserAgent is an Options.Bind function that ties a session to the
// browser family and major version from the User-Agent, so a browser update
// within a major version does not trip it. It stops only the crudest cookie
// theft: the User-Agent is easy to copy.
func BindUserAgent(r *http.Request) string {
	ua := r.UserAgent()
	// Keep everything up to the first '.' after the last '/' of each
	// product token: "Firefox/133.0" binds as "Firefox/133".
	var b strings.Builder
	for _, tok := range strings.Fields(ua) {
		if i := strings.IndexByte(tok, '/'); i >= 0 {
			if j := strings.IndexByte(tok[i:], '.'); j >= 0 {
				tok = tok[:i+j]
			}
		}
		b.WriteString(tok)
		b.WriteByte(' ')
	}
	return b.String()
}

func bindDigest(v string) string {
	sum := sha256.Sum256([]byte("sessions-bind\x00" + v))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// equalSecret compares two secrets in constant time.
func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

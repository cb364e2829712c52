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
	// Keep each version in the User-Agent up to its major number: a token
	// ends at the first '.' or '_' that follows a digit. "Firefox/133.0"
	// binds as "Firefox/133", and Safari on iOS, which updates with the
	// system, "CPU iPhone OS 17_4_1" as "CPU iPhone OS 17". Android's
	// system build, which its WebView names and each monthly security
	// update changes after the first '.', keeps its release:
	// "Build/AP2A.240805.005" binds as "Build/AP2A".
	var b strings.Builder
	for _, tok := range strings.Fields(ua) {
		build := strings.HasPrefix(tok, "Build/")
		for i := 1; i < len(tok); i++ {
			if (tok[i] == '.' || tok[i] == '_') && (build || '0' <= tok[i-1] && tok[i-1] <= '9') {
				tok = tok[:i]
				break
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

// Package sessions provides server-side HTTP sessions for net/http: a cookie
// carries an unguessable ID, and the data lives in a store — in memory, in an
// embedded bbolt file, in Redis (single node, Sentinel or Cluster), in
// PostgreSQL, or encrypted in the cookie itself.
//
// # Quick start
//
// The short constructor takes a registered store name, the cookie name and
// the idle timeout:
//
//	import (
//		"github.com/sessionkit/sessions"
//		_ "github.com/sessionkit/sessions/stores/memory"
//	)
//
//	var sess = sessions.New("memory", "sid", 60*time.Minute)
//
//	func set(w http.ResponseWriter, r *http.Request) {
//		s := sess.Start(w, r)
//		s.Set("name", "kataras")
//		fmt.Fprintf(w, "All ok session setted to: %s", s.Get("name"))
//	}
//
// Wrap the application in [Manager.Handler] to batch each request's changes
// into one commit, made just before the response's first byte:
//
//	http.ListenAndServe(":8080", sess.Handler(mux))
//
// Without the middleware every change is written through at once.
//
// # Stores
//
// A store implements [Store]: load, create-if-absent, delta commit, atomic
// increment, delete and rename. [UserIndex] is the optional capability to
// list and revoke a user's sessions, [RenameCommitter] to rename and commit
// in one step, and [Counter] to count live sessions (for administration).
// Stores only ever see [KeyOf] of an ID, the SHA-256 of the cookie value,
// never the cookie value itself. Package storetest is the conformance suite
// every store passes. [NewManager] takes a store value and [Options];
// [Register] and [New] are the name-based shortcut.
//
// # Concurrency
//
// A commit writes only what the request changed, so concurrent requests on
// one session that set different keys never lose each other's writes, and
// [Session.Increment] counts atomically in the store. A commit never brings
// back a session that another request destroyed or renewed meanwhile.
//
// # Security defaults
//
// IDs are 256 bits from crypto/rand. An ID the server did not issue, or that
// expired, is never adopted (strict mode); malformed cookie values are
// dropped before any store call. The cookie is HttpOnly, Secure,
// SameSite=Lax, Path=/, host-only and ends with the browser session; the
// default name is "__Host-id". Idle timeout (30 minutes) and absolute
// lifetime (12 hours) are enforced on every read from the session's own
// metadata. [Session.Login] renews the ID, restarts the lifetime, rotates the
// CSRF secret and carries over only allowlisted keys. The middleware refuses
// cross-site unsafe requests (net/http's CrossOriginProtection) and requires
// the session's masked CSRF token ([Session.CSRFToken]) on them. A store
// failure answers the request with the error handler instead of running it
// with a missing identity. See SECURITY.md in the repository.
package sessions

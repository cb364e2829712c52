// Package cookie is the client-side session store: the whole session (its
// values and metadata) travels in the session cookie, encrypted and
// authenticated with AES-256-GCM. The server keeps nothing, so there is no
// database to run and nothing to share between instances; the price is a
// 4 KB limit and no server-side revocation (see [Limits]).
//
// # Usage
//
// Give the manager a [Store] made from your key:
//
//	keys, err := cookie.ParseKeys(os.Getenv(cookie.KeyEnv)) // "NEW,OLD", base64 or hex
//	if err != nil {
//		log.Fatal(err)
//	}
//	store, err := cookie.New(keys...)
//	if err != nil {
//		log.Fatal(err)
//	}
//	m, err := sessions.NewManager(store, sessions.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.ListenAndServe(":8080", m.Handler(mux))
//
// Everything else is the same as with a server-side store: Set, Get,
// Login, Renew, Destroy, CSRFToken. The manager detects that the store
// implements [sessions.ClientStore] and seals the session into a new cookie
// whenever it changes instead of writing to a server. The manager calls
// none of the [sessions.Store] methods of a Store: Load finds nothing, and
// the others report [sessions.ErrNotSupported].
//
// Importing the package also registers the store as "cookie" for
// [sessions.New], reading the key ring from $SESSIONS_COOKIE_KEY:
//
//	import _ "github.com/sessionkit/sessions/stores/cookie"
//	m := sessions.New("cookie", "sid", 30*time.Minute)
//
// # Keys
//
// Each key is exactly 32 random bytes. Make one with [GenerateKey], or with
// `openssl rand -base64 32`, and read the text with [ParseKey] or
// [ParseKeys]. [New] refuses a missing or short key, an all-zero or
// counting key, printable text (a password is not a key), and every key
// printed in documentation, this package's included: such keys protect
// nothing, and the Shiro and Laravel incidents show that they end up in
// production.
//
// The AES key is derived from each configured key with HKDF-SHA-256, so a
// key shared with other code by mistake is not used as-is.
//
// # Key rotation
//
// The store holds a key ring, newest first. It seals with the newest key
// and opens with any. A cookie opened with an older key is sealed again
// under the newest in the same response (the store implements
// [sessions.ClientKeyRing]), keeping the session and its ID. To rotate:
//
//  1. Deploy with [NEW, OLD]. Every visiting client gets its cookie
//     re-sealed under NEW.
//  2. After the absolute lifetime (Options.Lifetime) has passed, no live
//     cookie needs OLD: deploy with [NEW] alone.
//
// Dropping a key makes every cookie sealed under it invalid at once: the
// client gets a fresh session. That is also the emergency brake when a key
// leaks (everyone is logged out).
//
// Each seal draws a random 96-bit GCM nonce, and NIST SP 800-38D caps
// random-nonce GCM at 2^32 seals per key. Every response that changes a
// session is one seal: at a thousand a second the cap is about 50 days
// away, so rotate keys monthly at such rates, and in any case yearly.
//
// # Format
//
// A cookie value is unpadded base64url of
//
//	version (1 byte, 1) | nonce (12 random bytes) | AES-256-GCM ciphertext and tag (16 bytes)
//
// The plaintext is the session's random ID (length-prefixed) followed by
// [sessions.MarshalRecord] of the record: metadata (created, renewed, last
// seen, auth time, expiry, user, CSRF secret, binding) and values. The
// additional authenticated data binds the version byte, the purpose
// (Options.Purpose, default "session") and the cookie name, so a value moved
// to another cookie (the CSRF cookie, say) does not open, nor one moved to
// another application with the same keys and a different Purpose. Two
// applications that share keys, the cookie name and the default Purpose
// open each other's cookies: a user of one would be logged in to the other
// under the same user name. Give each application its own keys, or its own
// Purpose. Open authenticates before it decodes
// anything, refuses every value it cannot authenticate with the same error
// (wrapping [sessions.ErrCorrupt]), and only accepts the exact base64url
// alphabet, so no two strings open as the same value.
//
// The session ID inside the cookie is what [sessions.Session.ID] hashes
// into the session's handle; it is stable until Renew or Login, so the CSRF
// token is bound to it and a token minted before a renewal no longer
// verifies.
//
// The payload is not compressed: compressing secrets together with
// attacker-influenced values before encryption leaks them through the
// length (CRIME, BREACH).
//
// # Expiry
//
// The idle timeout and the absolute lifetime are enforced by the manager
// from the sealed metadata (LastSeen and Created), never from the cookie's
// Max-Age: a client that keeps an old cookie, or a replayed copy, is
// refused once either deadline has passed, although the value still
// authenticates.
//
// # Limits
//
// Size: a cookie's name plus value is at most 4096 bytes, what browsers
// keep ([MaxCookieSize]). About 2.9 KB of session data fits under the
// default cookie name. A larger session is refused by Seal with
// [ErrCookieTooLarge] (wrapping [sessions.ErrTooLarge]); the manager then
// answers with its error handler (413 by default) and sends no Set-Cookie,
// so the client keeps its previous, valid cookie. The store never splits a
// session over several cookies: every request would carry several 4 KB
// headers (servers and proxies cap request headers, often at 8 KB), and a
// browser that drops or evicts one part leaves a session that cannot be
// opened. Keep large data on the server and its key in the session.
//
// Revocation: there is none on the server. The store keeps no state, so it
// cannot delete what a client holds. Destroy (and Logout) expire the cookie
// in the browser, and Renew and Login replace it, but a copy of an earlier
// cookie, taken by malware, a logging proxy or on a shared computer, keeps
// opening until its idle timeout or absolute lifetime passes. For the same
// reason Manager.UserSessions and Manager.DestroyUserSessions report
// [sessions.ErrNotSupported] ("log out everywhere" is impossible), so does
// Manager.DestroySession (no request can end another client's cookie), and
// Options.MaxPerUser is refused.
// Options that rest on server-side state do less here: after a rotation
// (RotateAfter) the old cookie opens until its deadlines pass, whatever
// RotateGrace says; BindDestroy refuses a mismatched request but cannot
// end the stolen cookie; and Guessing counts nothing, since a cookie that
// does not authenticate is reported as EventCorrupt and there are no IDs to
// guess. A request still in flight when the user logs out can issue the
// logged-in cookie again, if its response reaches the browser after the
// logout's. Keep IdleTimeout and Lifetime short with this store, and use a
// server-side store (memory, Redis, PostgreSQL, bbolt) where logout must
// take effect at once. Dropping keys from the ring logs everyone out.
//
// Concurrency: every response carries a whole new cookie, and the browser
// keeps the last one it receives. Two concurrent requests that change the
// session each seal their own version and one of them is lost;
// Session.Increment is atomic only within a request.
//
// # Conformance
//
// The store passes storetest.RunClient, the suite for client-side stores.
// The server-side suite storetest.Run does not apply: there is no
// insert-if-absent Create or update-only Commit (there is no record on the
// server), no delta commit that survives concurrent requests (see
// Concurrency), no atomic Increment across requests, no Rename with a grace
// period (Renew seals under a new ID; the old cookie cannot be killed), no
// user index, and no server-side expiry (the manager checks the sealed
// deadlines instead).
package cookie

// Package e2e drives a real browser, headless Chromium through the Chrome
// DevTools Protocol (chromedp), against an application built on the
// library's defaults, and checks what the browser itself does with them:
//
//   - the session cookie is HttpOnly: page scripts cannot read it, while
//     the browser sends it on every navigation;
//   - the cookie the browser stored is __Host-id, Secure, HttpOnly,
//     SameSite=Lax, Path=/, host-only and a browser-session cookie;
//   - a same-origin fetch with the page's CSRF token passes, one without
//     it (or with a wrong one) is answered 403;
//   - a page on another site (http://127.0.0.1 against the app's
//     http://localhost) that auto-submits a form or fetches with
//     credentials changes nothing in the session and reads nothing;
//   - logout removes the cookie from the browser's jar, and each login
//     gets a fresh session ID (session fixation); an ID planted in the jar
//     or a logged-out one put back is not adopted;
//   - the demo server (cmd/demo, built and run as a process with its
//     default flags) does the same through its JSON API, and refuses a
//     text/plain form from another site that its JSON decoder would take
//     for a login.
//
// The application is built in the tests from the library (the memory store,
// Manager.Handler, a few routes) and served by httptest over plain HTTP on
// loopback; the demo listens on loopback too. Chromium treats
// http://localhost as a secure context, so it keeps Secure and __Host-
// cookies there. The other site is http://127.0.0.1. One browser serves the
// whole test binary; each test opens its own browser context (an
// incognito-like profile with its own cookie jar).
//
// The package holds only tests. Run it with the rest of the repository
// (go test -race github.com/sessionkit/sessions/...) or alone:
//
//	cd e2e && go test -race ./...
//
// It needs Chromium: /usr/bin/chromium (on Debian, apt-get install
// chromium), or the binary that SESSIONS_CHROMIUM names. Without one the
// tests skip with a SKIP-NO-SERVER message, which .ci/run counts as a
// failure. chromedp lives in this module only, so no other module of the
// repository depends on it.
package e2e

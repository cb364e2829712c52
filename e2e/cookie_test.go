package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The session cookie is HttpOnly: a script on the app's own page does not
// see it in document.cookie, yet the browser sends it, so a value set in
// one request is there after a reload.
func TestSessionCookieHiddenFromScripts(t *testing.T) {
	ctx := tab(t)
	a := newApp(t)

	st, token := a.pageState(t, ctx)
	if len(st.Values) != 0 || st.User != "" {
		t.Fatalf("a first visit shows %+v, want an empty anonymous session", st)
	}
	if a.sessionCookie(t, ctx) == nil {
		t.Fatalf("after the first visit the browser holds no %s cookie for %s", a.m.CookieName(), a.url)
	}
	docCookie := eval[string](t, ctx, `document.cookie`)
	if !strings.Contains(docCookie, "visible=yes") {
		t.Fatalf("document.cookie = %q, want it to show the page's script-readable cookie visible=yes", docCookie)
	}
	if strings.Contains(docCookie, a.m.CookieName()) {
		t.Fatalf("document.cookie = %q shows the session cookie %s to page scripts", docCookie, a.m.CookieName())
	}

	if res := post(t, ctx, "/api/values/color", map[string]string{"value": "blue"}, token); res.Status != http.StatusNoContent {
		t.Fatalf("same-origin POST /api/values/color = %+v, want 204", res)
	}
	mark := a.mark()
	run(t, ctx, chromedp.Reload())
	text := get(t, ctx, chromedp.Text(chromedp.ID("state")))
	if !strings.Contains(text, `"color":"blue"`) {
		t.Fatalf("after a reload the page shows %s, want the value color=blue set before it", text)
	}
	if h := a.waitRequest(t, mark, "GET", "/"); !h.HadCookie {
		t.Fatalf("the reload reached the app without the session cookie: %+v", h)
	}
}

// The cookie as Chromium stored it carries the library's defaults.
func TestSessionCookieAttributes(t *testing.T) {
	ctx := tab(t)
	a := newApp(t)
	a.pageState(t, ctx)
	c := a.sessionCookie(t, ctx)
	if c == nil {
		t.Fatalf("the browser holds no %s cookie for %s; it holds %s", a.m.CookieName(), a.url, describe(cookies(t, ctx, a.url+"/")))
	}
	for _, tc := range []struct {
		attr      string
		got, want any
	}{
		{"name", c.Name, "__Host-id"},
		{"Secure", c.Secure, true},
		{"HttpOnly", c.HTTPOnly, true},
		{"SameSite", c.SameSite, network.CookieSameSiteLax},
		{"Path", c.Path, "/"},
		{"Domain (host-only: the host itself, no leading dot)", c.Domain, "localhost"},
		{"session cookie (ends with the browser session)", c.Session, true},
		{"expires (-1: none)", c.Expires, float64(-1)},
		{"partitioned", c.PartitionKey == nil, true},
		{"value is a 256-bit ID in unpadded base64url (43 characters)", len(c.Value), 43},
	} {
		if tc.got != tc.want {
			t.Errorf("cookie %s = %v, want %v", tc.attr, tc.got, tc.want)
		}
	}
	if t.Failed() {
		t.Logf("cookie: %s", describe([]*network.Cookie{c}))
	}
}

// Logout removes the cookie from the browser's jar, and every login gets a
// session ID the browser has not held before, so an ID known before login
// (planted, or seen while anonymous) is worth nothing after it.
func TestLogoutRemovesCookieAndLoginRenewsID(t *testing.T) {
	ctx := tab(t)
	a := newApp(t)
	seen := map[string]string{} // cookie value -> when the browser held it
	remember := func(when string) string {
		t.Helper()
		c := a.sessionCookie(t, ctx)
		if c == nil {
			t.Fatalf("%s: the browser holds no %s cookie", when, a.m.CookieName())
		}
		if before, ok := seen[c.Value]; ok {
			t.Fatalf("%s: the browser holds the same session ID as %s", when, before)
		}
		seen[c.Value] = when
		return c.Value
	}
	login := func(user string) {
		t.Helper()
		_, token := a.pageState(t, ctx)
		remember("before logging in " + user)
		if res := post(t, ctx, "/api/login", map[string]string{"user": user}, token); res.Status != http.StatusNoContent {
			t.Fatalf("POST /api/login = %+v, want 204", res)
		}
		remember("after logging in " + user)
		if st, _ := a.pageState(t, ctx); st.User != user {
			t.Fatalf("after logging in %s the page shows user %q", user, st.User)
		}
	}

	login("alice")
	_, token := a.pageState(t, ctx)
	loggedIn := a.sessionCookie(t, ctx).Value
	if res := post(t, ctx, "/api/logout", nil, token); res.Status != http.StatusNoContent {
		t.Fatalf("POST /api/logout = %+v, want 204", res)
	}
	if c := a.sessionCookie(t, ctx); c != nil {
		t.Fatalf("after logout the browser still holds %s", describe([]*network.Cookie{c}))
	}
	if st, _ := a.pageState(t, ctx); st.User != "" {
		t.Fatalf("after logout the page shows user %q", st.User)
	}
	login("alice")

	// The logged-out ID, put back into the jar, is not a session any more.
	run(t, ctx, setSessionCookie(a, loggedIn))
	if st, _ := a.pageState(t, ctx); st.User != "" || len(st.Values) != 0 {
		t.Fatalf("with the logged-out session's cookie put back the page shows %+v, want an empty anonymous session", st)
	}
	remember("after visiting with the logged-out ID")
}

// An ID the browser was made to hold (set by a sibling subdomain, say, or
// by an attacker with the victim's machine) is not adopted: the server
// answers with an ID of its own, and a login renews that too.
func TestPlantedSessionIDReplaced(t *testing.T) {
	ctx := tab(t)
	a := newApp(t)
	const planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	run(t, ctx, setSessionCookie(a, planted))
	if c := a.sessionCookie(t, ctx); c == nil || c.Value != planted {
		t.Fatalf("planting the cookie failed: the browser holds %s", describe(cookies(t, ctx, a.url+"/")))
	}
	_, token := a.pageState(t, ctx)
	c := a.sessionCookie(t, ctx)
	if c == nil || c.Value == planted {
		t.Fatalf("after a visit with a planted ID the browser holds %s, want a new ID from the server", describe(cookies(t, ctx, a.url+"/")))
	}
	anon := c.Value
	if res := post(t, ctx, "/api/login", map[string]string{"user": "alice"}, token); res.Status != http.StatusNoContent {
		t.Fatalf("POST /api/login = %+v, want 204", res)
	}
	if c := a.sessionCookie(t, ctx); c == nil || c.Value == anon || c.Value == planted {
		t.Fatalf("after login the browser holds %s, want an ID other than the anonymous one and the planted one", describe(cookies(t, ctx, a.url+"/")))
	}
}

// setSessionCookie puts a session cookie with value into the browser's jar
// for the app, with the attributes the app's own cookie has.
func setSessionCookie(a *app, value string) chromedp.Action[chromedp.Void] {
	on := true
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{
			Name:     a.m.CookieName(),
			Value:    value,
			URL:      a.url + "/",
			Path:     "/",
			Secure:   &on,
			HTTPOnly: &on,
			SameSite: network.CookieSameSiteLax,
		})
		return err
	})
}

// describe lists cookies with their attributes, for failure messages.
func describe(cs []*network.Cookie) string {
	if len(cs) == 0 {
		return "no cookies"
	}
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Name + "=" + c.Value + " domain=" + c.Domain + " path=" + c.Path)
		for _, f := range []struct {
			on   bool
			name string
		}{{c.Secure, "Secure"}, {c.HTTPOnly, "HttpOnly"}, {c.Session, "session"}} {
			if f.on {
				b.WriteString(" " + f.name)
			}
		}
		b.WriteString(" samesite=" + c.SameSite.String())
	}
	return b.String()
}

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A same-origin fetch passes the CSRF checks with the token the page
// embeds, in the header or in the form, and is refused 403, before the
// handler runs, without it or with a wrong one.
func TestCSRFSameOriginFetch(t *testing.T) {
	ctx := tab(t)
	a := newApp(t)
	_, token := a.pageState(t, ctx)
	if token == "" {
		t.Fatal("the app's page embeds no CSRF token")
	}
	// One character of the mask changed: the token still decodes, but no
	// longer unmasks to the session's secret. (Not the last character: of
	// an unpadded base64 string its low bits may be padding.)
	c := byte('A')
	if token[0] == 'A' {
		c = 'B'
	}
	tampered := string(c) + token[1:]

	for _, tc := range []struct {
		name   string
		form   map[string]string
		header string
		want   int
	}{
		{"token in X-CSRF-Token", nil, token, http.StatusNoContent},
		{"token in the csrf_token field", map[string]string{"csrf_token": token}, "", http.StatusNoContent},
		{"no token", nil, "", http.StatusForbidden},
		{"tampered token in X-CSRF-Token", nil, tampered, http.StatusForbidden},
		{"tampered token in the csrf_token field", map[string]string{"csrf_token": tampered}, "", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := strings.ReplaceAll(tc.name, " ", "-")
			form := map[string]string{"value": "set"}
			for k, v := range tc.form {
				form[k] = v
			}
			mark := a.mark()
			res := post(t, ctx, "/api/values/"+key, form, tc.header)
			if res.Status != tc.want {
				t.Fatalf("POST /api/values/%s = %+v, want %d", key, res, tc.want)
			}
			h := a.waitRequest(t, mark, "POST", "/api/values/"+key)
			if h.SecFetchSite != "same-origin" || !h.HadCookie {
				t.Errorf("the request reached the app as %+v, want Sec-Fetch-Site same-origin with the session cookie", h)
			}
			if h.Handled != (tc.want == http.StatusNoContent) {
				t.Errorf("handler ran = %v for an answer %d", h.Handled, res.Status)
			}
			st, _ := a.pageState(t, ctx)
			if _, stored := st.Values[key]; stored != (tc.want == http.StatusNoContent) {
				t.Errorf("after the answer %d the session holds %s: %v, want %v", res.Status, key, stored, !stored)
			}
		})
	}
}

// A page on another site cannot act on the user's session: a form it
// submits on its own is refused before any handler runs, whatever it
// carries, and a fetch cannot read the app's answers. Afterwards the app's
// own page shows the session as it was, under the same cookie.
func TestCrossSiteRequestsRefused(t *testing.T) {
	ctx := tab(t)
	a := newApp(t)

	// The victim's session: a value, and a token an attacker might have
	// seen (leaked in a log, a Referer, a screenshot).
	_, token := a.pageState(t, ctx)
	if res := post(t, ctx, "/api/values/color", map[string]string{"value": "blue"}, token); res.Status != http.StatusNoContent {
		t.Fatalf("same-origin POST /api/values/color = %+v, want 204", res)
	}
	before, token := a.pageState(t, ctx)
	cookie := a.sessionCookie(t, ctx).Value

	autoSubmit := func(path string, fields map[string]string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<!doctype html><form method="POST" action="%s%s">`, html.EscapeString(a.url), html.EscapeString(path))
		for k, v := range fields {
			fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
		}
		b.WriteString(`</form><script>document.forms[0].submit()</script>`)
		return b.String()
	}
	evil := attacker(t, map[string]string{
		"/":             `<!doctype html><title>elsewhere</title>`,
		"/set":          autoSubmit("/api/values/color", map[string]string{"value": "red"}),
		"/set-token":    autoSubmit("/api/values/color", map[string]string{"value": "red", "csrf_token": token}),
		"/login":        autoSubmit("/api/login", map[string]string{"user": "mallory"}),
		"/login-token":  autoSubmit("/api/login", map[string]string{"user": "mallory", "csrf_token": token}),
		"/logout-token": autoSubmit("/api/logout", map[string]string{"csrf_token": token}),
	})

	t.Run("form", func(t *testing.T) {
		for _, tc := range []struct {
			page, path string
		}{
			{"/set", "/api/values/color"},
			{"/set-token", "/api/values/color"},
			{"/login", "/api/login"},
			{"/login-token", "/api/login"},
			{"/logout-token", "/api/logout"},
		} {
			t.Run(strings.TrimPrefix(tc.page, "/"), func(t *testing.T) {
				mark := a.mark()
				run(t, ctx, chromedp.Navigate(evil+tc.page))
				h := a.waitRequest(t, mark, "POST", tc.path)
				if h.Status != http.StatusForbidden || h.Handled {
					t.Errorf("the app answered the cross-site form %d (handler ran: %v), want 403 before the handler", h.Status, h.Handled)
				}
				if h.SecFetchSite != "cross-site" {
					t.Errorf("Sec-Fetch-Site = %q, want cross-site", h.SecFetchSite)
				}
				if h.HadCookie {
					t.Errorf("the browser sent the SameSite=Lax session cookie on a cross-site form POST")
				}
				unchanged(t, ctx, a, before, cookie)
			})
		}
	})

	t.Run("fetch", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path, init string
			// sent: the request reaches the app (no preflight stops it).
			sent bool
		}{
			{"GET with credentials", "GET", "/api/session", `{credentials: "include"}`, true},
			{"POST form with credentials", "POST", "/api/values/color", fmt.Sprintf(`{method: "POST", credentials: "include", body: new URLSearchParams(%s)}`, jsonString(map[string]string{"value": "red", "csrf_token": token})), true},
			{"POST no-cors with credentials", "POST", "/api/values/color", fmt.Sprintf(`{method: "POST", mode: "no-cors", credentials: "include", body: new URLSearchParams(%s)}`, jsonString(map[string]string{"value": "red", "csrf_token": token})), true},
			// A custom header needs a CORS preflight, which the app does not grant.
			{"POST with X-CSRF-Token", "POST", "/api/values/color", fmt.Sprintf(`{method: "POST", credentials: "include", headers: {"X-CSRF-Token": %q}, body: new URLSearchParams({value: "red"})}`, token), false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				run(t, ctx, chromedp.Navigate(evil+"/"))
				mark := a.mark()
				res := eval[fetchResult](t, ctx, fetchJS(a.url+tc.path, tc.init))
				if res.Body != "" || (res.Status != 0 && res.Error == "") {
					t.Errorf("the attacker's page read the app's answer: %+v", res)
				}
				if tc.sent {
					h := a.waitRequest(t, mark, tc.method, tc.path)
					if h.HadCookie {
						t.Errorf("the browser sent the SameSite=Lax session cookie on a cross-site fetch: %+v", h)
					}
					if tc.method == "POST" && (h.Status != http.StatusForbidden || h.Handled) {
						t.Errorf("the app answered the cross-site POST %d (handler ran: %v), want 403 before the handler", h.Status, h.Handled)
					}
				} else if hs := a.requests(mark, tc.method, tc.path); len(hs) > 0 {
					t.Errorf("the browser sent %s %s without a granted preflight: %+v", tc.method, tc.path, hs)
				}
				unchanged(t, ctx, a, before, cookie)
			})
		}
	})
}

// A link from another site is a top-level GET navigation: SameSite=Lax
// sends the cookie, so the user arrives logged in (Strict would not).
func TestCrossSiteLinkKeepsSession(t *testing.T) {
	ctx := tab(t)
	a := newApp(t)
	_, token := a.pageState(t, ctx)
	if res := post(t, ctx, "/api/values/color", map[string]string{"value": "blue"}, token); res.Status != http.StatusNoContent {
		t.Fatalf("same-origin POST /api/values/color = %+v, want 204", res)
	}
	evil := attacker(t, map[string]string{
		"/": fmt.Sprintf(`<!doctype html><a id="go" href="%s/">app</a>`, html.EscapeString(a.url)),
	})
	run(t, ctx, chromedp.Navigate(evil+"/"))
	mark := a.mark()
	run(t, ctx, chromedp.Click(chromedp.ID("go")))
	h := a.waitRequest(t, mark, "GET", "/")
	if !h.HadCookie || h.SecFetchSite != "cross-site" {
		t.Fatalf("following a link from another site reached the app as %+v, want Sec-Fetch-Site cross-site with the session cookie", h)
	}
	text := get(t, ctx, chromedp.Text(chromedp.ID("state")))
	if !strings.Contains(text, `"color":"blue"`) {
		t.Fatalf("after following a link from another site the page shows %s, want the session's color=blue", text)
	}
}

// unchanged checks, from the app's own page, that the session shows what
// it showed before and the browser holds the same session cookie.
func unchanged(t *testing.T, ctx context.Context, a *app, before state, cookie string) {
	t.Helper()
	st, _ := a.pageState(t, ctx)
	got, _ := json.Marshal(st)
	want, _ := json.Marshal(before)
	if string(got) != string(want) {
		t.Errorf("the app's page shows %s, want the session unchanged: %s", got, want)
	}
	if c := a.sessionCookie(t, ctx); c == nil || c.Value != cookie {
		t.Errorf("the browser's session cookie changed: now %s", describe(cookies(t, ctx, a.url+"/")))
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

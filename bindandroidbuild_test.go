package sessions_test

import (
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestBindUserAgentAndroidBuild checks BindUserAgent on Android's WebView,
// the browser of in-app links (mail, social and chat apps). Its
// User-Agent names the system build, "Build/AP2A.240805.005", and a
// monthly security update changes the date part of it. Such an update,
// like iOS's minor ones, must not trip the binding; a new Chrome major
// version or another device still does. Edge and Samsung Internet minor
// updates bind alike as well.
func TestBindUserAgentAndroidBuild(t *testing.T) {
	const (
		webviewAug   = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36"
		webviewSep   = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/127.0.6533.107 Mobile Safari/537.36"
		webview128   = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/128.0.6613.99 Mobile Safari/537.36"
		webviewOther = "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36"
		edge131      = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70"
		edge131b     = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.112"
		samsung26    = "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
		samsung26b   = "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.1 Chrome/122.0.0.0 Mobile Safari/537.36"
	)
	for _, tc := range []struct {
		name string
		a, b string
		same bool
	}{
		{"WebView after a security update", webviewAug, webviewSep, true},
		{"Edge patch update", edge131, edge131b, true},
		{"Samsung Internet minor update", samsung26, samsung26b, true},
		{"WebView Chrome major update", webviewSep, webview128, false},
		{"WebView on another device", webviewAug, webviewOther, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bind := func(ua string) string {
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("User-Agent", ua)
				return sessions.BindUserAgent(r)
			}
			a, b := bind(tc.a), bind(tc.b)
			if (a == b) != tc.same {
				t.Errorf("BindUserAgent\n  %q = %q\n  %q = %q\nequal %v, want %v", tc.a, a, tc.b, b, a == b, tc.same)
			}
		})
	}
}

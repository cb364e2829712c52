package sessions_test

import (
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestBindUserAgentMinorUpdates checks BindUserAgent against its doc: the
// same browser family and major version binds alike across minor updates,
// and another family or major version does not. Safari on iOS updates with
// the system, and its User-Agent carries the system version too
// ("CPU iPhone OS 17_4_1"). Android's WebView, the browser of in-app links
// (mail, social and chat apps), names the system build
// ("Build/AP2A.240805.005"), whose date part each monthly security update
// changes: such an update must not trip the binding either.
func TestBindUserAgentMinorUpdates(t *testing.T) {
	const (
		firefox133   = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
		firefox133_1 = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.1"
		firefox134   = "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0"
		chrome131    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36"
		chrome131b   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.205 Safari/537.36"
		chrome132    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.6834.83 Safari/537.36"
		safariIOS174 = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"
		safariIOS175 = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
		safariIOS180 = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
		curl         = "curl/8.5.0"
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
		{"Firefox minor update", firefox133, firefox133_1, true},
		{"Chrome patch update", chrome131, chrome131b, true},
		{"iOS Safari minor update", safariIOS174, safariIOS175, true},
		{"Firefox major update", firefox133, firefox134, false},
		{"Chrome major update", chrome131, chrome132, false},
		{"iOS Safari major update", safariIOS175, safariIOS180, false},
		{"another browser", chrome131, firefox133, false},
		{"another client", firefox133, curl, false},
		{"Android WebView after a security update", webviewAug, webviewSep, true},
		{"Edge patch update", edge131, edge131b, true},
		{"Samsung Internet minor update", samsung26, samsung26b, true},
		{"Android WebView Chrome major update", webviewSep, webview128, false},
		{"Android WebView on another device", webviewAug, webviewOther, false},
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

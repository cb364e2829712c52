package sessions_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/securitytest"
	"github.com/sessionkit/sessions/stores/memory"
)

func newMemoryStore(t *testing.T) sessions.Store {
	t.Helper()
	s := memory.New(memory.Options{})
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSecurity is the security checklist, item by item: the store-independent
// black-box suite (package securitytest) on the memory store, then the items
// about configuration and the core's own parsers.
func TestSecurity(t *testing.T) {
	securitytest.Run(t, newMemoryStore)

	t.Run("S3_DefaultCookieName", testDefaultName)
	t.Run("S6_StrictModeWithLyingStore", testLyingStore)
	t.Run("S9_SecureByDefault", testSecure)
	t.Run("S10_HttpOnly", testHttpOnly)
	t.Run("S11_SameSite", testSameSite)
	t.Run("S12_CookiePrefixes", testPrefixes)
	t.Run("S13_NonPersistentByDefault", testPersist)
	t.Run("S14_Partitioned", testPartitioned)
	t.Run("S15_ClientCookieTooLarge", testClientTooLarge)
	t.Run("S29_MemoryStoreBounded", testMemoryBounded)
	t.Run("S32_CodecLimits", testCodecLimits)
	t.Run("S43_TrustedOriginsConfig", testTrustedOriginsConfig)
}

// issue returns the session cookie a manager with opts sets on a response
// that stores a value, over TLS or plain HTTP.
func issue(t *testing.T, opts sessions.Options, overTLS bool) *http.Cookie {
	t.Helper()
	m, err := sessions.NewManager(newMemoryStore(t), opts)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
	}))
	srv := httptest.NewUnstartedServer(h)
	if overTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	lines := resp.Header.Values("Set-Cookie")
	if len(lines) != 1 {
		t.Fatalf("%d Set-Cookie lines, want 1: %q", len(lines), lines)
	}
	c, err := http.ParseSetCookie(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantConfigError(t *testing.T, opts sessions.Options, why string) {
	t.Helper()
	_, err := sessions.NewManager(newMemoryStore(t), opts)
	if !errors.Is(err, sessions.ErrConfig) {
		t.Errorf("%s: NewManager error = %v, want ErrConfig", why, err)
	}
}

func testDefaultName(t *testing.T) {
	c := issue(t, sessions.Options{}, true)
	if c.Name != "__Host-id" || sessions.DefaultCookieName != "__Host-id" {
		t.Fatalf("default cookie name %q, want __Host-id", c.Name)
	}
	for _, leak := range []string{"session", "sess", "kit", "go"} {
		if strings.Contains(strings.ToLower(c.Name), leak) {
			t.Errorf("the default cookie name %q reveals %q", c.Name, leak)
		}
	}
}

// lyingStore is a third-party store that "finds" a record under any key it is
// asked for, and records what the manager asks it to write.
type lyingStore struct {
	meta   sessions.Meta
	mu     sync.Mutex
	loads  []string
	writes []string
}

func (l *lyingStore) Load(_ context.Context, key string) (*sessions.Record, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loads = append(l.loads, key)
	rec := &sessions.Record{Meta: l.meta}
	rec.SetField("role", "admin")
	return rec, true, nil
}

func (l *lyingStore) write(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, key)
}

func (l *lyingStore) Create(_ context.Context, key string, _ *sessions.Record) error {
	l.write(key)
	return nil
}

func (l *lyingStore) Commit(_ context.Context, key string, _ *sessions.Delta) error {
	l.write(key)
	return nil
}

func (l *lyingStore) Delete(context.Context, string) error { return nil }

func (l *lyingStore) Increment(_ context.Context, key, _ string, _ int64) (int64, error) {
	l.write(key)
	return 1, nil
}

func (l *lyingStore) Rename(_ context.Context, oldKey, _ string, _ time.Duration) error {
	l.write(oldKey)
	return nil
}

// testLyingStore pins what strict mode guarantees when the store itself
// cannot be trusted to say "not found": the manager validates the cookie
// before any store call, asks only for SHA-256 keys, never creates a record
// under a key derived from a client-chosen value, and refuses a "found"
// record that carries no session metadata. A store that returns a complete,
// plausible record for keys it never stored is outside what any manager can
// detect; storetest's LoadMissing is the check every store must pass.
func testLyingStore(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		name  string
		meta  sessions.Meta
		adopt bool
	}{
		{"no metadata", sessions.Meta{}, false},
		{"plausible metadata", sessions.Meta{Created: now.UnixNano(), LastSeen: now.UnixNano(), Expires: now.Add(time.Hour).UnixNano(), User: "root"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := &lyingStore{meta: c.meta}
			m, err := sessions.NewManager(store, sessions.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewTLSServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				fmt.Fprintf(w, "user=%s role=%v", s.User(), s.Get("role"))
				s.Set("visited", true)
			})))
			defer srv.Close()
			madeUp := strings.Repeat("A", 43)
			for _, v := range []string{madeUp, "../../etc/passwd", strings.Repeat("x", 5000)} {
				req, _ := http.NewRequest("GET", srv.URL, nil)
				req.Header.Set("Cookie", "__Host-id="+v)
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if v != madeUp {
					if strings.Contains(string(body), "admin") {
						t.Errorf("a malformed cookie reached the store and was adopted")
					}
					continue
				}
				if adopted := strings.Contains(string(body), "role=admin"); adopted != c.adopt {
					t.Errorf("made-up ID adopted = %v, want %v: %s", adopted, c.adopt, body)
				}
			}
			store.mu.Lock()
			defer store.mu.Unlock()
			if len(store.loads) != 1 || store.loads[0] != sessions.KeyOf(madeUp) {
				t.Errorf("the manager asked the store for %q, want only the hash of the one well-formed ID", store.loads)
			}
			for _, k := range store.writes {
				if k == madeUp || (!c.adopt && k == sessions.KeyOf(madeUp)) {
					t.Errorf("the manager wrote under the key of a made-up ID")
				}
			}
		})
	}
}

func testSecure(t *testing.T) {
	if c := issue(t, sessions.Options{}, false); !c.Secure {
		t.Errorf("default cookie over plain HTTP lacks Secure")
	}
	for _, mode := range []sessions.SecureMode{sessions.SecureIfTLS, sessions.SecureNever} {
		wantConfigError(t, sessions.Options{CookieName: "sid", Secure: mode}, fmt.Sprintf("Secure mode %d without AllowInsecure", mode))
	}
	dev := sessions.Options{CookieName: "sid", Secure: sessions.SecureIfTLS, AllowInsecure: true}
	if c := issue(t, dev, false); c.Secure {
		t.Errorf("SecureIfTLS over plain HTTP set Secure")
	}
	if c := issue(t, dev, true); !c.Secure {
		t.Errorf("SecureIfTLS over TLS lacks Secure")
	}
}

func testHttpOnly(t *testing.T) {
	if c := issue(t, sessions.Options{}, true); !c.HttpOnly {
		t.Errorf("default cookie lacks HttpOnly")
	}
	if c := issue(t, sessions.Options{AllowScriptAccess: true}, true); c.HttpOnly {
		t.Errorf("AllowScriptAccess kept HttpOnly")
	}
}

func testSameSite(t *testing.T) {
	if c := issue(t, sessions.Options{}, true); c.SameSite != http.SameSiteLaxMode || !strings.Contains(c.Raw, "SameSite=Lax") {
		t.Errorf("default cookie %q: want an explicit SameSite=Lax", c.Raw)
	}
	if c := issue(t, sessions.Options{SameSite: http.SameSiteStrictMode}, true); c.SameSite != http.SameSiteStrictMode {
		t.Errorf("SameSite Strict not honoured: %q", c.Raw)
	}
	if c := issue(t, sessions.Options{SameSite: http.SameSiteNoneMode}, true); !strings.Contains(c.Raw, "SameSite=None") || !c.Secure {
		t.Errorf("SameSite None: %q", c.Raw)
	}
	wantConfigError(t, sessions.Options{CookieName: "sid", SameSite: http.SameSiteNoneMode, Secure: sessions.SecureIfTLS, AllowInsecure: true}, "SameSite=None without Secure")
}

func testPrefixes(t *testing.T) {
	insecure := func(o sessions.Options) sessions.Options {
		o.Secure, o.AllowInsecure = sessions.SecureNever, true
		return o
	}
	for _, c := range []struct {
		name string
		opts sessions.Options
	}{
		{"__Host- with Domain", sessions.Options{CookieName: "__Host-id", Domain: "x.example"}},
		{"__Host- with Path /app", sessions.Options{CookieName: "__Host-id", Path: "/app"}},
		{"__HOST- without Secure", insecure(sessions.Options{CookieName: "__HOST-id"})},
		{"__host- with Domain", sessions.Options{CookieName: "__host-id", Domain: "x.example"}},
		{"__Secure- without Secure", insecure(sessions.Options{CookieName: "__Secure-id"})},
		{"__SECURE- without Secure", insecure(sessions.Options{CookieName: "__SECURE-id"})},
		{"default name without Secure", insecure(sessions.Options{})},
		{"HostPrefix with Domain", sessions.Options{CookieName: "sid", HostPrefix: true, Domain: "x.example"}},
		{"invalid name", sessions.Options{CookieName: "id;evil"}},
		{"relative Path", sessions.Options{CookieName: "sid", Path: "app"}},
	} {
		wantConfigError(t, c.opts, c.name)
	}
	c := issue(t, sessions.Options{CookieName: "sid"}, true)
	if c.Domain != "" || c.Path != "/" || strings.Contains(strings.ToLower(c.Raw), "domain=") {
		t.Errorf("unprefixed cookie %q: want no Domain and Path=/", c.Raw)
	}
	if c := issue(t, sessions.Options{CookieName: "sid", HostPrefix: true}, true); c.Name != "__Host-sid" {
		t.Errorf("HostPrefix: name %q", c.Name)
	}
}

func testPersist(t *testing.T) {
	c := issue(t, sessions.Options{}, true)
	if c.MaxAge != 0 || !c.Expires.IsZero() || strings.Contains(c.Raw, "Max-Age") || strings.Contains(c.Raw, "Expires") {
		t.Errorf("default cookie %q is persistent", c.Raw)
	}
	for _, lifetime := range []time.Duration{time.Hour, 2 * 365 * 24 * time.Hour} {
		c := issue(t, sessions.Options{Persist: true, Lifetime: lifetime}, true)
		limit := min(lifetime, 400*24*time.Hour)
		if c.MaxAge <= 0 || time.Duration(c.MaxAge)*time.Second > limit || c.MaxAge > 34560000 {
			t.Errorf("Persist with Lifetime %v: Max-Age %d, want 0 < Max-Age <= %v", lifetime, c.MaxAge, limit)
		}
	}
}

func testPartitioned(t *testing.T) {
	if c := issue(t, sessions.Options{}, true); c.Partitioned || strings.Contains(c.Raw, "Partitioned") {
		t.Errorf("default cookie %q is Partitioned", c.Raw)
	}
	if c := issue(t, sessions.Options{Partitioned: true}, true); !c.Partitioned || !c.Secure {
		t.Errorf("Partitioned cookie %q", c.Raw)
	}
	wantConfigError(t, sessions.Options{CookieName: "sid", Partitioned: true, Secure: sessions.SecureNever, AllowInsecure: true}, "Partitioned without Secure")
}

// bigClientStore is a ClientStore whose sealed value is size bytes long, to
// test the manager's own cookie-size check (the cookie store's tests cover
// its own).
type bigClientStore struct {
	sessions.Store
	size int
}

func (b bigClientStore) Seal(string, string, *sessions.Record) (string, error) {
	return strings.Repeat("v", b.size), nil
}

func (b bigClientStore) Open(string, string) (string, *sessions.Record, error) {
	return "", nil, sessions.ErrCorrupt
}

func testClientTooLarge(t *testing.T) {
	for _, c := range []struct {
		size int
		ok   bool
	}{{4096 - len("__Host-id"), true}, {4096 - len("__Host-id") + 1, false}, {5 << 10, false}} {
		m, err := sessions.NewManager(bigClientStore{Store: newMemoryStore(t), size: c.size}, sessions.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewTLSServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.Start(w, r).Set("blob", "x")
			fmt.Fprint(w, "handler output")
		})))
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		cookies := resp.Header.Values("Set-Cookie")
		switch {
		case c.ok && (resp.StatusCode != 200 || len(cookies) != 1 || len(cookies[0]) < c.size):
			t.Errorf("a %d-byte sealed value (name+value = 4096): status %d, %d cookies", c.size, resp.StatusCode, len(cookies))
		case !c.ok && (resp.StatusCode != http.StatusRequestEntityTooLarge || len(cookies) != 0 || strings.Contains(string(body), "handler output")):
			t.Errorf("a %d-byte sealed value: status %d, %d cookies, body %q; want 413, no cookie, no output", c.size, resp.StatusCode, len(cookies), body)
		}
	}
}

func testMemoryBounded(t *testing.T) {
	store := memory.New(memory.Options{MaxEntries: 5})
	t.Cleanup(func() { store.Close() })
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
	})))
	defer srv.Close()
	for i := range 8 {
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		full := i >= 5
		if got := resp.StatusCode == http.StatusServiceUnavailable; got != full {
			t.Errorf("session %d: status %d (store full: %v)", i+1, resp.StatusCode, full)
		}
		if full && len(resp.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("a refused session still got a cookie")
		}
	}
	if store.Len() != 5 {
		t.Errorf("store holds %d sessions, want the cap of 5", store.Len())
	}
}

func testCodecLimits(t *testing.T) {
	huge := make([]byte, 8<<20)
	huge[0] = 1
	if _, err := sessions.UnmarshalRecord(huge); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("an 8 MB record: %v, want ErrCorrupt", err)
	}
	// A well-formed record one value over the cap is refused for its size:
	// MarshalRecord will not make it, and UnmarshalRecord will not read it
	// (built by hand: version 1, five zero times, four empty strings, one
	// field "k" holding the value).
	over := &sessions.Record{}
	big := strings.Repeat("x", sessions.DefaultMaxRecordSize)
	over.SetField("k", big)
	if b, err := sessions.MarshalRecord(over); !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("MarshalRecord of a record over DefaultMaxRecordSize = %d bytes, %v; want ErrTooLarge", len(b), err)
	}
	v, err := sessions.EncodeValue(big)
	if err != nil {
		t.Fatal(err)
	}
	b := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'k'}
	b = append(binary.AppendUvarint(b, uint64(len(v))), v...)
	if _, err := sessions.UnmarshalRecord(b); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("a well-formed record of %d bytes, over DefaultMaxRecordSize: %v, want ErrCorrupt", len(b), err)
	}
	// The same record with a value that fits is read back: what was built
	// by hand is well-formed.
	fits := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'k'}
	small, _ := sessions.EncodeValue("x")
	fits = append(binary.AppendUvarint(fits, uint64(len(small))), small...)
	if r, err := sessions.UnmarshalRecord(fits); err != nil || r.Fields[0].Value != "x" {
		t.Errorf("the hand-built record with a small value: %v, %v; want it read back", r, err)
	}
	// A list nested 10,000 deep: 'L', count 1, then the element's length.
	nested := []byte("n")
	for range 10000 {
		nested = append(binary.AppendUvarint([]byte{'L', 1}, uint64(len(nested))), nested...)
	}
	if _, err := sessions.DecodeValue(nested); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("a value nested 10,000 deep: %v, want ErrCorrupt", err)
	}
	// Version 1, five zero times, four empty strings, one field "k".
	rec := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'k'}
	rec = append(binary.AppendUvarint(rec, uint64(len(nested))), nested...)
	if _, err := sessions.UnmarshalRecord(rec); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("a record holding a 10,000-deep value: %v, want ErrCorrupt", err)
	}
	for _, tag := range []string{"gob", "\x00", "O", "j{", "Lz"} {
		if _, err := sessions.DecodeValue([]byte(tag)); !errors.Is(err, sessions.ErrCorrupt) {
			t.Errorf("DecodeValue(%q) = %v, want ErrCorrupt", tag, err)
		}
	}
	// The toolchain floor excludes the gob and encoding DoS fixes' absence.
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go 1\.(\d+)(?:\.(\d+))?`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	var minor, patch int
	fmt.Sscan(string(m[1]), &minor)
	if len(m[2]) > 0 {
		fmt.Sscan(string(m[2]), &patch)
	}
	if minor < 22 || (minor == 22 && patch < 7) || (minor == 23 && patch < 1) {
		t.Errorf("go.mod allows Go 1.%d.%d, below 1.22.7 / 1.23.1", minor, patch)
	}
}

func testTrustedOriginsConfig(t *testing.T) {
	for _, o := range []string{"a.example", "//a.example", "https://a.example/", "https://a.example/path", "https://a.example?x", "*.example.com", "https://"} {
		wantConfigError(t, sessions.Options{CSRF: sessions.CSRFOptions{TrustedOrigins: []string{o}}}, "TrustedOrigins "+o)
	}
	if _, err := sessions.NewManager(newMemoryStore(t), sessions.Options{CSRF: sessions.CSRFOptions{TrustedOrigins: []string{"https://a.example", "http://localhost:8080"}}}); err != nil {
		t.Errorf("exact origins refused: %v", err)
	}
}

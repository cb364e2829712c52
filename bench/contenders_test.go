package bench

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	gorilla "github.com/gorilla/sessions"
	"github.com/kataras/iris/v12"
	irissessions "github.com/kataras/iris/v12/sessions"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// The scenario paths every contender serves. The session holds three keys,
// seeded by /seed: user "alice", role "admin" and n (an int).
//
//	/read   reads one key (user) and writes it as the body
//	/write  reads n and sets n+1
//	/new    sets user on a request without a cookie (a new session)
//	/renew  gives the session a new ID (where the library has that)
//	/seed   sets the three keys on a request without a cookie
const (
	pathRead  = "/read"
	pathWrite = "/write"
	pathNew   = "/new"
	pathRenew = "/renew"
	pathSeed  = "/seed"
)

const idle = 30 * time.Minute

// ctText is shared so setting the content type costs no allocation in any
// contender's handler: the harness cost stays the no-session row's.
var ctText = []string{"text/plain; charset=utf-8"}

var body = []byte("alice")

// heapString returns a copy of s on the heap. Seeded values are what a real
// application stores (a name read from a form or a database row), not
// constants in the binary, which a library that keeps Go values would hold
// for free: the heap per session counts their bytes for every contender.
func heapString(s string) string { return strings.Clone(s) }

// contender is one library set up the way its documentation shows.
type contender struct {
	name     string
	none     bool // no sessions at all: a baseline
	inCookie bool // the data lives in the cookie: a write needs the new cookie
	redis    bool
	renew    bool // has a renew-ID operation
	heap     bool // takes part in the heap-per-session measurement
	tcp      bool // takes part in the loopback TCP subset
	through  string
	// open returns the handler serving the scenario paths and a function
	// releasing what it holds.
	open func(tb testing.TB) (http.Handler, func())
	// counted is open for Redis contenders with client-side command counting.
	counted func(tb testing.TB, c *counts) (http.Handler, func())
}

// contenders lists everything benchmarked, in table order.
func contenders() []contender {
	list := []contender{
		{name: "none", none: true, tcp: true, through: "net/http", open: openNone},
		{name: "sessions-memory", renew: true, heap: true, tcp: true, through: "net/http middleware", open: openOursMemory},
	}
	list = append(list, oursRedis()...)
	list = append(list,
		contender{name: "scs-memstore", renew: true, heap: true, tcp: true, through: "net/http middleware", open: openSCSMemory},
		contender{name: "scs-redisstore", redis: true, renew: true, tcp: true, through: "net/http middleware", open: openSCSRedis, counted: openSCSRedisCounted},
		contender{name: "gorilla-cookie", inCookie: true, tcp: true, through: "net/http", open: openGorillaCookie},
		contender{name: "gorilla-redistore", redis: true, through: "net/http", open: openGorillaRedis, counted: openGorillaRedisCounted},
		contender{name: "iris-none", none: true, through: "iris.Application", open: openIrisNone},
		contender{name: "iris-memory", heap: true, tcp: true, through: "iris.Application", open: openIrisMemory},
		contender{name: "iris-redis", redis: true, through: "iris.Application", open: openIrisRedis, counted: openIrisRedisCounted},
		floorRedis(),
	)
	return list
}

func writeBody(w http.ResponseWriter, s string) {
	w.Header()["Content-Type"] = ctText
	if s == "alice" {
		w.Write(body)
		return
	}
	w.Write([]byte(s))
}

func writeInt(w http.ResponseWriter, n int) {
	w.Header()["Content-Type"] = ctText
	var b [20]byte
	w.Write(strconv.AppendInt(b[:0], int64(n), 10))
}

// ---- no session ----

func openNone(testing.TB) (http.Handler, func()) {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case pathRead:
			writeBody(w, "alice")
		case pathWrite:
			writeInt(w, 1)
		default:
			writeBody(w, "")
		}
	}), func() {}
}

// ---- this library ----

// oursApp is the application code, the same for every store.
func oursApp(m *sessions.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		switch r.URL.Path {
		case pathRead:
			writeBody(w, s.GetString("user"))
		case pathWrite:
			n := s.GetInt("n") + 1
			s.Set("n", n)
			writeInt(w, n)
		case pathNew:
			s.Set("user", "alice")
			writeBody(w, "")
		case pathRenew:
			s.Renew()
			writeBody(w, "")
		case pathSeed:
			s.Set("user", heapString("alice"))
			s.Set("role", heapString("admin"))
			s.Set("n", 0)
			writeBody(w, "")
		}
	})
}

func openOurs(tb testing.TB, store sessions.Store) (http.Handler, func()) {
	m, err := sessions.NewManager(store, sessions.Options{IdleTimeout: idle})
	if err != nil {
		tb.Fatal(err)
	}
	return m.Handler(oursApp(m)), func() { m.Close() }
}

func openOursMemory(tb testing.TB) (http.Handler, func()) {
	st := memory.New(memory.Options{})
	h, closeM := openOurs(tb, st)
	return h, func() { closeM(); st.Close() }
}

// ---- scs ----

func scsApp(sm *scs.SessionManager) http.Handler {
	return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		switch r.URL.Path {
		case pathRead:
			writeBody(w, sm.GetString(ctx, "user"))
		case pathWrite:
			n := sm.GetInt(ctx, "n") + 1
			sm.Put(ctx, "n", n)
			writeInt(w, n)
		case pathNew:
			sm.Put(ctx, "user", "alice")
			writeBody(w, "")
		case pathRenew:
			if err := sm.RenewToken(ctx); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			writeBody(w, "")
		case pathSeed:
			sm.Put(ctx, "user", heapString("alice"))
			sm.Put(ctx, "role", heapString("admin"))
			sm.Put(ctx, "n", 0)
			writeBody(w, "")
		}
	}))
}

func newSCS() *scs.SessionManager {
	// scs's defaults (24h lifetime, no idle timeout). With IdleTimeout set,
	// scs rewrites the session and its cookie on every request.
	sm := scs.New()
	sm.Cookie.Name = "session"
	return sm
}

func openSCSMemory(testing.TB) (http.Handler, func()) {
	sm := newSCS() // scs.New's default store is memstore
	store := sm.Store.(*memstore.MemStore)
	return scsApp(sm), func() {
		// The memstore's cleanup goroutine holds the store, and with it
		// every session, until StopCleanup ends it: without the stop the
		// sessions of BenchmarkScale and BenchmarkHeapPerSession would stay
		// in the heap of every later benchmark. StopCleanup reads a field
		// the goroutine sets as it starts, with no synchronisation, which
		// the race detector reports; the benchmarks never run under it, so
		// under it the goroutine and its store are left running.
		if !raceEnabled {
			store.StopCleanup()
		}
	}
}

// ---- gorilla/sessions ----

var gorillaKey = []byte("0123456789abcdef0123456789abcdef")

func gorillaApp(store gorilla.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := store.Get(r, "session")
		if err != nil && r.URL.Path != pathNew && r.URL.Path != pathSeed {
			http.Error(w, err.Error(), 500)
			return
		}
		save := func() bool {
			if err := s.Save(r, w); err != nil {
				http.Error(w, err.Error(), 500)
				return false
			}
			return true
		}
		switch r.URL.Path {
		case pathRead:
			v, _ := s.Values["user"].(string)
			writeBody(w, v)
		case pathWrite:
			n, _ := s.Values["n"].(int)
			n++
			s.Values["n"] = n
			if save() {
				writeInt(w, n)
			}
		case pathNew:
			s.Values["user"] = "alice"
			if save() {
				writeBody(w, "")
			}
		case pathSeed:
			s.Values["user"] = heapString("alice")
			s.Values["role"] = heapString("admin")
			s.Values["n"] = 0
			if save() {
				writeBody(w, "")
			}
		}
	})
}

func openGorillaCookie(testing.TB) (http.Handler, func()) {
	store := gorilla.NewCookieStore(gorillaKey)
	store.Options.HttpOnly = true
	store.Options.MaxAge = int(idle / time.Second)
	return gorillaApp(store), func() {}
}

// ---- iris ----

// iris sessions need an iris Context, which only an iris Application makes,
// so iris contenders run through their own iris.Application, built as an
// http.Handler. The iris-none row is that application without sessions.
func irisApp(tb testing.TB, sess *irissessions.Sessions) http.Handler {
	app := iris.New()
	app.Logger().SetLevel("disable")
	if sess != nil {
		app.Use(sess.Handler())
	}
	// The same writers as every other contender's handler, so the harness
	// costs the iris rows what it costs the others.
	write := func(ctx iris.Context, s string) { writeBody(ctx.ResponseWriter(), s) }
	app.Get(pathRead, func(ctx iris.Context) {
		if sess == nil {
			write(ctx, "alice")
			return
		}
		write(ctx, irissessions.Get(ctx).GetString("user"))
	})
	app.Get(pathWrite, func(ctx iris.Context) {
		if sess == nil {
			writeInt(ctx.ResponseWriter(), 1)
			return
		}
		s := irissessions.Get(ctx)
		n := s.GetIntDefault("n", 0) + 1
		s.Set("n", n)
		writeInt(ctx.ResponseWriter(), n)
	})
	app.Get(pathNew, func(ctx iris.Context) {
		if sess != nil {
			irissessions.Get(ctx).Set("user", "alice")
		}
		write(ctx, "")
	})
	app.Get(pathSeed, func(ctx iris.Context) {
		if sess != nil {
			s := irissessions.Get(ctx)
			s.Set("user", heapString("alice"))
			s.Set("role", heapString("admin"))
			s.Set("n", 0)
		}
		write(ctx, "")
	})
	if err := app.Build(); err != nil {
		tb.Fatal(err)
	}
	return app
}

func newIrisSessions() *irissessions.Sessions {
	return irissessions.New(irissessions.Config{Cookie: "session", Expires: idle})
}

func openIrisNone(tb testing.TB) (http.Handler, func()) { return irisApp(tb, nil), func() {} }

func openIrisMemory(tb testing.TB) (http.Handler, func()) {
	sess := newIrisSessions()
	return irisApp(tb, sess), func() { releaseIris(sess) }
}

// releaseIris ends every session sess holds, so the garbage collector can
// take them. iris arms a time.AfterFunc timer per session whose function
// holds the session and its provider until it fires (Config.Expires, 30
// minutes here), and DestroyAll does not stop the timers. iris has no
// exported way to list its sessions: this reads the provider's map
// (checked by TestContendersRelease, which fails if an iris upgrade
// changes it). A stopped timer (a few dozen bytes with its session's
// skeleton) stays in the runtime's timer heap until the P holding it next
// tidies its heap.
func releaseIris(sess *irissessions.Sessions) {
	p := reflect.ValueOf(sess).Elem().FieldByName("provider").Elem()
	mu := (*sync.RWMutex)(unsafe.Pointer(p.FieldByName("mu").UnsafeAddr()))
	m := (*map[string]*irissessions.Session)(unsafe.Pointer(p.FieldByName("sessions").UnsafeAddr()))
	mu.Lock()
	for _, s := range *m {
		s.Lifetime.ExpireNow()
	}
	mu.Unlock()
	sess.DestroyAll()
	// A Go map keeps its buckets after its keys are deleted, and iris keeps
	// every Application (and so its sessions' provider) reachable for the
	// life of the process: swap in empty maps.
	mu.Lock()
	*m = map[string]*irissessions.Session{}
	if db := p.FieldByName("db").Elem(); db.Kind() == reflect.Pointer && db.Elem().Type().Name() == "mem" {
		v := db.Elem().FieldByName("values")
		reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().Set(reflect.MakeMap(v.Type()))
	}
	mu.Unlock()
}

// ---- harness helpers ----

// recorder is an httptest.ResponseRecorder reset between requests without
// allocating, so the harness adds the same small cost to every row.
type recorder struct {
	httptest.ResponseRecorder
	hdr http.Header
	buf *bytes.Buffer
}

func newRecorder() *recorder {
	r := &recorder{hdr: http.Header{}, buf: bytes.NewBuffer(make([]byte, 0, 512))}
	r.reset()
	return r
}

func (r *recorder) reset() {
	clear(r.hdr)
	r.buf.Reset()
	// Setting HeaderMap is how a recorder is reused without allocating: the
	// handler writes into r.hdr, which is cleared, not replaced.
	//lint:ignore SA1019 the deprecated field is the only way to reuse the map
	r.ResponseRecorder = httptest.ResponseRecorder{HeaderMap: r.hdr, Body: r.buf, Code: http.StatusOK}
}

// sessionCookie returns the "name=value" pair of the Set-Cookie header that
// issues a session (the last one with a non-empty value).
func sessionCookie(h http.Header) string {
	out := ""
	for _, line := range h["Set-Cookie"] {
		pair, _, _ := strings.Cut(line, ";")
		if name, v, ok := strings.Cut(pair, "="); ok && v != "" && name != "" {
			out = pair
		}
	}
	return out
}

// newRequest returns a GET for path carrying cookie ("" for none).
func newRequest(path, cookie string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://example.com"+path, nil)
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	return r
}

// seed creates n sessions through h's real path and returns their cookies.
func seed(tb testing.TB, h http.Handler, n int) []string {
	tb.Helper()
	cookies := make([]string, n)
	rec := newRecorder()
	req := newRequest(pathSeed, "")
	proto := *req
	for i := range cookies {
		rec.reset()
		*req = proto
		h.ServeHTTP(&rec.ResponseRecorder, req)
		if rec.Code != http.StatusOK {
			tb.Fatalf("seed: status %d", rec.Code)
		}
		c := sessionCookie(rec.Header())
		if c == "" {
			tb.Fatalf("seed: no session cookie in %q", rec.Header()["Set-Cookie"])
		}
		cookies[i] = strings.Clone(c)
	}
	return cookies
}

// check sends one request and verifies the answer, so every row measures a
// handler that works.
// A write may or may not reissue the cookie (scs and gorilla do, on every
// write); pass anyCookie to accept both.
func check(tb testing.TB, h http.Handler, path, cookie, want string, wantCookie bool, anyCookie ...bool) {
	tb.Helper()
	rec := newRecorder()
	h.ServeHTTP(&rec.ResponseRecorder, newRequest(path, cookie))
	got := rec.Body.String()
	if rec.Code != http.StatusOK || (want != "" && got != want) {
		tb.Fatalf("%s: status %d body %q, want 200 %q", path, rec.Code, got, want)
	}
	if len(anyCookie) > 0 && anyCookie[0] {
		return
	}
	if has := sessionCookie(rec.Header()) != ""; has != wantCookie {
		tb.Fatalf("%s: session cookie issued = %v, want %v (%q)", path, has, wantCookie, rec.Header()["Set-Cookie"])
	}
}

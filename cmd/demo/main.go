// Command demo is the showcase server for github.com/sessionkit/sessions.
//
//	go run ./cmd/demo                      # memory store on :8080
//	go run ./cmd/demo -store redis://127.0.0.1:6379/0 -addr :8081
//
// It serves the seed example (/set, /get, /delete, /clear, /destroy) and a
// JSON API under /api that scripts and tests drive; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/cmd/internal/storeurl"
)

type config struct {
	addr       string
	store      string
	cookie     string
	key        string
	idle       time.Duration
	lifetime   time.Duration
	rotate     time.Duration
	maxPerUser int
	maxSize    int
	insecure   bool
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", ":8080", "listen address")
	fs.StringVar(&c.store, "store", "memory", "session store: "+storeurl.Usage)
	fs.StringVar(&c.cookie, "cookie", sessions.DefaultCookieName, "session cookie name")
	fs.StringVar(&c.key, "key", "", "cookie store key (base64 or hex, 32 bytes); default $SESSIONS_COOKIE_KEY")
	fs.DurationVar(&c.idle, "idle", 30*time.Minute, "idle timeout")
	fs.DurationVar(&c.lifetime, "lifetime", 12*time.Hour, "absolute session lifetime")
	fs.DurationVar(&c.rotate, "rotate", 0, "rotate the session ID after this age, longer than the 30s the replaced ID stays valid and shorter than -lifetime (0: never)")
	fs.IntVar(&c.maxPerUser, "max-per-user", 0, "cap on concurrent sessions per user, oldest evicted (0: no cap)")
	fs.IntVar(&c.maxSize, "max-size", 256<<10, "cap in bytes on one session's values, so a client cannot grow its session without bound (0: only the store's limits)")
	fs.BoolVar(&c.insecure, "insecure-cookie", false, "send the cookie without Secure (plain HTTP on a host other than localhost; development only); the default cookie is then named id, since __Host- requires Secure")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	// Parse stops at the first argument that is not a flag, so every flag
	// after a stray word ("-insecure-cookie true -store ...") would be
	// dropped without a word.
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q: the demo takes flags only (a bool flag is -name or -name=false)", fs.Arg(0))
		fmt.Fprintln(fs.Output(), "demo:", err)
		fs.Usage()
		return c, err
	}
	if c.key == "" {
		c.key = os.Getenv("SESSIONS_COOKIE_KEY")
	}
	return c, nil
}

// newManager builds the session manager the flags describe.
func newManager(c config, store sessions.Store) (*sessions.Manager, error) {
	opts := sessions.Options{
		CookieName:  c.cookie,
		IdleTimeout: c.idle,
		Lifetime:    c.lifetime,
		RotateAfter: c.rotate,
		MaxPerUser:  c.maxPerUser,
		MaxSize:     c.maxSize,
		CSRF: sessions.CSRFOptions{
			FailureHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeError(w, http.StatusForbidden, "CSRF check failed: send the token from GET /api/session in the X-CSRF-Token header, from the same origin")
			}),
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			code, msg := http.StatusInternalServerError, "session error"
			if errors.Is(err, sessions.ErrStoreUnavailable) || errors.Is(err, context.DeadlineExceeded) {
				code, msg = http.StatusServiceUnavailable, "session store unavailable, try again shortly"
			}
			if errors.Is(err, sessions.ErrTooLarge) {
				code, msg = http.StatusRequestEntityTooLarge, "session data too large"
			}
			if errors.Is(err, sessions.ErrUnsupportedValue) {
				code, msg = http.StatusBadRequest, unsupportedValue
			}
			writeError(w, code, msg)
		},
	}
	if c.insecure {
		opts.Secure, opts.AllowInsecure = sessions.SecureNever, true
		// The default name's __Host- prefix requires Secure: a browser
		// drops such a cookie without it, and the manager refuses the
		// combination. Without Secure the default cookie goes unprefixed.
		if opts.CookieName == sessions.DefaultCookieName {
			opts.CookieName = strings.TrimPrefix(sessions.DefaultCookieName, "__Host-")
		}
	}
	return sessions.NewManager(store, opts)
}

func main() {
	// A store that is down is logged by the manager, as a store-error per
	// failed request; go-redis's own dial-failure lines would repeat it.
	storeurl.SilenceRedisLog()
	c, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0) // the usage was asked for, and printed
	}
	if err != nil {
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, closeStore, err := storeurl.Open(ctx, c.store, c.key)
	if err != nil {
		return err
	}
	defer closeStore()
	m, err := newManager(c, store)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              c.addr,
		Handler:           m.Handler(newMux(m)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	slog.Info("demo listening", "addr", ln.Addr().String(), "store", storeurl.Redact(c.store), "cookie", m.CookieName())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// From here a second signal ends the process at once, as it would
	// have before NotifyContext, instead of waiting out the shutdown.
	stop()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: requests still running after 5s were cut off: %w", err)
	}
	return nil
}

// Command sessionsctl inspects and revokes sessions in any store the demo
// can open that keeps them on a server: Redis, PostgreSQL or an existing
// bbolt file (not memory or cookie, which keep nothing sessionsctl can
// reach).
//
//	sessionsctl -store redis://127.0.0.1:6379/0 show HANDLE
//	sessionsctl -store postgres://... list alice
//	sessionsctl -store bolt:./sessions.db revoke HANDLE   # server stopped, see below
//	sessionsctl -store redis://... revoke-user alice
//	sessionsctl -store postgres://... count
//
// A HANDLE is a session's public ID: the SHA-256 of its cookie value, as
// Session.ID and the demo's /api/sessions show it. sessionsctl never needs
// or prints a cookie value. A handle an ID rotation left as a grace alias
// leads to the renewed session: show prints that session under its own
// handle ("id"), with the handle given as "alias", and says so on stderr.
//
// A bbolt file can be open in one process only, so -store bolt:PATH works
// while the server that uses the file is stopped; while it runs, sessionsctl
// fails with "held by another process".
//
// sessionsctl creates nothing: a bolt:PATH naming no file, an empty one or
// a bbolt database holding no sessions, or a PostgreSQL database without
// the sessions table, is an error, not a new empty store.
//
// The exit status is 0 on success, 1 when the store or the command failed
// (a store that is down, no such session), and 2 for a usage error: an
// unknown command or flag, a wrong number of arguments, a -store that is
// missing, unknown, or memory or cookie, a -timeout that is not positive.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/cmd/internal/storeurl"
)

func main() {
	// A store that is down is told once, by run's error.
	storeurl.SilenceRedisLog()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: sessionsctl -store STORE COMMAND [ARG]

commands:
  show HANDLE        print a session's metadata and values as JSON
  list USER          list USER's live sessions
  revoke HANDLE      destroy one session
  revoke-user USER   destroy every session of USER ("log out everywhere")
  count              count live sessions (stores that can count)

STORE is ` + storeurl.ServerUsage + `: the store the server uses (not memory or cookie: sessionsctl cannot reach a server's memory or its clients' cookies).
A bolt:PATH file can be open in one process only: stop the server first.` + "\n"

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sessionsctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	spec := fs.String("store", "", "session store (required)")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit for the whole command")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0 // the usage was asked for, and printed
	} else if err != nil {
		return 2
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return 2
	}
	// A memory store opened here would be a new, empty one: the sessions
	// an admin means live in the server's process, out of reach.
	// The scheme is read case-insensitively, as the store specification
	// reads it.
	switch scheme, _, _ := strings.Cut(*spec, ":"); strings.ToLower(scheme) {
	case "":
		fmt.Fprintln(stderr, "sessionsctl: -store is required: the store the server uses")
		fs.Usage()
		return 2
	case "memory":
		fmt.Fprintln(stderr, "sessionsctl: -store memory cannot be inspected: a memory store lives inside the process that serves it; point -store at a shared store")
		return 2
	case "cookie":
		fmt.Fprintln(stderr, "sessionsctl: -store cookie cannot be inspected: a cookie store keeps each session in its client's cookie, with nothing on the server to show or revoke; to log everyone out, replace the key (SESSIONS_COOKIE_KEY) the server seals with")
		return 2
	}
	// A zero or negative limit would fail every command with a bare
	// "context deadline exceeded".
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "sessionsctl: -timeout %v: give a positive time limit, e.g. -timeout 30s\n", *timeout)
		fs.Usage()
		return 2
	}
	// A mistake in the command is told as one before the store is opened:
	// a store that is down would hide it behind its own error, after the
	// whole -timeout.
	if err := checkArgs(fs.Args()); err != nil {
		fmt.Fprintln(stderr, "sessionsctl:", err)
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	store, closeStore, err := storeurl.OpenExisting(ctx, *spec, os.Getenv("SESSIONS_COOKIE_KEY"))
	if err != nil {
		fmt.Fprintln(stderr, "sessionsctl:", explain(err, *timeout))
		if errors.Is(err, storeurl.ErrSpec) {
			// A -store sessionsctl cannot read is a usage error, as
			// -store memory and -store cookie are.
			fs.Usage()
			return 2
		}
		return 1
	}
	defer closeStore()
	if err := command(ctx, store, fs.Args(), stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "sessionsctl:", explain(err, *timeout))
		return 1
	}
	return 0
}

// explain returns err with, when it is the -timeout running out, what to
// do about it.
func explain(err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: no answer within -timeout %v; check that the store is up and reachable, or raise -timeout", err, timeout)
	}
	return err
}

var errUsage = errors.New("bad usage")

// checkArgs returns an error wrapping errUsage unless args is a command
// sessionsctl knows, with the arguments it takes.
func checkArgs(args []string) error {
	switch args[0] {
	case "show", "list", "revoke", "revoke-user":
		if len(args) != 2 || args[1] == "" {
			return fmt.Errorf("%w: %s takes one argument", errUsage, args[0])
		}
	case "count":
		if len(args) != 1 {
			return fmt.Errorf("%w: count takes no argument", errUsage)
		}
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	return nil
}

// command runs args on store, printing its result to out and remarks that
// are no result (such as a handle being a grace alias) to notes.
func command(ctx context.Context, store sessions.Store, args []string, out, notes io.Writer) error {
	if err := checkArgs(args); err != nil {
		return err
	}
	switch args[0] {
	case "show":
		handle := args[1]
		lctx, reported := sessions.WithAliasReport(ctx)
		rec, found, err := store.Load(lctx, handle)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no live session %s", handle)
		}
		values := map[string]any{}
		for _, f := range rec.Fields {
			values[f.Key] = jsonView(f.Value)
		}
		view := map[string]any{"id": handle, "meta": metaView(rec.Meta), "values": values}
		// A grace alias an ID rotation left leads to the session under
		// its new handle: show it under that one, which the server's
		// requests now carry, and name the alias it was reached by.
		if at := reported(); at != "" && at != handle && sessions.ValidKey(at) {
			view["id"], view["alias"] = at, handle
			fmt.Fprintf(notes, "sessionsctl: %s is a grace alias of the renewed session %s, shown here; revoke either handle to end the session\n", handle, at)
		}
		return printJSON(out, view)
	case "list":
		user := args[1]
		ux, ok := store.(sessions.UserIndex)
		if !ok {
			return sessions.ErrNotSupported
		}
		list, err := ux.UserSessions(ctx, user)
		if err != nil {
			return err
		}
		views := make([]map[string]any, 0, len(list))
		for _, in := range list {
			v := metaView(in.Meta)
			v["id"] = in.Key
			views = append(views, v)
		}
		return printJSON(out, views)
	case "revoke":
		handle := args[1]
		lctx, reported := sessions.WithAliasReport(ctx)
		if _, found, err := store.Load(lctx, handle); err != nil || !found {
			if err == nil {
				err = fmt.Errorf("no live session %s", handle)
			}
			return err
		}
		// End the session before deleting it, as Manager.DestroySession
		// does: the commit follows a grace alias an ID rotation left (the
		// handle then reaches the renamed session), and once expired the
		// record is one no renewal can move. An ID renewal (Renew or Login,
		// no alias) between the Load and here leaves the handle naming
		// nothing, and the session lives on under a key this command
		// cannot know: it must not report it revoked.
		// A second in the past: the store judges expiry by its own clock,
		// which may read a little behind this one.
		err := store.Commit(ctx, handle, &sessions.Delta{Clear: true, Meta: &sessions.Meta{Expires: time.Now().Add(-time.Second).UnixNano()}})
		if errors.Is(err, sessions.ErrNotFound) {
			return fmt.Errorf("session %s was renewed or ended while revoking it; list the user's sessions (list USER) and revoke its new handle", handle)
		}
		if err != nil {
			return err
		}
		// Deleting the alias alone would only end the grace: delete the
		// session where it lives now, then the alias.
		keys := []string{handle}
		if at := reported(); at != "" && at != handle && sessions.ValidKey(at) {
			keys = []string{at, handle}
		}
		for _, k := range keys {
			if err := store.Delete(ctx, k); err != nil {
				return err
			}
		}
		fmt.Fprintln(out, "revoked", handle)
		return nil
	case "revoke-user":
		user := args[1]
		ux, ok := store.(sessions.UserIndex)
		if !ok {
			return sessions.ErrNotSupported
		}
		n, err := ux.DeleteUserSessions(ctx, user, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "revoked %d sessions of %s\n", n, user)
		return nil
	case "count":
		c, ok := store.(sessions.Counter)
		if !ok {
			return fmt.Errorf("%w: this store cannot count its sessions", sessions.ErrNotSupported)
		}
		n, err := c.Count(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, n)
		return nil
	}
	return nil
}

func metaView(m sessions.Meta) map[string]any {
	t := func(ns int64) string {
		if ns == 0 {
			return ""
		}
		return time.Unix(0, ns).UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"user":       m.User,
		"user_agent": m.UserAgent,
		"created":    t(m.Created),
		"renewed":    t(m.Renewed),
		"last_seen":  t(m.LastSeen),
		"auth_time":  t(m.AuthTime),
		"expires":    t(m.Expires),
	}
}

// jsonView returns v with every value JSON has no literal for written as a
// string: a NaN or infinite float as strconv formats it ("NaN", "+Inf"), a
// time encoding/json refuses (a year past 9999, an offset of a day or
// more) in RFC 3339. Sessions may hold such values in every store, and
// show must still print the session.
func jsonView(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
	case float32:
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return strconv.FormatFloat(f, 'g', -1, 32)
		}
	case time.Time:
		if _, err := x.MarshalJSON(); err != nil {
			return x.Format(time.RFC3339Nano)
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonView(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonView(e)
		}
		return out
	}
	return v
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

package sessions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Session is one client's session for the duration of one request. Get one
// from Manager.Start, or from Manager.FromContext inside Handler. Its
// methods are safe for concurrent use by the request's goroutines.
//
// Nothing is read from the store until a method needs it, and nothing is
// written unless something changed: an anonymous visitor who never stores a
// value gets no cookie and costs no store write.
type Session struct {
	m *Manager
	r *http.Request
	// rw is the writer Handler gives the handler; without Handler (Start),
	// rw.ResponseWriter is the caller's writer, used as it is (see writer).
	rw  responseWriter
	ctx sessionContext // the request context Handler installs

	mu sync.Mutex
	// loadedAt is the clock when the session was loaded: the request's
	// time, which the middleware's final commit uses too (one clock read)
	// unless it records activity (see write).
	loadedAt int64
	err      error // load or commit failure; the session is then read-only, and reads what the store held (nothing after a failed load). A refused change is no failure (see fail)

	id  string  // the cookie value, "" until issued
	key string  // KeyOf(id), "" while the session is not stored
	rec *Record // the stored snapshot, nil for a new session
	// meta is the session's metadata. Until the request changes it, it
	// points into the snapshot (rec.Meta, shared by every request that
	// loaded it) or at noMeta, and must not be written: writers go through
	// setMeta, which copies it first. Most requests change no metadata, so
	// most never copy it.
	meta *Meta

	// chg records the changes since the load or the last commit: it is the
	// Delta the commit hands the store (Meta is pointed at meta then), kept
	// in the Session so a commit allocates none.
	chg Delta
	x   *extra // what few requests need, allocated when first needed

	aliasAt string // where the store's Load said a grace alias led (ReportAlias)

	setBuf  [1]Field  // backs chg.Set for the common request that sets one key
	vary    [1]string // backs the Vary header Handler adds
	noStore [1]string // backs the Cache-Control header of a response setting the cookie

	// The flags, together so the struct packs tightly.
	writeThrough bool // no middleware: every change is committed at once
	late         bool // Handler's commit has run: later changes go to the store at once (see changed)
	ownMeta      bool // meta is the session's own copy (see setMeta)
	loaded       bool
	reported     bool // err has been emitted as an event
	presented    bool // the request carried a session cookie
	arrived      bool // and it named a live session (IsNew)
	create       bool // store a new session even without values
	renew        bool // issue a new ID at commit
	dropCookie   bool // expire the cookie unless a new session replaces it
	trim         bool // a login under MaxPerUser with EvictOldest: check the cap again once stored
	rotating     bool // renew is an automatic rotation: the old ID keeps working for RotateGrace
	sent         bool // Handler's writer has run the commit
	settle       bool // that commit stored chg, not yet folded into rec (see load)
	failed       bool // and it failed: the error handler answered, the handler's output is dropped
	emitting     bool // Options.OnEvent runs for an event of a commit (see emit)
}

// extra is the part of a session's state that few requests need, kept out
// of the Session so that every request's Session is smaller.
type extra struct {
	local    []Field     // values Increment returned; already stored, never committed again
	discard  http.Header // the header Handler's writer hands out after a failed commit
	answer   http.Header // the header the error handler answered that commit with
	dropKey  string      // a destroyed session's key, deleted at commit
	dropUser string      // and its user, for the EventDestroyed
	refused  error       // the first change written at once and refused for its size or encoding (see changed), which Err reports
	cookie   string      // with a ClientStore and without the middleware, the cookie value the session last read or set (see seen)
}

// more returns s.x, allocating it on first use. Callers hold s.mu.
func (s *Session) more() *extra {
	if s.x == nil {
		s.x = new(extra)
	}
	return s.x
}

// local returns the values Increment returned. Callers hold s.mu.
func (s *Session) local() []Field {
	if s.x == nil {
		return nil
	}
	return s.x.local
}

// dropKey returns the key of the destroyed session to delete at commit, or
// "". Callers hold s.mu.
func (s *Session) dropKey() string {
	if s.x == nil {
		return ""
	}
	return s.x.dropKey
}

// dropUser returns the user of the destroyed session dropKey names, or "".
// Callers hold s.mu.
func (s *Session) dropUser() string {
	if s.x == nil {
		return ""
	}
	return s.x.dropUser
}

// dropLocal forgets the values Increment returned. Callers hold s.mu.
func (s *Session) dropLocal() {
	if s.x != nil {
		s.x.local = nil
	}
}

// writer returns where the session's cookie and headers go: Handler's
// writer, or without Handler the writer Start was given.
func (s *Session) writer() http.ResponseWriter {
	if s.writeThrough {
		return s.rw.ResponseWriter
	}
	return &s.rw
}

// ---- loading ----

// load reads the session on first use. Callers hold s.mu.
func (s *Session) load() {
	if s.loaded && s.writeThrough && s.err == nil {
		s.follow()
	}
	if s.loaded {
		if s.settle {
			// The handler goes on after the middleware's commit: the
			// changes it stored become the snapshot, so a later change
			// writes only itself and replays none of them (a Clear or a
			// Set replayed would undo what parallel requests stored since).
			s.settle = false
			s.committed(s.delta(), false)
		}
		return
	}
	s.loaded = true
	m := s.m
	first, second, dup := cookieValues(s.r, m.cookie.name)
	if s.writeThrough {
		// An earlier Start in this request may have set or expired the
		// cookie (Destroy, then Start for a fresh session): that, not the
		// request's stale cookie, is the client's session now.
		if v, ok := m.cookie.setCookieValue(s.rw.ResponseWriter); ok {
			first, second, dup = v, "", false
		}
	}
	if dup {
		m.emit(s.r, EventDuplicateCookie, "", "", nil)
	}
	now := m.nano()
	s.loadedAt = now
	calls := 0
	for _, v := range [2]string{first, second} {
		if v == "" {
			continue
		}
		done, called := s.tryValue(v, now)
		if done {
			return
		}
		if called {
			calls++
		}
	}
	if dup {
		s.loadRest(first, second, calls, now)
	}
}

// follow makes a Session Start gave this request without the middleware
// go on with the session another Session of the request created, renewed,
// logged in or destroyed since this one was loaded (the cookie that one set
// or expired on w), as a Start after that change would: otherwise its next
// change is written to a session the client no longer has (lost), or
// creates a second session whose cookie replaces the other's. Without the
// middleware every change is written at once, so there is nothing pending
// to carry over. Callers hold s.mu.
func (s *Session) follow() {
	v, ok := s.m.cookie.setCookieValue(s.rw.ResponseWriter)
	if !ok || v == s.seen() {
		return
	}
	presented, arrived := s.presented, s.arrived
	s.id, s.key, s.rec = "", "", nil
	s.discard()
	s.dropLocal()
	s.dropCookie, s.loaded = false, false
	s.sawCookie(v)
	s.load()
	// IsNew is about the session the request arrived with.
	s.presented, s.arrived = presented, arrived
}

// seen is what follow compares the response's session cookie with: the
// session's ID, or with a ClientStore the cookie value it last read or set,
// since the ID sealed in the cookie stays the same while the cookie
// changes. Callers hold s.mu.
func (s *Session) seen() string {
	if s.m.client == nil {
		return s.id
	}
	if s.x == nil {
		return ""
	}
	return s.x.cookie
}

// sawCookie notes, with a ClientStore and without the middleware, the
// cookie value v (or "" for an expired cookie) that the session now
// stands for (see seen). Callers hold s.mu.
func (s *Session) sawCookie(v string) {
	if s.m.client != nil && s.writeThrough {
		s.more().cookie = v
	}
}

// tryValue adopts the cookie value v if it names a live session. It
// reports whether loading is over (v adopted, or the store failed), and
// whether v cost a store call (or a ClientStore's Open): a value that
// cannot be a session's costs none.
func (s *Session) tryValue(v string, now int64) (done, called bool) {
	m := s.m
	s.presented = true
	if m.client != nil {
		if s.tryOpen(m.client, v, now) {
			s.arrived = true
			s.saveActivity()
			return true, true
		}
		return false, len(v) <= maxClientCookie
	}
	if !validID(v) {
		m.emit(s.r, EventMalformedID, "", "", nil)
		return false, false
	}
	ok := s.tryLoad(v, now)
	s.arrived = ok
	if ok || s.err != nil {
		s.saveActivity()
		return true, true
	}
	return false, true
}

// maxCookieCalls bounds the store calls (or Opens) the session cookies of
// one request cost, and maxCookieValues how many distinct values of the
// session cookie's name it looks at.
const (
	maxCookieCalls  = 4
	maxCookieValues = 16
)

// loadRest goes on with the session cookie's values after the first two
// distinct ones, in the order sent, when neither named a live session, so
// the first value that names one wins however many other cookies of the
// name come before it (stale ones at longer Paths, another application's).
// A value that cannot be a session's costs no store call; at most
// maxCookieCalls values are looked up in all.
func (s *Session) loadRest(first, second string, calls int, now int64) {
	seen := []string{first, second}
	for _, line := range s.r.Header["Cookie"] {
		for len(line) > 0 {
			var v string
			var match bool
			v, line, match = nextCookie(line, s.m.cookie.name)
			if !match || v == "" || slices.Contains(seen, v) {
				continue
			}
			if calls >= maxCookieCalls || len(seen) >= maxCookieValues {
				return
			}
			seen = append(seen, v)
			done, called := s.tryValue(v, now)
			if done {
				return
			}
			if called {
				calls++
			}
		}
	}
}

// setCookieValue returns the value of the last Set-Cookie line for the
// session cookie that w already carries ("" when it expires the cookie),
// and whether there is one.
func (p *cookiePolicy) setCookieValue(w http.ResponseWriter) (v string, ok bool) {
	if w == nil {
		return "", false
	}
	for _, l := range w.Header()["Set-Cookie"] {
		if lv, own := p.owns(l); own {
			v, ok = unquote(lv), true
		}
	}
	return v, ok
}

// saveActivity writes a due idle-timeout refresh at once when there is no
// middleware commit ahead to carry it (no middleware, or a session first
// used after the response started), so a user who only reads is not
// logged out after the idle timeout. A cookie-store session read that late
// cannot record it: its cookie can no longer change.
func (s *Session) saveActivity() {
	if (s.writeThrough || (s.late && s.m.client == nil)) && s.err == nil && s.chg.MetaFields != 0 {
		if err := s.commit(false); err != nil && !s.reported {
			s.reported = true
			s.m.emit(s.r, EventStoreError, s.key, s.meta.User, err)
		}
	}
}

// tryLoad adopts id if it names a live session. Strict mode: an ID the store
// does not know is never adopted; the session stays new and gets a fresh ID
// when it is first stored.
func (s *Session) tryLoad(id string, now int64) bool {
	m := s.m
	key := KeyOf(id)
	ctx := s.r.Context()
	start := m.storeStart()
	// Where the store reports a grace alias led (ReportAlias) lands in
	// s.aliasAt through the session's own context: the request's under
	// Handler, and otherwise the same field, unused outside Handler, set up
	// for this load.
	s.aliasAt = ""
	lctx := ctx
	if c, ok := ctx.(*sessionContext); !ok || c.s != s {
		s.ctx.Context, s.ctx.s = ctx, s
		lctx = &s.ctx
	}
	rec, found, err := m.store.Load(lctx, key)
	at := s.aliasAt
	renamed := false // id was renamed moments ago and is within its grace
	if found && at != "" && at != key && ValidKey(at) {
		// Act on the renamed session under its own key.
		key, renamed = at, true
	}
	m.observe("load", start, err)
	switch {
	case errors.Is(err, ErrCorrupt):
		m.emit(s.r, EventCorrupt, key, "", err)
		s.drop(key)
		return false
	case err != nil:
		s.err, s.reported = err, true
		m.emit(s.r, EventStoreError, key, "", err)
		return false
	case !found:
		m.emit(s.r, EventInvalidID, key, "", nil)
		if m.guess != nil && m.guess.miss(clientIP(s.r, m.opts.Guessing.TrustedProxies), key, m.now()) {
			m.emit(s.r, EventGuessing, "", "", nil)
		}
		return false
	}
	if kind := m.expiry(&rec.Meta, now); kind != 0 {
		m.emit(s.r, kind, key, rec.User, nil)
		s.drop(key)
		return false
	}
	if m.opts.Bind != nil && rec.Bind != "" && !equalSecret(rec.Bind, bindDigest(m.opts.Bind(s.r))) {
		m.emit(s.r, EventBindMismatch, key, rec.User, nil)
		if m.opts.BindPolicy == BindDestroy {
			s.drop(key)
			return false
		}
	}
	s.id, s.key, s.rec = id, key, rec
	s.viewMeta(&rec.Meta)
	if now-s.meta.LastSeen >= int64(m.opts.TouchInterval) {
		s.touch(now)
	}
	// Rotation needs the middleware, and its commit still ahead: only then
	// is the new cookie sure to reach the response before its first byte.
	// A session first used after the response started rotates on a later
	// request. A session reached through a grace alias has just been
	// rotated; its Renewed may not be recorded yet, and rotating it again
	// would chain aliases.
	if m.opts.RotateAfter > 0 && !s.writeThrough && !s.late && !renamed && now-s.meta.Renewed >= int64(m.opts.RotateAfter) {
		s.renew, s.rotating = true, true
	}
	return true
}

// drop deletes a dead or unusable record, best effort: a failure only means
// the store's own expiry removes it later.
func (s *Session) drop(key string) {
	start := s.m.storeStart()
	err := s.m.store.Delete(s.r.Context(), key)
	s.m.observe("delete", start, err)
}

// noMeta is the metadata of a session not yet stored. It is never written
// (see setMeta).
var noMeta Meta

// viewMeta makes m, which the session must not write, its metadata.
func (s *Session) viewMeta(m *Meta) { s.meta, s.ownMeta = m, false }

// setMeta returns the session's metadata for writing, copying it first if
// it is not the session's own. Callers hold s.mu.
func (s *Session) setMeta() *Meta {
	if !s.ownMeta {
		c := *s.meta
		s.meta, s.ownMeta = &c, true
	}
	return s.meta
}

func (s *Session) touch(now int64) {
	md := s.setMeta()
	md.LastSeen = now
	md.Expires = s.m.deadline(md)
	s.chg.MetaFields |= MetaLastSeen | MetaExpires
}

// ---- reading ----

func (s *Session) lookup(key string) (any, bool) {
	if i := fieldIndex(s.chg.Set, key); i >= 0 {
		return s.chg.Set[i].Value, true
	}
	if slices.Contains(s.chg.Del, key) {
		return nil, false
	}
	if local := s.local(); local != nil {
		if i := fieldIndex(local, key); i >= 0 {
			return local[i].Value, true
		}
	}
	if s.chg.Clear || s.rec == nil {
		return nil, false
	}
	return s.rec.Lookup(key)
}

func fieldIndex(f []Field, key string) int {
	for i := range f {
		if f[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value stored under key, or nil when there is none. The
// value is not copied: with the memory store a slice or map it returns is
// the stored session's own, shared with every request, so do not change it
// in place; Set a changed copy (GetAll returns copies).
func (s *Session) Get(key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	v, _ := s.lookup(key)
	return v
}

// Lookup returns the value stored under key and whether there is one. As
// with Get, the value is not copied.
func (s *Session) Lookup(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.lookup(key)
}

// GetAll returns a copy of every value in the session: a value of a type
// the codec stores natively ([]byte, []string, []any, map[string]any, JSON,
// and what those hold) may be changed in place without changing the
// session. Values of other types are returned as they are, and what a
// pointer, or a slice or map inside a struct, leads to is shared with the
// session (with the memory store, with the stored session): Set a changed
// copy instead.
func (s *Session) GetAll() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	all := s.all()
	c := valueCopier{}
	for k, v := range all {
		all[k] = c.copy(v)
	}
	return all
}

func (s *Session) all() map[string]any {
	out := map[string]any{}
	if s.rec != nil && !s.chg.Clear {
		for _, f := range s.rec.Fields {
			out[f.Key] = f.Value
		}
	}
	for _, f := range s.local() {
		out[f.Key] = f.Value
	}
	for _, k := range s.chg.Del {
		delete(out, k)
	}
	for _, f := range s.chg.Set {
		out[f.Key] = f.Value
	}
	return out
}

// VisitAll calls visit for every value in the session, in key order. It
// works on a snapshot of copies (see GetAll), so visit may use the session.
func (s *Session) VisitAll(visit func(key string, value any)) {
	all := s.GetAll()
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		visit(k, all[k])
	}
}

// Len returns the number of values in the session.
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return len(s.all())
}

// ---- writing ----

// Set stores value under key. Inside Handler it is committed before the
// response's first byte; without the middleware it is written at once.
func (s *Session) Set(key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return
	}
	s.put(key, value)
	s.changed()
}

// put records value under key as a change of this request. Callers hold
// s.mu.
func (s *Session) put(key string, value any) {
	s.undelete(key)
	if s.chg.Set == nil {
		s.chg.Set = s.setBuf[:0]
	}
	s.chg.Set = setField(s.chg.Set, key, value)
}

// Delete removes key from the session.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return
	}
	s.remove(key)
	s.changed()
}

func (s *Session) remove(key string) {
	if i := fieldIndex(s.chg.Set, key); i >= 0 {
		s.chg.Set = slices.Delete(s.chg.Set, i, i+1)
	}
	if i := fieldIndex(s.local(), key); i >= 0 {
		s.x.local = slices.Delete(s.x.local, i, i+1)
	}
	if !s.chg.Clear && !slices.Contains(s.chg.Del, key) {
		s.chg.Del = append(s.chg.Del, key)
	}
}

// Pop returns the value under key and removes it.
func (s *Session) Pop(key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	v, ok := s.lookup(key)
	if ok && s.err == nil {
		s.remove(key)
		s.changed()
	}
	return v
}

// Clear removes every value. The session itself, its user and its ID stay;
// use Destroy to end it.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return
	}
	s.chg.Clear = true
	s.chg.Set, s.chg.Del = s.chg.Set[:0], s.chg.Del[:0]
	s.dropLocal()
	s.changed()
}

// Increment adds by to the integer under key atomically in the store, and
// returns the new value: concurrent requests never lose a count. An absent
// key counts from 0; a value of any type but int (an int64, a float64) is
// ErrNotInteger in every store, as is a count that would leave the range
// of an int (int64 on a 64-bit platform, int32 on a 32-bit one), and the
// value is left as it was. With Options.MaxSize, a count that would take
// the session over it is refused with ErrTooLarge (see there), and so is,
// with the cookie store, one that would take the cookie over the 4096
// bytes browsers keep, the session sealed as it stands. Pending
// changes are committed first, and a new session is stored so there is
// something to count in.
func (s *Session) Increment(key string, by int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return 0, s.err
	}
	if s.m.opts.MaxSize > 0 {
		if err := s.checkIncrementSize(key, by); err != nil {
			s.reportWrite(s.key, s.meta.User, err)
			return 0, err
		}
	}
	if s.m.client != nil {
		return s.incrementClient(key, by)
	}
	created := s.create
	if s.key == "" {
		s.create = true
	}
	if err := s.commit(false); err != nil {
		// A refused commit leaves the pending changes as they were, and
		// a new session no more to create than before the Increment.
		s.create = created
		s.reportWrite(s.key, s.meta.User, err)
		return 0, err
	}
	if s.key == "" {
		// The commit stored no session: only BlockCreation refuses one
		// without an error (see insert).
		return 0, ErrCreationBlocked
	}
	start := s.m.storeStart()
	n, err := s.m.store.Increment(s.r.Context(), s.key, key, by)
	s.m.observe("increment", start, err)
	switch {
	case errors.Is(err, ErrNotInteger):
		return 0, err // the value's type or range: the caller's to handle
	case errors.Is(err, ErrNotFound):
		// Destroyed or renewed by another request since the commit above.
		s.m.emit(s.r, EventLostWrite, s.key, s.meta.User, err)
		return 0, err
	case err != nil:
		s.reportWrite(s.key, s.meta.User, err)
		return 0, err
	}
	if i := fieldIndex(s.local(), key); i >= 0 {
		s.x.local[i].Value = int(n)
	} else {
		x := s.more()
		x.local = append(x.local, Field{Key: key, Value: int(n)})
	}
	return n, nil
}

// Save commits the session's changes now instead of before the response,
// and reports the error the middleware would otherwise hand to the error
// handler. After Save a new session has its ID (see ID). Without the
// middleware changes are already saved as they are made, and Save reports
// a change that was refused (see Err).
//
// Under Handler, a commit refused for its size or its encoding
// (ErrTooLarge, ErrUnsupportedValue) stores nothing and leaves the changes
// pending and the session usable: drop or shrink the offending value and
// Save again. Changes still refused at the middleware's commit go to the
// error handler. Without the middleware the refused change is not kept,
// later changes are written as they are made, and Save, as Err, goes on
// reporting the first refusal.
func (s *Session) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if err := s.commit(false); err != nil {
		return err
	}
	if s.x != nil {
		return s.x.refused
	}
	return nil
}

// changed marks a mutation; without the middleware, or after the
// middleware's commit (the response has started), it is written at once.
// A change the response can no longer carry is dropped with an
// EventLostWrite (see ErrResponseStarted). It returns the error of that
// write, already reported. Callers hold s.mu.
func (s *Session) changed() error {
	if s.writeThrough || s.late {
		if err := s.commit(false); err != nil {
			s.reportWrite(s.key, s.meta.User, err)
			if isRefusal(err) {
				// The change had no error to return: Err reports it.
				if x := s.more(); x.refused == nil {
					x.refused = err
				}
			}
			return err
		}
	}
	return nil
}

// reportWrite emits the event for a write made at once that failed: an
// EventLostWrite for a change the response can no longer carry, else an
// EventStoreError. A failed store call makes the session unusable (s.err),
// and every later write returns that error without a store call: it is
// reported once, not once more per later change. A refused change (see
// isRefusal) leaves the session usable, so each one is reported. Callers
// hold s.mu.
func (s *Session) reportWrite(key, user string, err error) {
	kind := EventLostWrite
	if !errors.Is(err, ErrResponseStarted) {
		kind = EventStoreError
		if !isRefusal(err) {
			if s.reported {
				return
			}
			s.reported = true
		}
	}
	s.m.emit(s.r, kind, key, user, err)
}

// ---- identity ----

// ID returns the session's public handle: its store key, the SHA-256 of the
// session ID in hex (the cookie value's, or with a client store the ID
// sealed in the cookie, which stays the same while the cookie changes). It is safe to show ("your devices") and to pass to
// Manager.DestroySession; it cannot be turned back into a cookie. It is ""
// until the session is stored.
func (s *Session) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.key
}

// IsNew reports whether the session was not stored when the request
// arrived. Saving, renewing or destroying the session does not change it.
func (s *Session) IsNew() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return !s.arrived
}

// User returns the user set by Login, or "".
func (s *Session) User() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.meta.User
}

// Created returns when the session was created or last logged in: the
// start of its absolute lifetime. Zero for a session not yet stored.
func (s *Session) Created() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return unixTime(s.meta.Created)
}

// LastAccess returns the recorded time of the session's last activity.
func (s *Session) LastAccess() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return unixTime(s.meta.LastSeen)
}

// AuthTime returns when the user last logged in, or zero.
func (s *Session) AuthTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return unixTime(s.meta.AuthTime)
}

// RequireRecentAuth reports whether the user logged in within d, for
// step-up checks before sensitive actions.
func (s *Session) RequireRecentAuth(d time.Duration) bool {
	t := s.AuthTime()
	return !t.IsZero() && s.m.now().Sub(t) <= d
}

// Err returns the error that made the session unusable (a store failure),
// or nil. Inside Handler such a request is answered by the error handler.
// Without the middleware a Set, Delete, Clear or Login whose write failed
// is not kept: the session reads what the store held, so check Err after
// changing it. A change refused for its size or its encoding (ErrTooLarge,
// ErrUnsupportedValue) is not kept either, but leaves the session usable:
// later changes are still written, and Err goes on reporting the first
// such refusal.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err == nil && s.x != nil {
		return s.x.refused
	}
	return s.err
}

// Renew gives the session a new ID and kills the old one at once, keeping
// the data, user and absolute lifetime; it also rotates the CSRF secret.
// Call it on any privilege change; Login calls it for you.
func (s *Session) Renew() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return
	}
	if s.late {
		s.m.emit(s.r, EventLostWrite, s.key, s.meta.User, ErrResponseStarted)
		return
	}
	s.renewLocked()
	s.changed()
}

// grace is how long the ID a renewal replaces keeps working: RotateGrace
// for an automatic rotation, none for Renew and Login.
func (s *Session) grace() time.Duration {
	if s.rotating {
		return s.m.opts.RotateGrace
	}
	return 0
}

func (s *Session) renewLocked() {
	if s.meta.CSRF != "" {
		s.setMeta().CSRF = ""
	}
	s.chg.MetaFields |= MetaCSRF
	if s.key != "" {
		s.renew, s.rotating = true, false
	}
}

// Login binds the session to user after a successful authentication: a new
// ID (the old one dies at once, so a planted ID is useless), a new CSRF
// secret, the absolute lifetime restarted, the auth time recorded, and only
// the keys in Options.KeepOnLogin carried over. With Options.MaxPerUser it
// evicts the user's oldest sessions once the login is stored, or refuses
// with ErrTooManySessions. A login that guessing detection refuses a new
// session (GuessingOptions.BlockCreation) is ErrCreationBlocked. A
// session that expires while the request runs (its idle or absolute
// deadline passes during the password check) does not undo the login: it
// is stored as a new session. One that a parallel request destroys or
// renews meanwhile does: the login is dropped with an EventLostWrite, as
// any write to it is, so a logout is never undone by a login racing it.
// Without the middleware the login is written at once, as a Set is: one
// that fails or is refused is not kept, and Err and the events report it
// as they report a Set's.
func (s *Session) Login(user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return s.err
	}
	if user == "" {
		return errors.New("sessions: Login needs a non-empty user")
	}
	if s.late {
		return ErrResponseStarted
	}
	m := s.m
	if m.opts.MaxPerUser > 0 {
		if m.opts.LimitPolicy == LimitReject {
			if err := s.checkRoom(user); err != nil {
				if !errors.Is(err, ErrTooManySessions) {
					s.reportWrite(s.key, s.meta.User, err) // the store failed
				}
				return err
			}
		}
		// EvictOldest ends the user's oldest sessions once the login is
		// stored (see trimUser): a login refused or failed at its commit
		// must not have logged the user out elsewhere.
		s.trim = m.opts.LimitPolicy == EvictOldest
	}
	vals := s.all()
	s.chg.Clear, s.chg.Set, s.chg.Del = true, s.chg.Set[:0], s.chg.Del[:0]
	s.dropLocal()
	for _, k := range m.opts.KeepOnLogin {
		if v, ok := vals[k]; ok {
			s.chg.Set = append(s.chg.Set, Field{Key: k, Value: v})
		}
		if k == FlashKey {
			// FlashKey stands for the whole flash queue: each message
			// has a key of its own under it.
			for fk, v := range vals {
				if strings.HasPrefix(fk, flashPrefix) && fieldIndex(s.chg.Set, fk) < 0 {
					s.chg.Set = append(s.chg.Set, Field{Key: fk, Value: v})
				}
			}
		}
	}
	now := m.now().UnixNano()
	s.renewLocked()
	md := s.setMeta()
	md.User = user
	md.AuthTime = now
	md.Created = now
	md.UserAgent = truncate(s.r.UserAgent(), 256)
	s.chg.MetaFields |= MetaUser | MetaAuthTime | MetaCreated | MetaUserAgent
	if m.opts.Bind != nil {
		md.Bind = bindDigest(m.opts.Bind(s.r))
		s.chg.MetaFields |= MetaBind
	}
	s.create = true
	s.touch(now)
	return s.changed()
}

// SetUser is Login: it records the user for the per-user index and renews
// the session as a privilege change must.
func (s *Session) SetUser(user string) error { return s.Login(user) }

// checkRoom refuses with ErrTooManySessions a login of user that would
// take the user past Options.MaxPerUser (LimitReject).
func (s *Session) checkRoom(user string) error {
	m := s.m
	list, err := m.UserSessions(s.r.Context(), user)
	if err != nil {
		return err
	}
	// Neither this session nor one this request destroyed (Destroy, then
	// Login) counts: the first is renewed, the second deleted at commit.
	drop := s.dropKey()
	list = slices.DeleteFunc(list, func(in Info) bool { return in.Key == s.key || in.Key == drop })
	if len(list) >= m.opts.MaxPerUser && s.key != "" {
		// A parallel request may have rotated this session since it was
		// loaded: under its new key it is still this one, not another
		// device, and the renewal follows it there.
		_, _, at, err := m.loadAliased(s.r.Context(), s.key)
		if err != nil {
			return err
		}
		list = slices.DeleteFunc(list, func(in Info) bool { return in.Key == at })
	}
	if len(list) >= m.opts.MaxPerUser {
		return ErrTooManySessions
	}
	return nil
}

// end ends user's sessions in list, as Manager.DestroySession does (one
// that a rotation moved since the listing ends under its new key too),
// emitting EventDestroyed for each, and stops at the first store error,
// returning the key it failed on.
func (s *Session) end(user string, list []Info) (failed string, err error) {
	for _, in := range list {
		key, found, err := s.m.endUserSession(s.r.Context(), user, in.Key)
		if err != nil {
			return in.Key, err
		}
		if found {
			s.emit(EventDestroyed, key, user, nil)
		}
	}
	return "", nil
}

// Destroy ends the session: its record is deleted and the cookie expired.
// The session is empty and unsaved afterwards (ID returns ""); storing a
// value in it starts a new session with a new ID. IsNew still reports
// whether the request arrived with a session. A session that a parallel
// request renewed (Renew, Login) after this one loaded it lives on under
// the new ID, which this request cannot know: the logout is then reported
// with an EventLostWrite, not an EventDestroyed. A logout stands when
// values stored after it in the same request are refused (ErrTooLarge,
// ErrUnsupportedValue): the record is deleted, and the error handler's
// answer still expires the cookie (see Options.ErrorHandler).
func (s *Session) Destroy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.late && s.m.client != nil && (s.key != "" || s.presented) {
		// The session lives in the cookie, which can no longer change:
		// the logout is refused, and the session stays what the client
		// still has, as after any other refused late change.
		s.m.emit(s.r, EventLostWrite, s.key, s.meta.User, ErrResponseStarted)
		return
	}
	if s.key != "" {
		x := s.more()
		x.dropKey, x.dropUser = s.key, s.meta.User
	}
	s.dropCookie = s.dropCookie || s.presented || s.id != ""
	s.id, s.key, s.rec, s.chg.MetaFields = "", "", nil, 0
	s.viewMeta(&noMeta)
	s.chg.Clear, s.chg.Set, s.chg.Del = false, nil, nil
	s.dropLocal()
	s.create, s.renew = false, false
	if s.writeThrough || s.late {
		if err := s.commit(false); err != nil {
			// ErrResponseStarted: the cookie store cannot end it now.
			s.reportWrite(s.dropKey(), s.dropUser(), err)
		}
	}
}

// Logout is Destroy.
func (s *Session) Logout() { s.Destroy() }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// ---- committing ----

// emit is Manager.emit for an event of this session's commit. It notes
// while Options.OnEvent runs, so that the middleware's commit tells a
// panic from OnEvent, raised once the step it reports was stored, from one
// that leaves the commit half done (see commitGuarded). Callers hold s.mu.
func (s *Session) emit(kind EventKind, key, user string, err error) {
	s.emitting = true
	s.m.emit(s.r, kind, key, user, err)
	s.emitting = false
}

// logoutTimeout bounds the store calls of a logout whose request context
// has ended.
const logoutTimeout = 5 * time.Second

// commit writes what changed. final is true for the middleware's single
// commit before the response; otherwise the session stays usable and its
// snapshot is brought up to date. Callers hold s.mu.
func (s *Session) commit(final bool) error {
	s.emitting = false // left set by an OnEvent that panicked outside a commit
	defer s.failOnPanic()
	err := s.write(final)
	if err != nil && final {
		// The error handler answers the request (see responseWriter.commit):
		// nothing more of it is stored, after a refused change too.
		s.err = err
	}
	if err == nil && s.trim {
		s.trim = false
		s.trimUser()
	}
	if err != nil && !final && (s.writeThrough || s.late) {
		// Written at once, the change is lost with its write: the handler
		// must not read it back as if the store held it.
		s.discard()
	}
	return err
}

// failOnPanic, deferred by commit, makes a panic that does not come from
// Options.OnEvent (see emit) the session's failure, and lets it go on. A
// store that panics (a bug in it) leaves the commit half done: the session
// must not go on as if it were stored, with the handler's response carrying
// it and later changes written on top, but as after a failed store call
// (Err reports it; inside Handler the error handler answers). An OnEvent
// that panics does so once the step its event reports is stored, which
// stands.
func (s *Session) failOnPanic() {
	if s.emitting {
		return
	}
	if p := recover(); p != nil {
		s.err = fmt.Errorf("sessions: the store panicked during a commit, which may be half done: %v", p)
		panic(p)
	}
}

// fail records err, the failure of a commit: the session is read-only for
// the rest of the request. A change refused for its size or its encoding
// (see isRefusal) is no failure of the session: the store changed
// nothing, so the session stays usable, and the caller reports the
// refusal. Callers hold s.mu.
func (s *Session) fail(err error) {
	if !isRefusal(err) {
		s.err = err
	}
}

// isRefusal reports whether err refuses a change for what it holds rather
// than for a failure: over Options.MaxSize, a store's or the cookie's size
// limit (ErrTooLarge), or a value the codec cannot encode
// (ErrUnsupportedValue). Such a change is refused before anything is
// written.
func isRefusal(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnsupportedValue)
}

// discard forgets the changes a failed write left recorded (values,
// metadata, a pending renewal), so the session reads what the store holds
// rather than what it failed to store. Callers hold s.mu.
func (s *Session) discard() {
	s.reset()
	s.renew, s.rotating, s.trim = false, false, false
	if s.rec != nil {
		s.viewMeta(&s.rec.Meta)
	} else {
		s.viewMeta(&noMeta)
	}
}

// trimUser applies Options.MaxPerUser again once a login is stored. Login
// made room before storing it, but logins racing at the cap each made room
// before any of them was stored; so each, once stored, keeps the user's
// newest MaxPerUser sessions and ends the rest. Every racer ranks the
// sessions the same way (latest login first, then store key), so they end
// the same ones and the user is left with exactly MaxPerUser. A failure
// here is reported as an event: the login itself is stored.
func (s *Session) trimUser() {
	m, user := s.m, s.meta.User
	if user == "" || s.key == "" {
		return
	}
	list, err := m.UserSessions(s.r.Context(), user)
	if err != nil {
		s.emit(EventStoreError, s.key, user, err)
		return
	}
	if len(list) <= m.opts.MaxPerUser {
		return
	}
	slices.SortFunc(list, func(a, b Info) int {
		if c := cmp.Compare(b.Created, a.Created); c != 0 {
			return c
		}
		return strings.Compare(b.Key, a.Key)
	})
	if key, err := s.end(user, list[m.opts.MaxPerUser:]); err != nil {
		s.emit(EventStoreError, key, user, err)
	}
}

// write is commit without the MaxPerUser check that follows a login.
func (s *Session) write(final bool) error {
	if s.err != nil {
		return s.err
	}
	m := s.m
	if m.client != nil {
		return s.commitClient(m.client)
	}
	ctx := s.r.Context()
	now := s.loadedAt
	// Activity recorded at load is written as of the commit, not of the
	// load: a slow request (an upload) would otherwise move back the
	// activity a request that ran meanwhile recorded, and the session
	// would expire while in use.
	touched := s.chg.MetaFields&MetaLastSeen != 0
	if !final || now == 0 || touched {
		now = m.nano()
	}

	if key := s.dropKey(); key != "" {
		ctx := ctx
		if ctx.Err() != nil {
			// The client went away (or the request timed out) after the
			// handler ended the session: the logout still happens.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
			defer cancel()
		}
		// End the session before deleting it, as Manager.DestroySession
		// does. key may be the grace alias an automatic rotation left,
		// and deleting an alias only ends the grace: the expiring commit
		// follows it to the session. A Renew or Login of a parallel
		// request may have moved the session since the load, leaving no
		// alias: the commit then finds nothing, the session lives on
		// under a key this request cannot know, and the logout is
		// reported lost, not as an EventDestroyed that an audit log would
		// take for the end of the session.
		found, err := m.expire(ctx, key, now)
		if err != nil {
			s.err = err
			return err
		}
		start := m.storeStart()
		err = m.store.Delete(ctx, key)
		m.observe("delete", start, err)
		if err != nil {
			s.err = err
			return err
		}
		user := s.x.dropUser
		s.x.dropKey, s.x.dropUser = "", ""
		s.expireCookie()
		kind := EventDestroyed
		if !found {
			kind = EventLostWrite
		}
		s.emit(kind, key, user, nil)
	}
	// A logout stands whatever its request stores next: the values are
	// checked once it is done.
	if err := s.refuseOverMaxSize(); err != nil {
		return err
	}

	if s.key == "" {
		if len(s.chg.Set) > 0 || s.create || (s.chg.MetaFields != 0 && s.meta.CSRF != "") {
			if s.late {
				// A session the client would never hear of.
				s.reset()
				return ErrResponseStarted
			}
			return s.insert(now, final)
		}
		if s.dropCookie {
			s.expireCookie()
			s.dropCookie = false
		}
		return nil
	}

	// A write moves the idle deadline only when the recorded activity is
	// stale, as a read does (tryLoad): the commit then carries just the
	// changed values, not the metadata.
	if touched || ((s.chg.Clear || len(s.chg.Set) > 0 || len(s.chg.Del) > 0) && now-s.meta.LastSeen >= int64(m.opts.TouchInterval)) {
		s.touch(now)
	}
	if s.renew {
		if done, err := s.rename(now, final, 0); done || err != nil {
			return err
		}
		if s.key == "" {
			if s.create {
				return s.insert(now, final) // a Login outliving its expired session (see rename)
			}
			return nil
		}
	}
	if !s.chg.Clear && len(s.chg.Set) == 0 && len(s.chg.Del) == 0 && s.chg.MetaFields == 0 {
		return nil
	}
	d := s.delta()
	start := m.storeStart()
	err := m.store.Commit(ctx, s.key, d)
	m.observe("commit", start, err)
	if errors.Is(err, ErrNotFound) {
		// Destroyed or renewed by another request meanwhile: drop the write,
		// never bring the session back, and leave the cookie alone (a
		// parallel response may have issued its successor).
		s.emit(EventLostWrite, s.key, s.meta.User, nil)
		s.reset()
		return nil
	}
	if err != nil {
		s.fail(err)
		return err
	}
	s.committed(d, final)
	return nil
}

// refuseOverMaxSize refuses, with an error wrapping ErrTooLarge, pending
// values that would take the session over Options.MaxSize. Callers hold
// s.mu.
func (s *Session) refuseOverMaxSize() error {
	if s.m.opts.MaxSize > 0 && len(s.chg.Set) > 0 {
		if err := s.checkSize(0); err != nil {
			s.fail(err)
			return err
		}
	}
	return nil
}

// expireCookie expires the session cookie on the response, if the session
// drops it. A logout does so once the record is deleted and before the
// EventDestroyed: an OnEvent that panics there (see commitFinal) must not
// leave the client the cookie of a record that is gone. A new session
// stored afterwards in the same commit replaces the expiring cookie.
// Once the response has started it carries no cookie, and its header is
// no longer the session's to touch: after the handler returns, HTTP/2's
// writer panics on it and HTTP/1's is net/http's again. The record is
// gone, which is the logout. Callers hold s.mu.
func (s *Session) expireCookie() {
	if s.dropCookie && !s.late {
		s.m.cookie.expire(s.writer(), s.r)
	}
}

// committed updates the session after the store applied d: the changes
// become its record. After the middleware's commit (final) that waits
// until the handler uses the session again (see load): most never do, and
// spare the copy.
func (s *Session) committed(d *Delta, final bool) {
	if final {
		s.settle = true
		return
	}
	s.rec = s.rec.Apply(d)
	s.reset()
	s.viewMeta(&s.rec.Meta)
}

func (s *Session) delta() *Delta {
	// chg.Set is sorted in place rather than copied: the recorded changes
	// are dropped after the commit (reset), never changed under the store.
	sortFields(s.chg.Set)
	s.chg.Meta = nil
	if s.chg.MetaFields != 0 {
		s.chg.Meta = s.meta
	}
	return &s.chg
}

// reset forgets the recorded changes after a commit.
func (s *Session) reset() {
	s.chg, s.create = Delta{}, false
}

// insert stores a new session under a fresh ID and issues the cookie.
func (s *Session) insert(now int64, final bool) error {
	m := s.m
	if m.guess != nil && m.opts.Guessing.BlockCreation && m.guess.blocked(clientIP(s.r, m.opts.Guessing.TrustedProxies), m.now()) {
		if s.meta.User != "" {
			// A login, which the client must not take for stored.
			return ErrCreationBlocked
		}
		return nil
	}
	// The new record's metadata is written in place: it becomes the
	// session's snapshot, so the session needs no copy of its own.
	rec := newRecord(len(s.chg.Set))
	rec.Meta = *s.meta
	md := &rec.Meta
	md.Renewed, md.LastSeen = now, now
	if md.Created == 0 {
		md.Created = now
	}
	if md.Bind == "" && m.opts.Bind != nil {
		md.Bind = bindDigest(m.opts.Bind(s.r))
	}
	md.Expires = m.deadline(md)
	rec.Fields = append(rec.Fields, s.chg.Set...)
	sortFields(rec.Fields)
	id, key, err := s.underNewID("create", func(key string) error {
		return m.store.Create(s.r.Context(), key, rec)
	})
	if err != nil {
		s.fail(err)
		return err
	}
	s.id, s.key, s.rec = id, key, rec
	s.viewMeta(md)
	s.dropCookie = false
	s.dropLocal()
	s.reset()
	m.cookie.set(s.writer(), s.r, id, time.Duration(s.meta.Created+int64(m.opts.Lifetime)-now))
	s.emit(EventCreated, key, s.meta.User, nil)
	return nil
}

// underNewID draws a session ID and calls put with its key; a collision
// (ErrExists) draws again, three times at most. It returns the ID and key
// put succeeded with, or put's error.
func (s *Session) underNewID(op string, put func(key string) error) (id, key string, err error) {
	m := s.m
	for range 3 {
		if id, err = newID(m.rand); err != nil {
			return "", "", err
		}
		key = KeyOf(id)
		start := m.storeStart()
		err = put(key)
		m.observe(op, start, err)
		if !errors.Is(err, ErrExists) {
			return id, key, err
		}
	}
	return "", "", ErrExists
}

// rename moves the session to a new ID and issues its cookie. When the
// store renames and commits in one step (RenameCommitter), the recorded
// changes go with the rename and done is true; otherwise the caller
// commits them to the new key.
//
// hops counts the grace aliases followed so far (see renamedTo).
func (s *Session) rename(now int64, final bool, hops int) (done bool, err error) {
	m := s.m
	renewed, dirty := s.meta.Renewed, s.chg.MetaFields
	var d *Delta
	rc, ok := m.store.(RenameCommitter)
	if ok {
		s.setMeta().Renewed = now
		s.chg.MetaFields |= MetaRenewed
		d = s.delta()
	}
	id, key, err := s.underNewID("rename", func(key string) error {
		if d != nil {
			err := rc.RenameCommit(s.r.Context(), s.key, key, s.grace(), d)
			if !errors.Is(err, errors.ErrUnsupported) {
				return err
			}
			d = nil // not in this store's configuration: two steps
		}
		return m.store.Rename(s.r.Context(), s.key, key, s.grace())
	})
	if d == nil || err != nil {
		if s.ownMeta {
			s.meta.Renewed = renewed
		}
		s.chg.MetaFields = dirty
	}
	switch {
	case errors.Is(err, ErrNotFound) && s.grace() > 0:
		// An automatic rotation lost the race to a parallel request that
		// rotated (or ended) the session first. Skip it: the changes go
		// through the old key, which resolves during the grace, and if the
		// session is gone Commit drops them without reviving it.
		s.renew = false
		return false, nil
	case errors.Is(err, ErrNotFound):
		// A parallel request may have rotated the session since it was
		// loaded: its old key is then a grace alias, which a rename does
		// not follow. A Login or Renew must not be lost to that, so it
		// moves the session from where the alias leads.
		if to := s.renamedTo(); to != "" && hops < maxRenameHops {
			s.key = to
			return s.rename(now, final, hops+1)
		}
		if s.create && s.rec != nil && m.expiry(&s.rec.Meta, now) != 0 {
			// A Login whose session expired while the request ran (the
			// idle or absolute deadline passed during the password
			// check): write stores the login as a new session instead.
			// One another request destroyed or renewed meanwhile stays
			// lost: a logout is never undone by a login that raced it.
			s.key, s.id, s.rec, s.renew = "", "", nil, false
			return false, nil
		}
		s.emit(EventLostWrite, s.key, s.meta.User, nil)
		s.key, s.id, s.rec = "", "", nil
		s.reset()
		return false, nil
	case err != nil:
		s.fail(err)
		return false, err
	}
	// The event comes last, once the session and the response's cookie
	// name the new key: an OnEvent that panics (see commitFinal) must not
	// leave the renamed session under a key no cookie names.
	s.id, s.key, s.renew = id, key, false
	m.cookie.set(s.writer(), s.r, id, time.Duration(s.meta.Created+int64(m.opts.Lifetime)-now))
	if d != nil {
		s.committed(d, final)
	} else {
		s.setMeta().Renewed = now
		s.chg.MetaFields |= MetaRenewed
	}
	s.emit(EventRenewed, key, s.meta.User, nil)
	return d != nil, nil
}

// maxRenameHops bounds how many grace aliases a rename follows.
const maxRenameHops = 2

// renamedTo returns the key s.key's session lives under now if s.key is a
// grace alias (the store reports it; see ReportAlias), or "".
func (s *Session) renamedTo() string {
	_, _, at, _ := s.m.loadAliased(s.r.Context(), s.key)
	return at
}

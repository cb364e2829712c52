package sessions

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ClientStore is implemented by stores that keep the whole session in the
// cookie, encrypted and authenticated (package stores/cookie). The manager
// detects it: the cookie value is opened instead of looked up, and every
// change is sealed into a new cookie instead of committed to a server.
// Server-side operations (the Store methods, the user index, atomic
// increments across requests) do not apply to such a store.
type ClientStore interface {
	// Seal encrypts rec for the cookie called name. id is the session's
	// random nonce, which stands in for a session ID: it is stable until
	// Renew and binds the CSRF token. A result too large for a cookie is an
	// error wrapping ErrTooLarge.
	Seal(name, id string, rec *Record) (string, error)

	// Open authenticates and decrypts a cookie value sealed for name. Any
	// tampered, foreign, truncated or revoked value is an error wrapping
	// ErrCorrupt.
	Open(name, value string) (id string, rec *Record, err error)
}

// ClientKeyRing is an optional interface of a ClientStore that opens values
// under several keys (a key ring, newest first) but seals only under the
// newest. The manager calls OpenStale instead of Open and, when stale is
// true, seals the session again in the response even if nothing else
// changed, so a retired key is needed only until each client's next visit.
// (A session first used after its response started cannot be sealed again
// in that response; its next request re-seals it.)
type ClientKeyRing interface {
	ClientStore

	// OpenStale is Open that also reports whether value was sealed under a
	// key other than the newest.
	OpenStale(name, value string) (id string, rec *Record, stale bool, err error)
}

// maxClientCookie bounds a client-side session cookie value read from a
// request (browsers keep at most 4096 bytes per cookie).
const maxClientCookie = 4096

// tryOpen is tryLoad for a ClientStore.
func (s *Session) tryOpen(cs ClientStore, value string, now int64) bool {
	m := s.m
	if len(value) > maxClientCookie {
		m.emit(s.r, EventMalformedID, "", "", nil)
		return false
	}
	var (
		id    string
		rec   *Record
		stale bool
		err   error
	)
	if kr, ok := cs.(ClientKeyRing); ok {
		id, rec, stale, err = kr.OpenStale(m.cookie.name, value)
	} else {
		id, rec, err = cs.Open(m.cookie.name, value)
	}
	if err != nil {
		m.emit(s.r, EventCorrupt, "", "", err)
		return false
	}
	key := KeyOf(id)
	if kind := m.expiry(&rec.Meta, now); kind != 0 {
		m.emit(s.r, kind, key, rec.User, nil)
		return false
	}
	if m.opts.Bind != nil && rec.Bind != "" && !equalSecret(rec.Bind, bindDigest(m.opts.Bind(s.r))) {
		m.emit(s.r, EventBindMismatch, key, rec.User, nil)
		if m.opts.BindPolicy == BindDestroy {
			return false
		}
	}
	s.id, s.key, s.rec = id, key, rec
	s.sawCookie(value)
	s.viewMeta(&rec.Meta)
	// A session first read after the response started cannot re-issue its
	// cookie: the activity and the re-seal under the newest key wait for
	// its next request, and are no change of the handler's that a later
	// commit (Save) would have to report as refused.
	if !s.late {
		if now-s.meta.LastSeen >= int64(m.opts.TouchInterval) {
			s.touch(now)
		}
		if stale {
			s.chg.MetaFields |= MetaAll // re-seal under the newest key, same ID
		}
	}
	if m.opts.RotateAfter > 0 && !s.writeThrough && !s.late && now-s.meta.Renewed >= int64(m.opts.RotateAfter) {
		s.renew = true
	}
	return true
}

// commitClient seals the changed session into a new cookie. Callers hold s.mu.
func (s *Session) commitClient(cs ClientStore) error {
	m := s.m
	if s.late {
		// The session lives in the cookie, which can no longer change.
		if s.dropKey() != "" || s.dropCookie || s.renew || s.create || s.chg.Clear || len(s.chg.Set) > 0 || len(s.chg.Del) > 0 || s.chg.MetaFields != 0 {
			s.reset()
			return ErrResponseStarted
		}
		return nil
	}
	now := m.now().UnixNano()
	if key := s.dropKey(); key != "" {
		// Name the user, as a server-side store's logout does: audit logs
		// fed by OnEvent tell whose session ended.
		user := s.x.dropUser
		s.x.dropKey, s.x.dropUser = "", ""
		s.expireCookie()
		s.sawCookie("")
		s.emit(EventDestroyed, key, user, nil)
	}
	// A logout stands whatever its request stores next (see write).
	if err := s.refuseOverMaxSize(); err != nil {
		return err
	}
	fresh := s.key == ""
	if fresh && !(len(s.chg.Set) > 0 || s.create || (s.chg.MetaFields != 0 && s.meta.CSRF != "")) {
		if s.dropCookie {
			m.cookie.expire(s.writer(), s.r)
			s.sawCookie("")
			s.dropCookie = false
		}
		return nil
	}
	if !fresh && !s.renew && !s.chg.Clear && len(s.chg.Set) == 0 && len(s.chg.Del) == 0 && s.chg.MetaFields == 0 {
		return nil
	}
	id := s.id
	if fresh || s.renew {
		var err error
		if id, err = newID(m.rand); err != nil {
			s.err = err
			return err
		}
	}
	s.sealedMeta(s.setMeta(), fresh, s.renew, now)
	// The cookie holds the whole record: seal all of the metadata.
	s.chg.MetaFields = MetaAll
	rec := s.clientRecord(s.delta())
	value, err := s.seal(cs, id, rec)
	if err != nil {
		s.fail(err)
		return err
	}
	issued := fresh || s.renew
	s.id, s.key, s.renew, s.dropCookie = id, KeyOf(id), false, false
	m.cookie.set(s.writer(), s.r, value, time.Duration(s.meta.Created+int64(m.opts.Lifetime)-now))
	s.sawCookie(value)
	// What was sealed becomes the session's snapshot, after the final
	// commit too: the handler may go on using the session once the
	// response has started, and a later change (refused then) must neither
	// find these changes still pending nor take them with it when dropped.
	s.rec = rec
	s.dropLocal()
	s.reset()
	s.viewMeta(&rec.Meta)
	// The event comes last, as a server-side store's does (see insert and
	// rename): the session is the cookie, so an OnEvent that panics (see
	// commitFinal) must find it set on the response, or the new session or
	// the renewal is lost.
	if issued {
		kind := EventRenewed
		if fresh {
			kind = EventCreated
		}
		s.emit(kind, s.key, s.meta.User, nil)
	}
	return nil
}

// sealedMeta records in md what a cookie's commit at now records: for a
// new session or a new ID (fresh, renew) the renewal, and a new session's
// creation and binding; then the activity, and the deadline it moves.
func (s *Session) sealedMeta(md *Meta, fresh, renew bool, now int64) {
	m := s.m
	if fresh || renew {
		md.Renewed = now
		if fresh && md.Created == 0 {
			md.Created = now
		}
		if fresh && md.Bind == "" && m.opts.Bind != nil {
			md.Bind = bindDigest(m.opts.Bind(s.r))
		}
	}
	md.LastSeen = now
	md.Expires = m.deadline(md)
}

// clientRecord returns the record a cookie seals: the snapshot, with the
// values Increment returned, and d applied. Callers hold s.mu.
func (s *Session) clientRecord(d *Delta) *Record {
	base := s.rec
	if base == nil {
		base = &Record{}
	}
	if local := s.local(); len(local) > 0 {
		base = base.Clone()
		for _, f := range local {
			base.SetField(f.Key, f.Value)
		}
	}
	return base.Apply(d)
}

// seal seals rec for the session cookie under id, refusing with
// ErrTooLarge a cookie over the size browsers keep.
func (s *Session) seal(cs ClientStore, id string, rec *Record) (string, error) {
	value, err := cs.Seal(s.m.cookie.name, id, rec)
	if err == nil && len(s.m.cookie.name)+len(value) > maxClientCookie {
		err = ErrTooLarge
	}
	return value, err
}

// incrementClient adds to a counter kept in the cookie. It is atomic only
// within this request: two concurrent requests each seal their own cookie,
// and the browser keeps the last one. Once the response has started the
// cookie cannot carry the count, and the increment is refused with
// ErrResponseStarted.
func (s *Session) incrementClient(key string, by int64) (int64, error) {
	var n int64
	if v, ok := s.lookup(key); ok {
		// Only an int counts, as in every other store.
		i, isInt := v.(int)
		if !isInt {
			return 0, ErrNotInteger
		}
		n = int64(i)
	}
	if (by > 0 && n > math.MaxInt-by) || (by < 0 && n < math.MinInt-by) {
		return 0, ErrNotInteger // a counter never wraps around
	}
	n += by
	if !s.writeThrough && !s.late {
		// Under Handler the cookie is sealed at the middleware's commit.
		// Seal it now with the count, as the session stands, so that a
		// count the cookie cannot carry, or a key it cannot hold, is
		// refused here, as it is when written at once, and not by the
		// error handler at the commit.
		if err := s.fitsCookie(key, int(n)); err != nil {
			s.reportWrite(s.key, s.meta.User, err)
			return 0, err
		}
	}
	s.undelete(key)
	s.chg.Set = setField(s.chg.Set, key, int(n))
	if s.writeThrough || s.late {
		if err := s.commit(false); err != nil {
			// A count that would not fit in the cookie (ErrTooLarge) is
			// refused: nothing was sealed, the commit dropped the count,
			// and the session stays usable (see Session.fail), as after
			// a server-side store's refused Increment.
			s.reportWrite(s.key, s.meta.User, err)
			return 0, err
		}
	}
	return n, nil
}

// fitsCookie returns an error wrapping ErrTooLarge when the session,
// sealed as it stands with v under key (with the metadata a commit now
// would record), would make a cookie over the size browsers keep, one
// wrapping ErrUnsupportedValue when key cannot be stored, or the error
// sealing it gives. Pending values the codec cannot encode are left out
// of the seal: they would fail it before anything is measured, the
// handler may still drop them, and if it does not, the commit refuses
// them whatever the count. It changes nothing. Callers hold s.mu.
func (s *Session) fitsCookie(key string, v any) error {
	if !utf8.ValidString(key) {
		return fmt.Errorf("%w: field key %q is not valid UTF-8", ErrUnsupportedValue, key)
	}
	fresh := s.key == ""
	md := *s.meta
	s.sealedMeta(&md, fresh, s.renew, s.m.now().UnixNano())
	d := Delta{
		Clear:      s.chg.Clear,
		Set:        setField(slices.Clone(s.chg.Set), key, v),
		Del:        s.chg.Del, // a pending delete of key loses to its Set in Apply
		Meta:       &md,
		MetaFields: MetaAll,
	}
	sortFields(d.Set)
	id := s.id
	if fresh || s.renew {
		id = strings.Repeat("A", IDLen) // the ID the commit draws is as long
	}
	rec := s.clientRecord(&d)
	_, err := s.seal(s.m.client, id, rec)
	if errors.Is(err, ErrUnsupportedValue) {
		if kept := encodable(rec); kept != nil {
			_, err = s.seal(s.m.client, id, kept)
		}
	}
	return err
}

// encodable returns a copy of rec without the fields the codec cannot
// store (a key that is not UTF-8, a value EncodeValue refuses), or nil
// when every field can be stored.
func encodable(rec *Record) *Record {
	var out *Record
	for i, f := range rec.Fields {
		_, err := EncodeValue(f.Value)
		ok := err == nil && utf8.ValidString(f.Key)
		if ok && out != nil {
			out.Fields = append(out.Fields, f)
		}
		if !ok && out == nil {
			out = &Record{Meta: rec.Meta, Fields: slices.Clone(rec.Fields[:i])}
		}
	}
	return out
}

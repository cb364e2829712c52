package sessions

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// Store keeps session records. Every store in this repository, and any
// third-party one, passes the conformance suite in package storetest.
//
// Keys are store keys, never cookie values: the manager passes the lowercase
// hex SHA-256 of the session ID (64 characters, see KeyOf). A store must not
// try to turn a key back into an ID.
//
// All methods take the request's context and must honour its cancellation.
// Errors from an unreachable backend should wrap ErrStoreUnavailable.
type Store interface {
	// Load returns the live record under key. A missing or expired record is
	// found == false with a nil error; an undecodable one is an error wrapping
	// ErrCorrupt. The caller treats the record as read-only.
	Load(ctx context.Context, key string) (rec *Record, found bool, err error)

	// Create stores rec under key only if the key is absent (insert-if-absent),
	// returning ErrExists otherwise. The store may forget the record after
	// rec.Expires.
	Create(ctx context.Context, key string, rec *Record) error

	// Commit applies d to the record under key atomically, in one round trip or
	// transaction. Fields not named in d are left as they are, so concurrent
	// commits setting different fields both survive. Commit never creates a
	// record: when key is absent it returns ErrNotFound. d and what it
	// points to belong to the caller and change after Commit returns: a
	// store copies what it keeps. d must not be nil (&Delta{} changes
	// nothing); a nil d is a programming error, and may panic.
	Commit(ctx context.Context, key string, d *Delta) error

	// Delete removes the record under key. Deleting an absent key is not an
	// error.
	Delete(ctx context.Context, key string) error

	// Increment adds by to the integer field of the record under key atomically
	// and returns the new value. An absent field counts as 0. It returns
	// ErrNotFound when the record is absent, and ErrNotInteger when the field
	// holds anything but a Go int (the type Session.Increment stores; an
	// int64 or a whole float64 does not count) or the sum would leave the
	// range of an int on the platform it runs on (int64 on a 64-bit
	// platform, int32 on a 32-bit one), which is all the field can hold
	// there. With an error it returns 0 and the field is unchanged.
	Increment(ctx context.Context, key, field string, by int64) (int64, error)

	// Rename moves the record from oldKey to newKey atomically. With grace >
	// 0, oldKey keeps resolving to the renamed record for Load, Commit and
	// Increment until the grace has passed; Delete(oldKey) ends it early.
	// With grace == 0, oldKey is dead at once.
	//
	// Rename judges oldKey first: it returns ErrNotFound when oldKey holds no
	// live record of its own, whatever newKey holds (a grace alias holds no
	// record: an alias is not renamed). Only then does it return ErrExists
	// when newKey is taken by a live record or a live grace alias. So:
	//   - Rename(k, k) is ErrNotFound when k holds no live record, and
	//     ErrExists when it does (k is taken, by itself); neither changes
	//     anything.
	//   - Rename(a, b) repeated after it succeeded is ErrNotFound and
	//     changes nothing, whether a was left dead or as b's grace alias
	//     (which goes on resolving). A store whose client may send one
	//     Rename twice on its own (a retry after a lost reply) recognizes
	//     the second run of that one call and reports the first's success.
	Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error
}

// RenameCommitter is the optional capability of a store to rename a record
// and commit to it in one atomic step. The manager uses it when a session
// gets a new ID (Login, Renew, rotation) with changes to store: one round
// trip instead of two, and a failure leaves the session as it was under its
// old key instead of renamed without the changes.
type RenameCommitter interface {
	// RenameCommit does Rename(ctx, oldKey, newKey, grace) and then
	// Commit(ctx, newKey, d) as one atomic step: either both happen or
	// neither does. It fails as Rename does (ErrNotFound, ErrExists), and
	// then d is not applied anywhere. A store that can do this only in some
	// configurations returns an error wrapping errors.ErrUnsupported, having
	// changed nothing, in the others; the manager then renames and commits
	// in two steps.
	RenameCommit(ctx context.Context, oldKey, newKey string, grace time.Duration, d *Delta) error
}

// UserIndex is the optional capability of a store to find sessions by user.
// Stores keep the index from Meta.User as records are created, committed and
// deleted, and drop entries whose sessions have expired. An anonymous
// session (Meta.User "") belongs to no user: it is in no listing, and
// UserSessions("") lists nothing.
type UserIndex interface {
	// UserSessions lists the live sessions of user, oldest first.
	UserSessions(ctx context.Context, user string) ([]Info, error)

	// DeleteUserSessions deletes every session of user except the one under
	// exceptKey (which may be empty) and reports how many it deleted.
	DeleteUserSessions(ctx context.Context, user, exceptKey string) (int, error)
}

// Counter is the optional capability of a store to count its live
// sessions, for administration (sessionsctl count) and monitoring, not for
// requests: a store may read every record to answer, and the count is not
// a snapshot while sessions come and go.
type Counter interface {
	// Count returns the number of live sessions: records that have not
	// expired and that Load would return. Rename grace aliases and expired
	// records a store has not removed yet are not counted; nor are records
	// Load would refuse as corrupt, as far as a store can tell without
	// decoding every value (each store's Count says how far).
	Count(ctx context.Context) (int, error)
}

// Info describes one session in a listing: its store key (the public handle,
// never the cookie value) and its metadata.
type Info struct {
	Key string // the store key: 64 lowercase hex digits, see KeyOf
	Meta
}

// Meta is a session's metadata. Times are Unix nanoseconds; zero means unset.
type Meta struct {
	// Created anchors the absolute lifetime: the session's creation, or its last
	// login. Activity and ID rotation never move it.
	Created int64
	// Renewed is when the current ID was issued (creation, Renew or rotation).
	Renewed int64
	// LastSeen is the last recorded activity; the idle timeout runs from it.
	LastSeen int64
	// AuthTime is when the user last authenticated (Login).
	AuthTime int64
	// Expires is when the store may forget the record: the earlier of the idle
	// and absolute deadlines.
	Expires int64
	// User is the user the session belongs to, or "" when anonymous.
	User string
	// UserAgent is the client's User-Agent recorded at login, for listings.
	UserAgent string
	// CSRF is the per-session CSRF secret (base64url), "" until first needed.
	CSRF string
	// Bind is a digest of the client properties the session is bound to, when
	// Options.Bind is set.
	Bind string
}

// ExpiresTime returns Expires as a time.Time.
func (m *Meta) ExpiresTime() time.Time { return unixTime(m.Expires) }

// Field is one session value: a key and its Go value.
type Field struct {
	Key   string // the name the handler gave Session.Set
	Value any    // the value as the handler set it, or as the store decoded it
}

// Record is one session as a store keeps it: metadata and values. Fields is
// sorted by Key with no duplicates.
type Record struct {
	Meta
	Fields []Field // the session's values
}

// Lookup returns the value under key and whether it is present.
func (r *Record) Lookup(key string) (any, bool) {
	i, ok := r.index(key)
	if !ok {
		return nil, false
	}
	return r.Fields[i].Value, true
}

func (r *Record) index(key string) (int, bool) {
	f := r.Fields
	if len(f) <= 8 {
		for i := range f {
			if f[i].Key == key {
				return i, true
			}
		}
		return len(f), false
	}
	i := sort.Search(len(f), func(i int) bool { return f[i].Key >= key })
	return i, i < len(f) && f[i].Key == key
}

// Clone returns a copy of r whose Fields slice may be changed freely. Values
// themselves are shared.
func (r *Record) Clone() *Record {
	c := newRecord(len(r.Fields))
	c.Meta = r.Meta
	c.Fields = append(c.Fields, r.Fields...)
	return c
}

// newRecord returns an empty record with room for n fields. A small record
// is allocated together with its fields: one object instead of two for the
// stores that keep records in memory, and the values next to the metadata.
func newRecord(n int) *Record {
	switch {
	case n == 0:
		return &Record{}
	case n == 1:
		b := new(struct {
			r Record
			f [1]Field
		})
		b.r.Fields = b.f[:0]
		return &b.r
	case n == 2:
		b := new(struct {
			r Record
			f [2]Field
		})
		b.r.Fields = b.f[:0]
		return &b.r
	case n == 3:
		b := new(struct {
			r Record
			f [3]Field
		})
		b.r.Fields = b.f[:0]
		return &b.r
	case n == 4:
		b := new(struct {
			r Record
			f [4]Field
		})
		b.r.Fields = b.f[:0]
		return &b.r
	}
	return &Record{Fields: make([]Field, 0, n)}
}

// Apply returns a new record: r with the delta applied (of the metadata,
// the fields d.MetaChanges names). r is not modified. Stores that keep
// whole records (memory, bolt, cookie) use it to merge a commit.
func (r *Record) Apply(d *Delta) *Record {
	if out := r.replaceValues(d); out != nil {
		return out
	}
	return r.merge(d)
}

// merge is Apply for any delta: it merges r's kept fields with d.Set.
func (r *Record) merge(d *Delta) *Record {
	var base []Field
	if !d.Clear {
		base = r.Fields
	}
	n := len(d.Set)
	for _, f := range base {
		if !d.deletes(f.Key) && !d.sets(f.Key) {
			n++
		}
	}
	out := r.newWithMeta(d, n)
	// Merge the kept fields and d.Set, both sorted (d.Set is sorted by
	// contract; sorting a copy keeps a caller's mistake harmless).
	set := d.Set
	if !slices.IsSortedFunc(set, compareFields) {
		set = slices.SortedFunc(slices.Values(set), compareFields)
	}
	for _, f := range base {
		if d.deletes(f.Key) || d.sets(f.Key) {
			continue
		}
		for len(set) > 0 && set[0].Key < f.Key {
			out.Fields = append(out.Fields, set[0])
			set = set[1:]
		}
		out.Fields = append(out.Fields, f)
	}
	out.Fields = append(out.Fields, set...)
	return out
}

// replaceValues is Apply for the delta most writes make: new values for
// keys r already holds, nothing deleted or cleared. It copies r's fields
// and overwrites the changed values instead of merging. It returns nil for
// any other delta.
func (r *Record) replaceValues(d *Delta) *Record {
	var at [4]int
	if d.Clear || len(d.Del) > 0 || len(d.Set) > len(at) {
		return nil
	}
	for i := range d.Set {
		j, ok := r.index(d.Set[i].Key)
		if !ok {
			return nil
		}
		at[i] = j
	}
	out := r.newWithMeta(d, len(r.Fields))
	out.Fields = append(out.Fields, r.Fields...)
	for i := range d.Set {
		out.Fields[at[i]].Value = d.Set[i].Value
	}
	return out
}

// newWithMeta returns a record without fields, with room for n, holding
// r's metadata with d's changes to it applied.
func (r *Record) newWithMeta(d *Delta, n int) *Record {
	out := newRecord(n)
	out.Meta = r.Meta
	if d.Meta != nil {
		out.Meta.Merge(d.Meta, d.MetaChanges())
	}
	return out
}

// SetField sets key to v in place, keeping Fields sorted. It is for stores and
// tests building records; sessions record changes as a Delta instead.
func (r *Record) SetField(key string, v any) {
	i, ok := r.index(key)
	if ok {
		r.Fields[i].Value = v
		return
	}
	r.Fields = append(r.Fields, Field{Key: key, Value: v})
	sortFields(r.Fields)
}

// Delta is the change a request made to a session: what Commit writes.
type Delta struct {
	// Clear removes every field before Set is applied.
	Clear bool
	// Set lists fields to write, sorted by key, each key once.
	Set []Field
	// Del lists fields to remove. No key is in both Set and Del.
	Del []string
	// Meta, when non-nil, carries the record's new metadata, including
	// Expires (the store's new deadline for the record).
	Meta *Meta
	// MetaFields names the fields of Meta that changed (see MetaChanges). A
	// store writes those and keeps the others as stored, so concurrent
	// commits that change different metadata (one request minting the CSRF
	// secret while another records activity) both survive. Zero, with Meta
	// set, means every field.
	MetaFields MetaField
}

// Empty reports whether d changes nothing.
func (d *Delta) Empty() bool {
	return !d.Clear && len(d.Set) == 0 && len(d.Del) == 0 && d.Meta == nil
}

func (d *Delta) deletes(key string) bool {
	for _, k := range d.Del {
		if k == key {
			return true
		}
	}
	return false
}

func (d *Delta) sets(key string) bool {
	for i := range d.Set {
		if d.Set[i].Key == key {
			return true
		}
	}
	return false
}

func sortFields(f []Field) {
	if len(f) < 2 {
		return
	}
	slices.SortFunc(f, compareFields)
}

func compareFields(a, b Field) int { return strings.Compare(a.Key, b.Key) }

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

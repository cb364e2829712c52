package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/sessionkit/sessions"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Nested buckets under Options.Bucket. Keys are store keys (64 hex bytes)
// unless noted.
var (
	// records: key → sessions.MarshalRecord(record).
	bucketRecords = []byte("records")
	// expiry: be64(expires) | kind | key → empty. Sorted by expiry, so the
	// cleaner reads only what is due.
	bucketExpiry = []byte("expiry")
	// users: user | 0x00 | key → empty.
	bucketUsers = []byte("users")
	// aliases: old key → be64(expires) | new key, for renames with grace.
	bucketAliases = []byte("aliases")
)

// Kinds of expiry index entries.
const (
	kindRecord = 'r'
	kindAlias  = 'a'
)

const keyLen = 64 // len(sessions.KeyOf(id))

// maxUser is the longest Meta.User the user index can hold: its keys are
// user|0x00|key, and bbolt refuses keys over bbolt.MaxKeySize.
const maxUser = bbolt.MaxKeySize - 1 - keyLen

// txn is one bbolt transaction with the store's buckets at hand. Nothing
// read through it may be kept after the transaction ends: bbolt's slices
// point into its memory map.
type txn struct {
	records, expiry, users, aliases *bbolt.Bucket
	now                             int64

	// dropped describes each nested bucket remove or set deleted, for the
	// store to log once the transaction has committed.
	dropped []string
}

func (s *Store) txn(tx *bbolt.Tx) (*txn, error) {
	root := tx.Bucket(s.root)
	if root == nil {
		return nil, fmt.Errorf("%w: bolt: bucket %q is missing from the database; it was deleted after the store was created, create the store again with New or Open", sessions.ErrStoreUnavailable, s.root)
	}
	t := &txn{
		records: root.Bucket(bucketRecords),
		expiry:  root.Bucket(bucketExpiry),
		users:   root.Bucket(bucketUsers),
		aliases: root.Bucket(bucketAliases),
		now:     time.Now().UnixNano(),
	}
	if t.records == nil || t.expiry == nil || t.users == nil || t.aliases == nil {
		return nil, fmt.Errorf("%w: bolt: a nested bucket of %q is missing; create the store again with New or Open", sessions.ErrStoreUnavailable, s.root)
	}
	return t, nil
}

// resolve returns the key whose record key reaches: key itself when a
// record is stored under it, else the new key of a live rename alias, else
// key. It follows one alias only: a record renamed twice leaves the first
// old key dead, so a key renamed away on login never reaches the session.
func (t *txn) resolve(key string) string {
	if t.records.Get([]byte(key)) != nil {
		return key
	}
	if exp, target, ok := parseAlias(t.aliases.Get([]byte(key))); ok && exp > t.now {
		return target
	}
	return key
}

// get decodes the record under key. It returns nil and no error when the
// key is absent. The decoded record does not share memory with bbolt
// (sessions.UnmarshalRecord copies every string and byte slice), but it is
// copied anyway so that holds whatever the codec does.
func (t *txn) get(key string) (*sessions.Record, error) {
	raw := t.records.Get([]byte(key))
	if raw == nil {
		return nil, nil
	}
	rec, err := sessions.UnmarshalRecord(bytes.Clone(raw))
	if err != nil {
		return nil, fmt.Errorf("bolt: session %s…: %w", key[:8], err)
	}
	return rec, nil
}

// getLive is get that also reports an expired record as absent.
func (t *txn) getLive(key string) (*sessions.Record, error) {
	rec, err := t.get(key)
	if err != nil || rec == nil || rec.Expires <= t.now {
		return nil, err
	}
	return rec, nil
}

// put writes rec under key and moves its index entries from old (the record
// previously under key, nil when there was none or it could not be decoded).
//
// A value whose encoding panics (a MarshalJSON that panics) panics with
// valuePanic, which guard passes on to the caller as the value's own panic
// once bbolt has rolled the transaction back: it is the value's fault,
// not the file's. (Outside a transaction, as in Create, marshal's panic
// reaches the caller as it is.)
func (t *txn) put(key string, old, rec *sessions.Record) error {
	b, err := marshalInTx(rec)
	if err != nil {
		return err
	}
	return t.putEncoded(key, old, rec, b)
}

// marshalInTx is marshal with a panic wrapped in valuePanic (see put).
func marshalInTx(rec *sessions.Record) ([]byte, error) {
	defer callerFault()
	return marshal(rec)
}

// applyInTx is rec.Apply(d) with a panic wrapped in valuePanic, as in
// marshalInTx: a delta Apply panics on (a nil *Delta) is the caller's
// mistake, not the file's.
func applyInTx(rec *sessions.Record, d *sessions.Delta) *sessions.Record {
	defer callerFault()
	return rec.Apply(d)
}

// callerFault, deferred around a step that depends only on the caller's
// arguments, passes a panic on wrapped in valuePanic, so that guard lets
// it reach the caller instead of reporting the file damaged.
func callerFault() {
	if r := recover(); r != nil {
		panic(valuePanic{r})
	}
}

// putEncoded is put with rec already marshalled into b.
func (t *txn) putEncoded(key string, old, rec *sessions.Record, b []byte) error {
	if err := t.set(t.records, bucketRecords, []byte(key), b); err != nil {
		return err
	}
	if old != nil && old.Expires == rec.Expires && old.User == rec.User {
		return nil
	}
	if old != nil {
		if err := t.unindex(key, old); err != nil {
			return err
		}
	}
	if err := t.set(t.expiry, bucketExpiry, expiryKey(rec.Expires, kindRecord, key), nil); err != nil {
		return err
	}
	if rec.User != "" {
		return t.set(t.users, bucketUsers, userKey(rec.User, key), nil)
	}
	return nil
}

// del deletes the record under key, or a nested bucket there (see remove),
// and the index entries of old, its decoded value (nil when it could not be
// decoded or there is none: then stale index entries stay behind, and every
// reader of the indexes checks the record itself).
func (t *txn) del(key string, old *sessions.Record) error {
	if old != nil {
		if err := t.unindex(key, old); err != nil {
			return err
		}
	}
	return t.remove(t.records, bucketRecords, []byte(key))
}

func (t *txn) unindex(key string, rec *sessions.Record) error {
	if err := t.remove(t.expiry, bucketExpiry, expiryKey(rec.Expires, kindRecord, key)); err != nil {
		return err
	}
	if rec.User != "" {
		return t.remove(t.users, bucketUsers, userKey(rec.User, key))
	}
	return nil
}

// remove deletes the entry k of b, one of the store's nested buckets named
// name. The store keeps plain entries there only: a nested bucket under k,
// which bbolt refuses to delete as an entry, was put there from outside the
// store, and remove deletes it with whatever it holds, noting it in
// t.dropped, rather than failing on it in every transaction that reaches
// k (the cleaner's above all, which would never get past it).
func (t *txn) remove(b *bbolt.Bucket, name, k []byte) error {
	err := b.Delete(k)
	if !errors.Is(err, bolterrors.ErrIncompatibleValue) {
		return err
	}
	return t.drop(b, name, k)
}

// set puts v under k in b, one of the store's nested buckets named name,
// first deleting a nested bucket under k as remove does: bbolt refuses to
// put an entry there, and every write of k would fail on it for good.
func (t *txn) set(b *bbolt.Bucket, name, k, v []byte) error {
	err := b.Put(k, v)
	if !errors.Is(err, bolterrors.ErrIncompatibleValue) {
		return err
	}
	if err := t.drop(b, name, k); err != nil {
		return err
	}
	return b.Put(k, v)
}

// drop deletes the nested bucket k of b, for remove and set.
func (t *txn) drop(b *bbolt.Bucket, name, k []byte) error {
	if err := b.DeleteBucket(k); err != nil {
		return err
	}
	t.dropped = append(t.dropped, fmt.Sprintf("%s/%x", name, k))
	return nil
}

// putAlias makes oldKey reach newKey until exp.
func (t *txn) putAlias(oldKey, newKey string, exp int64) error {
	if err := t.delAlias(oldKey); err != nil {
		return err
	}
	v := make([]byte, 8, 8+len(newKey))
	binary.BigEndian.PutUint64(v, sortable(exp))
	v = append(v, newKey...)
	if err := t.set(t.aliases, bucketAliases, []byte(oldKey), v); err != nil {
		return err
	}
	return t.set(t.expiry, bucketExpiry, expiryKey(exp, kindAlias, oldKey), nil)
}

// delAlias removes the alias under oldKey, if any, and its expiry entry,
// or a nested bucket under oldKey (see remove).
func (t *txn) delAlias(oldKey string) error {
	if exp, _, ok := parseAlias(t.aliases.Get([]byte(oldKey))); ok {
		if err := t.remove(t.expiry, bucketExpiry, expiryKey(exp, kindAlias, oldKey)); err != nil {
			return err
		}
	}
	return t.remove(t.aliases, bucketAliases, []byte(oldKey))
}

// taken reports whether key already reaches a live session, directly or
// through an alias. A record that cannot be decoded counts as taken.
func (t *txn) taken(key string) (bool, error) {
	if exp, _, ok := parseAlias(t.aliases.Get([]byte(key))); ok && exp > t.now {
		return true, nil
	}
	rec, err := t.get(key)
	if err != nil {
		return true, err
	}
	return rec != nil && rec.Expires > t.now, nil
}

// clearKey removes whatever expired record or alias is left under key, so
// that an expired session never blocks its key, and a nested bucket in
// place of either (see remove).
func (t *txn) clearKey(key string) error {
	old, err := t.get(key)
	if err != nil {
		return err
	}
	if err := t.del(key, old); err != nil {
		return err
	}
	return t.delAlias(key)
}

func parseAlias(v []byte) (exp int64, target string, ok bool) {
	if len(v) != 8+keyLen {
		return 0, "", false
	}
	return unsortable(binary.BigEndian.Uint64(v)), string(v[8:]), true
}

func expiryKey(exp int64, kind byte, key string) []byte {
	b := make([]byte, 9, 9+len(key))
	binary.BigEndian.PutUint64(b, sortable(exp))
	b[8] = kind
	return append(b, key...)
}

func userKey(user, key string) []byte {
	b := make([]byte, 0, len(user)+1+len(key))
	b = append(append(b, user...), 0)
	return append(b, key...)
}

// sortable maps an int64 to a uint64 with the same order, so big-endian
// bytes sort like the numbers.
func sortable(n int64) uint64   { return uint64(n) ^ (1 << 63) }
func unsortable(u uint64) int64 { return int64(u ^ (1 << 63)) }

// marshal encodes rec after checks that keep it decodable and indexable:
// field keys must be UTF-8, sorted and unique (sessions.UnmarshalRecord
// refuses anything else), the user must fit a user-index key, and the whole
// record must fit the decoder's size cap.
func marshal(in *sessions.Record) ([]byte, error) {
	rec := *in
	if len(rec.User) > maxUser {
		return nil, fmt.Errorf("%w: bolt: the user name takes %d bytes, over the %d bytes the user index holds",
			sessions.ErrUnsupportedValue, len(rec.User), maxUser)
	}
	normalize(&rec)
	for _, f := range rec.Fields {
		if !utf8.ValidString(f.Key) {
			return nil, fmt.Errorf("%w: bolt: field key %q is not valid UTF-8; use UTF-8 key names", sessions.ErrUnsupportedValue, f.Key)
		}
	}
	// MarshalRecord refuses a record over sessions.DefaultMaxRecordSize
	// with ErrTooLarge.
	b, err := sessions.MarshalRecord(&rec)
	if err != nil {
		return nil, fmt.Errorf("bolt: %w", err)
	}
	return b, nil
}

// normalize sorts rec.Fields by key and drops earlier duplicates, when a
// caller broke the Record contract; a sorted, duplicate-free record is
// returned unchanged.
func normalize(rec *sessions.Record) {
	f := rec.Fields
	ok := true
	for i := 1; i < len(f); i++ {
		if f[i-1].Key >= f[i].Key {
			ok = false
			break
		}
	}
	if ok {
		return
	}
	f = append([]sessions.Field(nil), f...)
	sort.SliceStable(f, func(i, j int) bool { return f[i].Key < f[j].Key })
	out := f[:0]
	for i := range f {
		if i+1 < len(f) && f[i+1].Key == f[i].Key {
			continue // a later value for the same key wins
		}
		out = append(out, f[i])
	}
	rec.Fields = out
}

// Package bolt is a [sessions.Store] kept in a [bbolt] database: embedded,
// persistent, for a single machine. It also implements
// [sessions.UserIndex] and [sessions.Counter].
//
// # Opening
//
// [Open] opens or creates a database file that the store owns (a new
// directory is made 0700, a new file 0600, since session records are
// credentials); [New] uses a *bbolt.DB the application already has, in which
// the store keeps to its own top-level bucket ([Options.Bucket]).
//
//	store, err := bolt.Open("/var/lib/myapp/sessions.db", bolt.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer store.Close()
//	m, err := sessions.NewManager(store, sessions.Options{})
//
// bbolt reports a damaged file (a page of the wrong type, a file cut
// short) by panicking or by a memory fault. The store turns either into an
// error wrapping [sessions.ErrStoreUnavailable] that says the file is
// damaged, from Open, from a request's method and in the background
// cleaner alike, instead of letting it end the process. From then on the
// store answers every call with that error without touching the file
// (bbolt may have panicked holding its own locks, and waiting for them
// would hang the request): close the store, restore the file from a
// backup or move it aside, and open it again; no restart is needed.
// [Store.Close], and a failed [Open], let go of the file's lock and
// descriptor even when bbolt cannot close the database itself (a panic
// inside bbolt.Open leaves it nothing to close; a panic that left bbolt's
// locks held makes its Close wait for good). What they cannot release in
// those two cases is bbolt's read-only memory map of the file, which
// bbolt alone knows the place of: it stays until the process exits,
// taking address space, and disk space if the file is deleted, but no
// lock.
//
// bbolt lets one process at a time open a file. Run one application
// instance per file, or use the PostgreSQL or Redis store when several
// instances share sessions.
//
// # Layout
//
// Under the top-level bucket (default "sessions") four nested buckets hold:
//
//	records   key → sessions.MarshalRecord(record) (versioned, size-capped)
//	expiry    be64(expires) | kind | key → empty, sorted by expiry
//	users     user | 0x00 | key → empty
//	aliases   old key → be64(expires) | new key, while a rename's grace lasts
//
// Keys are store keys (the SHA-256 hex of a session ID, see
// [sessions.KeyOf]): the database never holds a cookie value, and a key of
// any other shape is refused before it reaches bbolt.
//
// # Atomicity
//
// Every write is one bbolt write transaction, and bbolt runs one at a time:
// Commit reads the record, checks that it exists and has not expired,
// applies the delta with [sessions.Record.Apply] and writes it back together
// with its index entries; Increment and Rename work the same way. Two
// commits to one session that set different keys both survive, and a
// commit never brings a deleted or expired session back. A write waits for
// its turn at the writer lock while watching its context: once the context
// ends it returns the context's error and writes nothing.
//
// Reads run in read transactions, which never wait for writers. Bytes read
// from bbolt are copied before the transaction ends; no returned value
// points into the database's memory map.
//
// # Expiry
//
// Expired records are never served, whether or not they have been deleted.
// A background cleaner deletes them every [Options.CleanupInterval],
// walking only the due part of the expiry index, in write transactions of
// [Options.CleanupBatch] entries so that requests are never held up for
// long. [Store.Close] stops it and waits for it to exit.
//
// # Errors
//
// A record that does not decode is reported as [sessions.ErrCorrupt]. A
// database whose buckets are not what the store made (one of them deleted)
// makes every call fail with an error wrapping [sessions.ErrStoreUnavailable]
// that says what to repair, as do bbolt's own failures. A nested bucket
// where the store keeps a plain entry (a session record, a rename alias, an
// index entry) holds no session: [Store.Load] finds nothing there, and
// Commit and Increment report [sessions.ErrNotFound], as for an absent
// record. The first write, delete or cleanup that would put or remove the
// entry deletes the nested bucket, with whatever it holds, logs it at Warn,
// and goes on.
package bolt

package storeurl

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/sessionkit/sessions/stores/bolt"
	"go.etcd.io/bbolt"
)

// errNoBoltPeek is checkBoltSessions's answer when it could not look into
// the file: the store's own Open, which reports a held or damaged file in
// its words, is to tell why.
var errNoBoltPeek = errors.New("cannot look into the file")

// checkBoltSessions returns an error naming path when the bbolt database
// there holds no session store (the bucket bolt.Open makes, which a
// server's store has from its start): another application's file, which
// bolt.Open would give the store's buckets and which would then show no
// sessions. It opens the file read-only and changes nothing. It returns
// errNoBoltPeek when it cannot open or read the file.
func checkBoltSessions(spec, path string) (err error) {
	// bbolt may panic, or fault, on a damaged file: then say so here, as
	// a lock the panic left held would make bolt.Open report the file
	// held by another process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("-store %s: %s is damaged or not a bbolt database (%v); give the path of the file the server uses", Redact(spec), Redact(path), p)
		}
	}()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: bolt.DefaultOpenTimeout})
	if err != nil {
		return errNoBoltPeek
	}
	defer db.Close()
	found := false
	if err := db.View(func(tx *bbolt.Tx) error {
		found = tx.Bucket([]byte(bolt.DefaultBucket)) != nil
		return nil
	}); err != nil {
		return errNoBoltPeek
	}
	if !found {
		return fmt.Errorf("-store %s: %s holds no sessions (no %q bucket), not the server's session database; give the path of the file the server uses", Redact(spec), Redact(path), bolt.DefaultBucket)
	}
	return nil
}

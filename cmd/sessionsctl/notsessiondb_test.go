package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/sessions/stores/bolt"
	"go.etcd.io/bbolt"
)

// TestBoltFileWithoutSessions: a bolt path naming a bbolt database that
// holds no sessions (another application's file, the wrong .db) is an
// error naming the file, as a missing or empty file is
// (TestMissingBoltFile, TestEmptyBoltFile): opening it as a store would
// add the session buckets to that file, and revoke-user would answer
// "revoked 0 sessions of alice" and exit 0, a log-out-everywhere reported
// done that did nothing.
func TestBoltFileWithoutSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("config"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, args := range [][]string{{"revoke-user", "alice"}, {"count"}, {"list", "alice"}} {
		var out, errb bytes.Buffer
		code := run(append([]string{"-store", "bolt:" + path}, args...), &out, &errb)
		if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), path) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1, nothing on stdout, and the file named", args[0], code, out.String(), errb.String())
		}
	}
	db, err = bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte(bolt.DefaultBucket)) != nil {
			t.Errorf("sessionsctl added the bucket %q to %s", bolt.DefaultBucket, path)
		}
		return nil
	})
}

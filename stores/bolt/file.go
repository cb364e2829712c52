package bolt

import (
	"os"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
)

// damagedCloseWait bounds how long Close of a damaged store waits for
// bbolt's Close before it lets go of the file itself.
const damagedCloseWait = time.Second

// dbFile records the descriptor bbolt.Open opens the database file with,
// through bbolt's Options.OpenFile, so that the store can let go of the
// file when bbolt cannot: after bbolt.Open panics (it returns no DB to
// close), and after a transaction panicked holding bbolt's locks (its
// Close would wait for them for good).
type dbFile struct {
	f atomic.Pointer[os.File]
}

// open is the Options.OpenFile hook. bbolt calls it again for backups
// (Tx.WriteTo, Tx.CopyFile); only the first file, the database's own, is
// kept.
func (d *dbFile) open(name string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err == nil {
		d.f.CompareAndSwap(nil, f)
	}
	return f, err
}

// release drops the lock bbolt took on the file and closes its
// descriptor. bbolt's memory map of the file, if it made one, stays: it
// holds no lock and is read-only, and bbolt alone knows where it is.
func (d *dbFile) release() {
	if f := d.f.Load(); f != nil {
		unlock(f)
		f.Close()
	}
}

// closeDamaged closes db, a database in which bbolt panicked. bbolt's
// Close waits for the locks of any transaction in progress; a
// transaction that panicked at the wrong moment never lets them go. So
// closeDamaged waits for Close up to damagedCloseWait, then releases the
// file itself and leaves Close waiting.
func closeDamaged(db *bbolt.DB, file *dbFile) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { recover() }() // bbolt's Close of a damaged database may panic too
		db.Close()
	}()
	t := time.NewTimer(damagedCloseWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		file.release()
	}
}

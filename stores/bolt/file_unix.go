//go:build !windows && !plan9 && !solaris && !aix && !android

package bolt

import (
	"os"
	"syscall"
)

// unlock drops the flock bbolt takes on the database file (see bbolt's
// bolt_unix.go). Closing the descriptor alone would not: bbolt's memory
// map holds the open file, and with it the lock, until it is unmapped.
func unlock(f *os.File) {
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

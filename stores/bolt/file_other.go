//go:build windows || plan9 || solaris || aix || android

package bolt

import "os"

// unlock does nothing here: on these systems bbolt's lock on the database
// file goes with the descriptor, which release closes.
func unlock(*os.File) {}

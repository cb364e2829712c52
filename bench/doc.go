// Package bench holds the side-by-side benchmarks of this library against
// scs, gorilla/sessions and iris sessions. Everything is in the _test files;
// run ./run.sh to rerun it all and rebuild results/ (see README.md).
package bench

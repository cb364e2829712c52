package main

import "testing"

// testCookieKey is a throwaway key for the cookie store in tests.
const testCookieKey = ""

// forEachStore runs fn against every store the demo can open.
func forEachStore(t *testing.T, fn func(t *testing.T, spec string)) {
	t.Helper()
	for _, spec := range testStoreSpecs(t) {
		t.Run(spec, func(t *testing.T) { fn(t, spec) })
	}
}

func testStoreSpecs(t *testing.T) []string {
	return []string{"memory"}
}

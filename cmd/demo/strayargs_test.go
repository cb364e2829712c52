package main

import (
	"strings"
	"testing"
)

// TestStrayArgumentRefused: the flag package stops at the first argument
// that is not a flag, so with a stray word on the command line every flag
// after it was silently dropped: "-insecure-cookie true -store redis://..."
// (a bool flag takes no separate value) started the demo on the memory
// store. parseFlags refuses any argument that is not a flag, naming it.
func TestStrayArgumentRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-insecure-cookie", "true", "-store", "redis://127.0.0.1:6379/0"},
		{"redis://127.0.0.1:6379/0"},
		{"-addr", ":8081", "extra"},
	} {
		c, err := parseFlags(args)
		if err == nil {
			t.Errorf("parseFlags(%q) = store %q, addr %q and no error; want an error for the stray argument", args, c.store, c.addr)
			continue
		}
		if !strings.Contains(err.Error(), "unexpected argument") {
			t.Errorf("parseFlags(%q) error %q does not say which argument is unexpected", args, err)
		}
	}
	if _, err := parseFlags([]string{"-insecure-cookie=true", "-store", "memory"}); err != nil {
		t.Errorf("flags alone: %v", err)
	}
}

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
)

// TestFlagsReachManager: each session flag is handed to the manager, which
// checks it: a value out of its range stops the demo with the manager's
// error naming the option, rather than being dropped for the default. A
// set of valid non-default values starts.
func TestFlagsReachManager(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string // "" for a manager that starts
	}{
		{[]string{"-idle", "1h", "-lifetime", "2h", "-rotate", "1h", "-max-per-user", "3", "-max-size", "1000"}, ""},
		{[]string{"-idle", "13h"}, "IdleTimeout 13h0m0s is longer than Lifetime 12h0m0s"},
		{[]string{"-lifetime", "10m"}, "IdleTimeout 30m0s is longer than Lifetime 10m0s"},
		{[]string{"-rotate", "12h"}, "RotateAfter 12h0m0s is not shorter than Lifetime"},
		{[]string{"-max-per-user", "-1"}, "MaxPerUser -1 is negative"},
		{[]string{"-max-size", "-1"}, "MaxSize -1 is negative"},
	} {
		c, err := parseFlags(tc.args)
		if err != nil {
			t.Fatalf("parseFlags(%q): %v", tc.args, err)
		}
		store, closeStore, err := storeurl.Open(context.Background(), "memory", "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = newManager(c, store)
		closeStore()
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("demo %q does not start: %v", tc.args, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("demo %q: newManager error %v, want one holding %q", tc.args, err, tc.wantErr)
		}
	}
}

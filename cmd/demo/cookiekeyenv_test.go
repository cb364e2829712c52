package main

import "testing"

// TestCookieKeyFromEnvironment: the cookie store's key comes from -key,
// else from $SESSIONS_COOKIE_KEY, so a deployment can keep the key off
// the command line; a -key given wins over the environment.
func TestCookieKeyFromEnvironment(t *testing.T) {
	t.Setenv("SESSIONS_COOKIE_KEY", "from-env")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "from-env"},
		{[]string{"-key", "from-flag"}, "from-flag"},
	} {
		c, err := parseFlags(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if c.key != tc.want {
			t.Errorf("parseFlags(%q) with $SESSIONS_COOKIE_KEY=from-env: key %q, want %q", tc.args, c.key, tc.want)
		}
	}
}

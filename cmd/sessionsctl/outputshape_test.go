package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestShowListOutputShape pins the output of show and list, which scripts
// read: JSON indented by two spaces, the metadata under the names user,
// user_agent, created, renewed, last_seen, auth_time and expires, each
// time in RFC 3339 in UTC to the second, and a time the session does not
// have (zero) as "".
func TestShowListOutputShape(t *testing.T) {
	ctx := context.Background()
	key := storetest.NewKey(t)
	expires := time.Now().Add(time.Hour).Truncate(time.Second).Add(500 * time.Millisecond)
	spec := seededBolt(t, func(store sessions.Store) {
		rec := storetest.NewRecord(time.Hour, "n", 1)
		rec.User, rec.UserAgent = "alice", "curl/8"
		rec.Created = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC).UnixNano()
		rec.LastSeen = time.Date(2026, 1, 2, 4, 5, 6, 0, time.FixedZone("", 3600)).UnixNano()
		rec.Renewed, rec.AuthTime = 0, 0
		rec.Expires = expires.UnixNano()
		if err := store.Create(ctx, key, rec); err != nil {
			t.Fatal(err)
		}
	})
	exp := expires.UTC().Format("2006-01-02T15:04:05Z")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show", key}, `{
  "id": "` + key + `",
  "meta": {
    "auth_time": "",
    "created": "2026-01-02T03:04:05Z",
    "expires": "` + exp + `",
    "last_seen": "2026-01-02T03:05:06Z",
    "renewed": "",
    "user": "alice",
    "user_agent": "curl/8"
  },
  "values": {
    "n": 1
  }
}
`},
		{[]string{"list", "alice"}, `[
  {
    "auth_time": "",
    "created": "2026-01-02T03:04:05Z",
    "expires": "` + exp + `",
    "id": "` + key + `",
    "last_seen": "2026-01-02T03:05:06Z",
    "renewed": "",
    "user": "alice",
    "user_agent": "curl/8"
  }
]
`},
	} {
		var out, errb bytes.Buffer
		code := run(append([]string{"-store", spec}, tc.args...), &out, &errb)
		if code != 0 || out.String() != tc.want {
			t.Errorf("%s = exit %d, stderr %q, stdout:\n%s\nwant exit 0, stdout:\n%s", tc.args[0], code, errb.String(), out.String(), tc.want)
		}
	}
}

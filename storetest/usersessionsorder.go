package storetest

import (
	"testing"
	"time"
)

// testUserSessionsOrder checks that UserSessions lists oldest first by
// Meta.Created (the session's creation, or its last login), whatever the
// order of the sessions' keys, of their creation in the store, and of
// their other times: here the session stored first was created last, and
// the renewal and activity times run the other way.
func testUserSessionsOrder(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	u := newUser(t)
	base := time.Now().Add(-time.Minute).UnixNano()
	// Created offsets, in the order the sessions are stored.
	offsets := []time.Duration{3 * time.Second, time.Second, 2 * time.Second}
	keys := make([]string, len(offsets))
	for i, off := range offsets {
		keys[i] = NewKey(t)
		rec := NewRecord(time.Hour, "i", i)
		rec.User = u
		rec.Created = base + int64(off)
		rec.Renewed = base + int64(10*time.Second-off)
		rec.LastSeen = rec.Renewed
		mustCreate(t, s, keys[i], rec)
	}
	want := []string{keys[1], keys[2], keys[0]}
	list, err := ux.UserSessions(ctx(t), u)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	var got []string
	for _, in := range list {
		got = append(got, in.Key)
	}
	if len(got) != len(want) {
		t.Fatalf("UserSessions listed %d sessions, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("UserSessions listed %v, want %v (oldest Meta.Created first)", short(got), short(want))
		}
	}
}

// short returns the first eight digits of each key, for messages.
func short(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k[:min(8, len(k))] + "…"
	}
	return out
}

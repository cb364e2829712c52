package postgres

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// A commit that deletes a value under a name PostgreSQL text cannot hold
// (session.Delete of a name taken from a request, say) deletes nothing,
// since no value can be stored under such a name, and applies the rest of
// the delta, as every other store does.
func TestCommitDeletesUnstorableNames(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	for _, name := range []string{"a\x00b", "\xff", "lang\xff", "\xed\xa0\x80", strings.Repeat("k", 3000)} {
		t.Run(fmt.Sprintf("%.12q", name), func(t *testing.T) {
			ctx := t.Context()
			key := storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "keep", 1)); err != nil {
				t.Fatal(err)
			}
			d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 2}}, Del: []string{name}}
			if err := s.Commit(ctx, key, d); err != nil {
				t.Fatalf("Commit deleting %q: %v, want nil", name, err)
			}
			rec := mustLoadRec(t, s, key)
			if v, _ := rec.Lookup("x"); v != 2 {
				t.Errorf("x = %v after the commit, want 2", v)
			}
			if v, _ := rec.Lookup("keep"); v != 1 {
				t.Errorf("keep = %v after the commit, want 1", v)
			}
		})
	}
}

// Names and users go into indexes, whose entries PostgreSQL caps at about
// 2.7 kB. A write under one too long for an index is refused with
// ErrUnsupportedValue, as the conformance suite allows, or stored so that
// it loads back; never failed with an unclassified server error.
func TestLongIndexedText(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	b := make([]byte, 1500)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	long := hex.EncodeToString(b) // 3000 bytes that do not compress much
	withUser := func(user string) *sessions.Record {
		r := storetest.NewRecord(time.Hour, "keep", 1)
		r.User = user
		return r
	}
	for _, c := range []struct {
		name string
		op   func(t *testing.T, key string) error
	}{
		{"Create value name", func(t *testing.T, key string) error {
			return s.Create(t.Context(), key, storetest.NewRecord(time.Hour, "keep", 1, long, "v"))
		}},
		{"Commit value name", func(t *testing.T, key string) error {
			mustCreateRec(t, s, key, storetest.NewRecord(time.Hour, "keep", 1))
			return s.Commit(t.Context(), key, &sessions.Delta{Set: []sessions.Field{{Key: long, Value: "v"}}})
		}},
		{"Increment field", func(t *testing.T, key string) error {
			mustCreateRec(t, s, key, storetest.NewRecord(time.Hour, "keep", 1))
			_, err := s.Increment(t.Context(), key, long, 1)
			return err
		}},
		{"Create user", func(t *testing.T, key string) error {
			return s.Create(t.Context(), key, withUser(long))
		}},
		{"Commit user", func(t *testing.T, key string) error {
			mustCreateRec(t, s, key, storetest.NewRecord(time.Hour, "keep", 1))
			meta := withUser(long).Meta
			return s.Commit(t.Context(), key, &sessions.Delta{Meta: &meta})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := storetest.NewKey(t)
			err := c.op(t, key)
			if err != nil && !errors.Is(err, sessions.ErrUnsupportedValue) {
				t.Fatalf("%v, want nil or ErrUnsupportedValue", err)
			}
			if err == nil {
				mustLoadRec(t, s, key)
			}
		})
	}
}

func mustCreateRec(t *testing.T, s *Store, key string, rec *sessions.Record) {
	t.Helper()
	if err := s.Create(t.Context(), key, rec); err != nil {
		t.Fatal(err)
	}
}

// mustLoadRec loads the session under key, failing the test when it is
// gone.
func mustLoadRec(t *testing.T, s *Store, key string) *sessions.Record {
	t.Helper()
	rec, found, err := s.Load(t.Context(), key)
	if err != nil || !found {
		t.Fatalf("Load(%.8s…) = %v, %v; want the session", key, found, err)
	}
	return rec
}

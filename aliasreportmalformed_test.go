package sessions_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// misreportingStore reports a grace alias leading to at for every record
// its Load finds, as a damaged store might.
type misreportingStore struct {
	sessions.Store
	at string
}

func (s *misreportingStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, found, err := s.Store.Load(ctx, key)
	if found && err == nil {
		sessions.ReportAlias(ctx, s.at)
	}
	return rec, found, err
}

// TestAliasReportMalformedIgnored checks that an alias a store reports
// leading to something that is no store key is ignored: the session stays
// under the key its cookie names, its ID is that key, and a change is
// written there.
func TestAliasReportMalformedIgnored(t *testing.T) {
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	m, err := sessions.NewManager(mem, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := seedSession(t, m)
	key := sessions.KeyOf(id)
	for _, at := range []string{"not-a-key", strings.ToUpper(key), key + "0", "../" + key[3:]} {
		store := &misreportingStore{Store: mem, at: at}
		rm, err := sessions.NewManager(store, sessions.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var handle string
		do(t, rm, id, func(s *sessions.Session) {
			handle = s.ID()
			s.Set("seen", at)
		})
		if handle != key {
			t.Errorf("store reported alias %q: Session.ID = %q, want the cookie's key %q", at, handle, key)
		}
		rec, found, err := mem.Load(context.Background(), key)
		if err != nil || !found {
			t.Fatalf("store reported alias %q: the session is gone (found %v, %v)", at, found, err)
		}
		if v, _ := rec.Lookup("seen"); v != at {
			t.Errorf("store reported alias %q: the change was not written to the session (seen = %v)", at, v)
		}
	}
}

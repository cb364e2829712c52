package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// reportingStore is a store whose Load reports at as the key the record
// is stored under, whatever the key.
type reportingStore struct {
	sessions.Store
	at string
}

func (s *reportingStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, found, err := s.Store.Load(ctx, key)
	sessions.ReportAlias(ctx, s.at)
	return rec, found, err
}

// TestShowIgnoresUnusableAliasReport checks that show names an alias only
// when the store reports a different, valid handle: a report of the handle
// itself, or of something that is no handle, shows the session under the
// handle given, with no "alias" and no note.
func TestShowIgnoresUnusableAliasReport(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t)
	key := storetest.NewKey(t)
	if err := store.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{key, "not-a-handle", key[:32]} {
		var out, notes bytes.Buffer
		if err := command(ctx, &reportingStore{Store: store, at: at}, []string{"show", key}, &out, &notes); err != nil {
			t.Fatalf("show with the report %q: %v", at, err)
		}
		var shown map[string]any
		if err := json.Unmarshal(out.Bytes(), &shown); err != nil {
			t.Fatalf("show with the report %q printed %q: %v", at, out.String(), err)
		}
		if alias, has := shown["alias"]; has || shown["id"] != key || notes.Len() != 0 {
			t.Errorf("show with the store reporting %q: id %v, alias %v (%v), note %q; want id %s…, no alias, no note", at, shown["id"], alias, has, notes.String(), key[:8])
		}
	}
}

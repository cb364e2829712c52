package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

// FuzzShow stores a session holding any value the codec decodes (what a
// remote store hands back) and runs "sessionsctl show" on it: an admin can
// inspect every live session, so show succeeds and prints one JSON
// document that lists the value under its name. Crashers it found are kept
// in testdata/fuzz/FuzzShow.
func FuzzShow(f *testing.F) {
	for _, v := range []any{"s", 42, 2.5, math.NaN(), float32(math.Inf(-1)), []any{1, math.Inf(1)},
		map[string]any{"k": math.NaN()}, []byte{1, 2}, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 90)),
		sessions.JSON(`{"a":[1,2]}`), 90 * time.Second, nil} {
		b, err := sessions.EncodeValue(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("v", b)
	}
	store := memory.New(memory.Options{})
	f.Cleanup(func() { store.Close() })
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		v, err := sessions.DecodeValue(b)
		if err != nil || !utf8.ValidString(name) {
			return
		}
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour)
		rec.SetField(name, v)
		if err := store.Create(context.Background(), key, rec); err != nil {
			t.Fatal(err)
		}
		defer store.Delete(context.Background(), key)
		var out bytes.Buffer
		if err := command(context.Background(), store, []string{"show", key}, &out, io.Discard); err != nil {
			t.Fatalf("show of a session holding %#v: %v", v, err)
		}
		var shown struct {
			ID     string         `json:"id"`
			Values map[string]any `json:"values"`
		}
		dec := json.NewDecoder(bytes.NewReader(out.Bytes()))
		dec.UseNumber() // JSON values may hold numbers beyond float64
		if err := dec.Decode(&shown); err != nil || dec.More() {
			t.Fatalf("show of a session holding %#v printed %q: %v", v, out.String(), err)
		}
		if _, ok := shown.Values[name]; !ok || shown.ID != key {
			t.Fatalf("show of a session holding %q: %#v printed %q", name, v, out.String())
		}
	})
}

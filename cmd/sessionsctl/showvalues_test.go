package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/storetest"
)

// TestShowValuesJSONCannotHold: a session may hold values JSON has no
// literal for (a NaN or infinite float, a time past the year 9999), and
// every store keeps them; "show" still prints the session, writing such a
// value as a string, rather than failing with encoding/json's error.
func TestShowValuesJSONCannotHold(t *testing.T) {
	spec := "bolt:" + filepath.Join(t.TempDir(), "s.db")
	store, closeStore, err := storeurl.Open(context.Background(), spec, "")
	if err != nil {
		t.Fatal(err)
	}
	key := storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "nan", math.NaN(), "inf", float32(math.Inf(-1)),
		"list", []any{1, math.Inf(1)}, "map", map[string]any{"k": math.NaN()},
		"far", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "n", 7)
	if err := store.Create(context.Background(), key, rec); err != nil {
		t.Fatal(err)
	}
	closeStore()

	var out, errb bytes.Buffer
	code := run([]string{"-store", spec, "show", key}, &out, &errb)
	var shown struct {
		Values map[string]any `json:"values"`
	}
	if code != 0 || json.Unmarshal(out.Bytes(), &shown) != nil {
		t.Fatalf("show = exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	for k, want := range map[string]any{"nan": "NaN", "inf": "-Inf", "n": 7.0,
		"list": []any{1.0, "+Inf"}, "map": map[string]any{"k": "NaN"}, "far": "10000-01-01T00:00:00Z"} {
		if got, _ := json.Marshal(shown.Values[k]); string(got) != string(must(json.Marshal(want))) {
			t.Errorf("show: %s = %s, want %v", k, got, want)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

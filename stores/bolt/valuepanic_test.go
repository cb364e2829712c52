package bolt

import (
	"fmt"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// panickyValue is a value whose encoding panics.
type panickyValue struct{}

func (panickyValue) MarshalJSON() ([]byte, error) { panic("MarshalJSON panicked") }

// TestValueEncodingPanicReachesCaller checks that a value whose encoding
// panics inside a write transaction panics in the caller with its own
// value, as it would with any store, instead of being reported as a
// damaged database file, and that the store works on afterwards.
func TestValueEncodingPanicReachesCaller(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var got any
	var err error
	func() {
		defer func() { got = recover() }()
		err = s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "v", Value: panickyValue{}}}})
	}()
	if fmt.Sprint(got) != "MarshalJSON panicked" {
		t.Errorf("Commit of a value whose MarshalJSON panics: panic %v, error %v; want the value's own panic", got, err)
	}
	if err := s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "v", Value: "ok"}}}); err != nil {
		t.Fatalf("Commit after the panic: %v", err)
	}
	rec, ok, err := s.Load(ctx, key)
	if err != nil || !ok || len(rec.Fields) != 1 || rec.Fields[0].Value != "ok" {
		t.Fatalf("Load after the panic = %+v, %v, %v; want v=ok", rec, ok, err)
	}
}

// TestValueEncodingPanicReachesCallerOutsideTransaction: Create encodes
// the record before it takes the writer lock, outside any transaction; a
// value whose encoding panics there panics in the caller with its own
// value too, not with the store's internal wrapper.
func TestValueEncodingPanicReachesCallerOutsideTransaction(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	rec := storetest.NewRecord(time.Hour)
	rec.Fields = []sessions.Field{{Key: "v", Value: panickyValue{}}}
	var got any
	var err error
	func() {
		defer func() { got = recover() }()
		err = s.Create(ctx, storetest.NewKey(t), rec)
	}()
	if s, ok := got.(string); !ok || s != "MarshalJSON panicked" {
		t.Errorf("Create of a value whose MarshalJSON panics: panic %#v, error %v; want the value's own panic", got, err)
	}
	if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatalf("Create after the panic: %v", err)
	}
}

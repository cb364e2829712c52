package sessions

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestApplyFastPathMatchesMerge checks Apply's shortcut for deltas that
// only replace values against the general merge, on random records and
// deltas: wherever the shortcut applies, both give the same record, and
// the record applied to is never changed.
func TestApplyFastPathMatchesMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"a", "b", "csrf", "n", "user", "z"}
	taken := 0
	for range 20000 {
		r := &Record{Meta: Meta{Expires: 100, User: "u"}}
		for _, k := range names {
			if rng.IntN(2) == 0 {
				r.SetField(k, rng.IntN(10))
			}
		}
		d := &Delta{Clear: rng.IntN(8) == 0}
		for _, k := range names {
			switch rng.IntN(4) {
			case 0:
				d.Set = append(d.Set, Field{Key: k, Value: 100 + rng.IntN(10)})
			case 1:
				if rng.IntN(3) == 0 {
					d.Del = append(d.Del, k)
				}
			}
		}
		if rng.IntN(4) == 0 {
			d.Meta, d.MetaFields = &Meta{Expires: 200, User: "v"}, MetaExpires
		}
		before := slices.Clone(r.Fields)
		fast := r.replaceValues(d)
		if !reflect.DeepEqual(r.Fields, before) {
			t.Fatalf("replaceValues changed the record it applied to: %v -> %v", before, r.Fields)
		}
		if fast == nil {
			continue
		}
		taken++
		if want := r.merge(d); !reflect.DeepEqual(fast.Meta, want.Meta) || !slices.Equal(fast.Fields, want.Fields) {
			t.Fatalf("record %+v, delta %+v:\nshortcut %+v\nmerge    %+v", r, d, fast, want)
		}
	}
	if taken < 1000 {
		t.Fatalf("the shortcut applied to only %d of 20000 deltas; the test exercises too little of it", taken)
	}
}

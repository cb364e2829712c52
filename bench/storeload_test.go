package bench

import (
	"context"
	"strconv"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// BenchmarkStoreLoad is the memory store alone, without HTTP or the
// manager: Load of a session picked at random from 1k or 1M, and a read of
// one of its values, as BenchmarkScale's read-only request does. It shows
// how much of the request's growth from 1k to 1M is the store's lookup
// (the shard map, the record, the value and its bytes, each a random place
// in memory at 1M), one step more in each op: key (picking the key alone),
// load (Load and the record's deadline), lookup (and the value's place in
// the record) and bytes (and the value's first byte). A diagnostic, not
// part of run.sh:
//
//	go test -run='^$' -bench='^BenchmarkStoreLoad$' -count=5
func BenchmarkStoreLoad(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run("sessions="+strconv.Itoa(n), func(b *testing.B) {
			s := memory.New(memory.Options{})
			defer s.Close()
			ctx := context.Background()
			// The keys in one buffer: picking one costs one cache miss and
			// one string allocation at any size, as the request path's
			// KeyOf costs an allocation.
			const kl = 64
			keys := make([]byte, 0, kl*n)
			for i := range n {
				k := sessions.KeyOf("bench-store-load-" + strconv.Itoa(i))
				keys = append(keys, k...)
				r := &sessions.Record{}
				r.Expires = 1 << 62
				// Heap strings, as in the HTTP benchmarks' seeds.
				r.SetField("user", string([]byte("kataras")))
				r.SetField("n", 0)
				r.SetField("note", string([]byte("an idle session")))
				if err := s.Create(ctx, k, r); err != nil {
					b.Fatal(err)
				}
			}
			rng := newXorshift()
			for _, op := range []string{"key", "load", "lookup", "bytes"} {
				b.Run("op="+op, func(b *testing.B) {
					var keyBytes int
					for b.Loop() {
						i := int(rng.next() % uint64(n))
						k := string(keys[i*kl : (i+1)*kl])
						keyBytes += len(k)
						if op == "key" {
							continue
						}
						r, ok, err := s.Load(ctx, k)
						if !ok || err != nil || r.Expires == 0 {
							b.Fatalf("Load: %v, %v", ok, err)
						}
						if op == "load" {
							continue
						}
						v, _ := r.Lookup("user")
						u, _ := v.(string)
						if len(u) != len("kataras") {
							b.Fatalf("user = %v", v)
						}
						if op == "bytes" && u[0] != 'k' {
							b.Fatalf("user = %q", u)
						}
					}
					if keyBytes == 0 {
						b.Fatal("no key picked")
					}
				})
			}
		})
	}
}

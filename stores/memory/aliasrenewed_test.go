package memory

import "testing"

// TestDropAliasesKeepsRenewedAlias checks that a sweep drops only the grace
// aliases that are still past their end when it takes the write lock. The
// scan lists the ended ones under the read lock; before the write lock, a
// writer may Create a session at such a key (its alias has ended) and
// Rename it away with a grace, which gives the key a new alias that must
// keep resolving until its own end.
func TestDropAliasesKeepsRenewedAlias(t *testing.T) {
	const now = int64(1_800_000_000_000_000_000)
	for _, tc := range []struct {
		name  string
		until int64 // the alias's end when the write lock is taken
		kept  bool
	}{
		{"ended before the scan", now - 1, false},
		{"ends at the sweep's instant", now, false},
		{"renewed since the scan", now + 1, true},
		{"renewed with an endless grace", 1<<63 - 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var k key
			copy(k[:], "ab")
			sh := shard{aliases: map[key]alias{k: {until: tc.until}}}
			dropAliases(&sh, []key{k}, now)
			if _, ok := sh.aliases[k]; ok != tc.kept {
				t.Fatalf("alias ending at now%+d: kept = %v after dropAliases, want %v", tc.until-now, ok, tc.kept)
			}
		})
	}
}

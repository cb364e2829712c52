// Package securitytest is the black-box security suite of package sessions:
// items S1–S49 of the project's security checklist that any Store must keep,
// each as a subtest named after its item (S4_StrictMode, S24_NoResurrection,
// ...). It drives a real net/http server over loopback with a plain
// http.Client, so it proves what a browser or an attacker would see.
//
// Every store runs it from its own tests, in the spirit of storetest:
//
//	func TestSecurity(t *testing.T) {
//		securitytest.Run(t, func(t *testing.T) sessions.Store {
//			s := newStoreForTest(t) // register cleanup with t.Cleanup
//			return s
//		})
//	}
//
// The suite wraps the store in a spy (to count and inspect the manager's
// calls, and to inject faults) and gives the manager a fake clock that starts
// at the real time and only moves forward, so a store that expires records on
// its own clock never drops one the manager still considers live. Items that
// need a real wait (the rotation grace, which the store times) wait at most
// a few seconds.
package securitytest

import (
	"testing"

	"github.com/sessionkit/sessions"
)

type item struct {
	name string
	fn   func(t *testing.T, h *harness)
	// userIndex marks items that need a store with sessions.UserIndex; they
	// are skipped, with a note, for stores without one.
	userIndex bool
}

var items = []item{
	{name: "S1_IDFormatAndRandFailure", fn: testS1},
	{name: "S2_Opacity", fn: testS2},
	{name: "S4_StrictMode", fn: testS4},
	{name: "S5_MalformedIDs", fn: testS5},
	{name: "S7_CookieOnly", fn: testS7},
	{name: "S8_DuplicateCookies", fn: testS8},
	{name: "S16_NoStoreVary", fn: testS16},
	{name: "S17_RenewOnLogin", fn: testS17},
	{name: "S18_LoginRotatesCSRFAndDropsPreSession", fn: testS18},
	{name: "S19_IdleTimeout", fn: testS19},
	{name: "S20_AbsoluteTimeout", fn: testS20},
	{name: "S21_ExpiryOnEveryRead", fn: testS21},
	{name: "S22_RotationGrace", fn: testS22},
	{name: "S23_Logout", fn: testS23},
	{name: "S24_NoResurrection", fn: testS24},
	{name: "S25_InsertIfAbsent", fn: testS25},
	{name: "S26_PerUserRevocation", fn: testS26, userIndex: true},
	{name: "S27_MaxPerUser", fn: testS27, userIndex: true},
	{name: "S28_RequireRecentAuth", fn: testS28},
	{name: "S29_LazyCreation", fn: testS29},
	{name: "S30_HashedKeys", fn: testS30},
	{name: "S32_CorruptRecord", fn: testS32},
	{name: "S33_FailClosed", fn: testS33},
	{name: "S39_SynchronizerToken", fn: testS39},
	{name: "S39_ExemptPatternsMatchExactly", fn: testS39Exempt},
	{name: "S40_TokenBoundToSession", fn: testS40},
	{name: "S41_MaskedToken", fn: testS41},
	{name: "S42_FetchMetadata", fn: testS42},
	{name: "S43_TrustedOrigins", fn: testS43},
	{name: "S44_NoSecretsInLogs", fn: testS44},
	{name: "S45_EventsOncePerTrigger", fn: testS45},
	{name: "S46_Guessing", fn: testS46},
	{name: "S47_Binding", fn: testS47},
	{name: "S49_Race", fn: testS49},
}

// Run runs the security suite against stores made by newStore, each subtest
// on a fresh store. newStore registers the store's cleanup with t.Cleanup.
// Subtests run in parallel.
//
// A client-side store (sessions.ClientStore) keeps no server record for the
// spy to observe; the suite skips itself for one, and the cookie store's own
// tests cover those items.
func Run(t *testing.T, newStore func(t *testing.T) sessions.Store) {
	t.Helper()
	probe := newStore(t)
	if _, ok := probe.(sessions.ClientStore); ok {
		t.Skip("securitytest: a client-side store has no server records to inspect; see its own tests")
	}
	_, hasIndex := probe.(sessions.UserIndex)
	h := &harness{newStore: newStore}
	for _, it := range items {
		t.Run(it.name, func(t *testing.T) {
			if it.userIndex && !hasIndex {
				t.Skip("the store has no sessions.UserIndex")
			}
			t.Parallel()
			it.fn(t, h)
		})
	}
}

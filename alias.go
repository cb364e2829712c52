package sessions

import "context"

// aliasSinkKey is the context key under which a request's context carries
// the place ReportAlias writes to.
type aliasSinkKey struct{}

// ReportAlias is for stores: a Load that reached the record under the key
// it was given through a Rename grace alias calls it with the key the
// record is stored under. The manager then acts on the renamed session
// under its own key: Session.ID is the new handle, and a Login, Renew or
// Destroy on a request still carrying the renamed ID reaches the renamed
// session rather than the alias. It does nothing unless ctx comes from the
// manager (or WithAliasReport). A store that does not call it still works:
// such a request acts on the alias, which Commit and Increment resolve.
//
// The report travels in the context, not in a method of its own, so a
// store wrapped by another type (for metrics, say) that overrides Load and
// calls the inner Load keeps reporting.
func ReportAlias(ctx context.Context, at string) {
	if p, ok := ctx.Value(aliasSinkKey{}).(*string); ok {
		*p = at
	}
}

// WithAliasReport returns ctx with a place for ReportAlias, and a function
// returning what a Load under the context reported ("" if nothing), for
// callers of a store outside a manager; storetest uses it to check a
// store's Load.
func WithAliasReport(ctx context.Context) (context.Context, func() string) {
	p := new(string)
	return context.WithValue(ctx, aliasSinkKey{}, p), func() string { return *p }
}

// loadAliased loads key for a caller outside a request's session (which
// learns of aliases through its own context; see Session.tryLoad). at is
// the key the record is stored under when key is a live grace alias, else
// "".
func (m *Manager) loadAliased(ctx context.Context, key string) (rec *Record, found bool, at string, err error) {
	ctx, reported := WithAliasReport(ctx)
	start := m.storeStart()
	rec, found, err = m.store.Load(ctx, key)
	m.observe("load", start, err)
	if to := reported(); found && err == nil && to != key && ValidKey(to) {
		at = to
	}
	return rec, found, at, err
}

package storetest

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"strings"

	"github.com/sessionkit/sessions"
)

// model is what testRandomOps expects a store to hold: the records under
// a small set of keys (numbered 0..n-1) and the aliases renames left. It
// is written from the contract in sessions.Store, not from any store, and
// it never calls the code under test (Record.Apply, Meta.Merge).
type model struct {
	keys int
	recs map[int]*mrec
	// alias holds the live grace aliases, old key to new key. Nothing
	// expires during a run: the graces are long.
	alias map[int]int
	// hopLo and hopHi bound how many aliases in a row the store follows,
	// as learned from its answers (see reach): it follows chains of up to
	// hopLo aliases and none longer than hopHi.
	hopLo, hopHi int
}

// mrec is a record in the model. Its vals map is never changed once the
// record is in the model (every change builds a new mrec), so outcomes
// can share it.
type mrec struct {
	meta sessions.Meta
	vals map[string]any
}

// newModel returns the model of keys empty keys.
func newModel(keys int) *model {
	return &model{
		keys:  keys,
		recs:  map[int]*mrec{},
		alias: map[int]int{},
		hopLo: 1,
		hopHi: math.MaxInt,
	}
}

// outcome is one result the model accepts for an operation, and what the
// model becomes if the store chose it.
type outcome struct {
	err    error // the error class wanted; nil: success
	anyErr bool  // any non-nil error (err is then nil)
	n      int64 // Increment's result, on success

	// For Load.
	load  bool
	found bool
	rec   *mrec
	at    int // the key an alias led to (-1: the record is under the key itself)

	// note names the reading of the contract or the learned behaviour
	// this outcome stands for, when the choice is not the contract's
	// plain answer.
	note  string
	apply func(m *model)
}

func (o outcome) String() string {
	var b strings.Builder
	switch {
	case o.anyErr:
		b.WriteString("any error")
	case o.err != nil:
		b.WriteString(errName(o.err))
	case o.load && o.found:
		fmt.Fprintf(&b, "found %s", o.rec)
		if o.at >= 0 {
			fmt.Fprintf(&b, " (through an alias to k%d)", o.at)
		}
	case o.load:
		b.WriteString("not found")
	case o.n != 0:
		fmt.Fprintf(&b, "%d", o.n)
	default:
		b.WriteString("ok")
	}
	if o.note != "" {
		fmt.Fprintf(&b, " [%s]", o.note)
	}
	return b.String()
}

func (r *mrec) String() string {
	if r == nil {
		return "nothing"
	}
	return fmt.Sprintf("%s user=%q", fmtValues(r.vals), r.meta.User)
}

// landing is where a Load, Commit or Increment of a key may act: the key
// holding the record (-1: none), how many aliases led there, and the
// learned hop bounds that choosing it implies.
type landing struct {
	to, hops     int
	hopLo, hopHi int
	note         string
}

// reach lists where an operation on key k may land. A record under k
// itself wins; else a live grace alias leads to its new key. When that key
// holds no record but is itself the old key of a later rename with a
// grace (a chain), the contract is ambiguous: "oldKey keeps resolving to
// the renamed record" reads as following the chain (the Redis store
// follows up to four aliases), while memory, bolt and postgres follow one
// alias only, so that a key renamed away twice is dead. Either is
// accepted, but consistently: a store that followed a chain of n aliases
// must follow every shorter one, and one that refused a chain of n must
// refuse every longer one.
func (m *model) reach(k int) []landing {
	base := landing{to: -1, hopLo: m.hopLo, hopHi: m.hopHi}
	if m.recs[k] != nil {
		base.to = k
		return []landing{base}
	}
	t, ok := m.alias[k]
	if !ok {
		return []landing{base}
	}
	hops := 1
	for m.recs[t] == nil && hops < m.keys {
		next, ok := m.alias[t]
		if !ok {
			break
		}
		t, hops = next, hops+1
	}
	base.hops = hops
	if m.recs[t] == nil {
		return []landing{base} // the chain leads to no record
	}
	follow := base
	follow.to = t
	if hops == 1 {
		return []landing{follow}
	}
	follow.hopLo = max(m.hopLo, hops)
	follow.note = fmt.Sprintf("follows a chain of %d aliases", hops)
	stop := base
	stop.hopHi = min(m.hopHi, hops-1)
	stop.note = fmt.Sprintf("stops at a chain of %d aliases", hops)
	switch {
	case hops <= m.hopLo:
		return []landing{follow}
	case hops > m.hopHi:
		return []landing{stop}
	}
	return []landing{follow, stop}
}

// learn returns a function that records the hop bounds of l.
func (l landing) learn() func(m *model) {
	return func(m *model) { m.hopLo, m.hopHi = l.hopLo, l.hopHi }
}

// load lists the outcomes of Load(k).
func (m *model) load(k int) []outcome {
	var out []outcome
	for _, l := range m.reach(k) {
		o := outcome{load: true, at: -1, note: l.note, apply: l.learn()}
		if l.to >= 0 {
			o.found, o.rec = true, m.recs[l.to]
			if l.to != k {
				o.at = l.to
			}
		}
		out = append(out, o)
	}
	return out
}

// create lists the outcomes of Create(k, rec). A key held by a live grace
// alias is taken, even when the alias leads nowhere any more: every store
// refuses it, and the contract's "absent" does not decide it.
func (m *model) create(k int, rec *mrec) []outcome {
	if _, aliased := m.alias[k]; m.recs[k] != nil || aliased {
		return []outcome{{err: sessions.ErrExists}}
	}
	return []outcome{{apply: func(m *model) {
		m.recs[k] = rec
	}}}
}

// commit lists the outcomes of Commit(k, d).
func (m *model) commit(k int, d *deltaSpec) []outcome {
	var out []outcome
	for _, l := range m.reach(k) {
		learn := l.learn()
		if l.to < 0 {
			out = append(out, outcome{err: sessions.ErrNotFound, note: l.note, apply: learn})
			continue
		}
		to := l.to
		out = append(out, outcome{note: l.note, apply: func(m *model) {
			learn(m)
			m.recs[to] = d.applyTo(m.recs[to])
		}})
	}
	return out
}

// increment lists the outcomes of Increment(k, field, by). Only a Go int
// counts; any other type (an int64, a float64 holding a whole number) and
// a sum outside the range of an int on this platform (int64 on a 64-bit
// one) are ErrNotInteger.
func (m *model) increment(k int, field string, by int64) []outcome {
	var out []outcome
	for _, l := range m.reach(k) {
		learn := l.learn()
		if l.to < 0 {
			out = append(out, outcome{err: sessions.ErrNotFound, note: l.note, apply: learn})
			continue
		}
		to := l.to
		r := m.recs[to]
		count := func(cur int64, note string) outcome {
			if (by > 0 && cur > math.MaxInt-by) || (by < 0 && cur < math.MinInt-by) {
				return outcome{err: sessions.ErrNotInteger, note: joinNotes(l.note, "overflow"), apply: learn}
			}
			n := cur + by
			return outcome{n: n, note: joinNotes(l.note, note), apply: func(m *model) {
				learn(m)
				m.recs[to] = r.with(field, int(n))
			}}
		}
		notInt := outcome{err: sessions.ErrNotInteger, note: l.note, apply: learn}
		v, ok := r.vals[field]
		switch x := v.(type) {
		case int:
			out = append(out, count(int64(x), ""))
		default:
			if !ok {
				out = append(out, count(0, ""))
			} else {
				out = append(out, notInt)
			}
		}
	}
	return out
}

// rename lists the outcome of Rename(a, b, grace), and of RenameCommit
// with d when d is not nil. The old key is judged first: ErrNotFound when
// a holds no record (a grace alias holds none, so a repeat of a rename
// that took effect is ErrNotFound too), whatever b holds; then ErrExists
// when b is taken, by a record or a live grace alias, which a == b always
// is by then.
func (m *model) rename(a, b int, withGrace bool, d *deltaSpec) []outcome {
	_, aliased := m.alias[b]
	switch {
	case m.recs[a] == nil:
		return []outcome{{err: sessions.ErrNotFound}}
	case m.recs[b] != nil || aliased:
		return []outcome{{err: sessions.ErrExists}}
	}
	return []outcome{{apply: func(m *model) {
		r := m.recs[a]
		if d != nil {
			r = d.applyTo(r)
		}
		delete(m.recs, a)
		m.recs[b] = r
		delete(m.alias, a)
		if withGrace {
			m.alias[a] = b
		}
	}}}
}

// del lists the outcome of Delete(k): the record and any alias from k go.
func (m *model) del(k int) []outcome {
	return []outcome{{apply: func(m *model) {
		delete(m.recs, k)
		delete(m.alias, k)
	}}}
}

// with returns a copy of r with field set to v.
func (r *mrec) with(field string, v any) *mrec {
	vals := maps.Clone(r.vals)
	vals[field] = v
	return &mrec{meta: r.meta, vals: vals}
}

// applyTo returns r with the delta applied, as the contract describes it:
// Clear empties the values, Del removes, Set writes, and the metadata
// fields MetaChanges names are copied from Meta.
func (d *deltaSpec) applyTo(r *mrec) *mrec {
	out := &mrec{meta: r.meta, vals: map[string]any{}}
	if !d.clear {
		maps.Copy(out.vals, r.vals)
	}
	for _, k := range d.del {
		delete(out.vals, k)
	}
	for _, f := range d.set {
		out.vals[f.Key] = f.Value
	}
	if d.meta != nil {
		changes := d.metaFields
		if changes == 0 {
			changes = sessions.MetaAll
		}
		for _, mf := range metaFieldTable {
			if changes&mf.bit != 0 {
				mf.copy(&out.meta, d.meta)
			}
		}
	}
	return out
}

// metaFieldTable lists the fields of sessions.Meta with their MetaField
// bits.
var metaFieldTable = []struct {
	bit  sessions.MetaField
	name string
	copy func(dst, src *sessions.Meta)
}{
	{sessions.MetaCreated, "Created", func(d, s *sessions.Meta) { d.Created = s.Created }},
	{sessions.MetaRenewed, "Renewed", func(d, s *sessions.Meta) { d.Renewed = s.Renewed }},
	{sessions.MetaLastSeen, "LastSeen", func(d, s *sessions.Meta) { d.LastSeen = s.LastSeen }},
	{sessions.MetaAuthTime, "AuthTime", func(d, s *sessions.Meta) { d.AuthTime = s.AuthTime }},
	{sessions.MetaExpires, "Expires", func(d, s *sessions.Meta) { d.Expires = s.Expires }},
	{sessions.MetaUser, "User", func(d, s *sessions.Meta) { d.User = s.User }},
	{sessions.MetaUserAgent, "UserAgent", func(d, s *sessions.Meta) { d.UserAgent = s.UserAgent }},
	{sessions.MetaCSRF, "CSRF", func(d, s *sessions.Meta) { d.CSRF = s.CSRF }},
	{sessions.MetaBind, "Bind", func(d, s *sessions.Meta) { d.Bind = s.Bind }},
}

// observed is what the store answered to one operation.
type observed struct {
	err   error
	n     int64
	found bool
	rec   *sessions.Record
	at    string // what Load reported with sessions.ReportAlias
}

// match returns the first outcome in want that got agrees with, or an
// explanation of why none does. keys maps key numbers to store keys.
func match(got observed, want []outcome, keys []string) (outcome, string) {
	var why []string
	for _, w := range want {
		if msg := w.mismatch(got, keys); msg != "" {
			why = append(why, fmt.Sprintf("want %s: %s", w, msg))
			continue
		}
		return w, ""
	}
	return outcome{}, strings.Join(why, "; ")
}

// mismatch says how got differs from o, or returns "".
func (o outcome) mismatch(got observed, keys []string) string {
	switch {
	case o.anyErr:
		if got.err == nil {
			return "got no error"
		}
		return ""
	case o.err != nil:
		if !errors.Is(got.err, o.err) {
			return fmt.Sprintf("got error %v", got.err)
		}
		return ""
	case got.err != nil:
		return fmt.Sprintf("got error %v", got.err)
	}
	if !o.load {
		if got.n != o.n {
			return fmt.Sprintf("got %d", got.n)
		}
		return ""
	}
	if got.found != o.found {
		if got.found {
			return fmt.Sprintf("found %s", fmtRecord(got.rec))
		}
		return "not found"
	}
	if !o.found {
		return ""
	}
	if got.rec == nil {
		return "found a nil record"
	}
	for i := 1; i < len(got.rec.Fields); i++ {
		if got.rec.Fields[i-1].Key >= got.rec.Fields[i].Key {
			return fmt.Sprintf("Fields not sorted by key without duplicates: %s", fmtRecord(got.rec))
		}
	}
	if v := values(got.rec); !reflect.DeepEqual(v, o.rec.vals) {
		return fmt.Sprintf("found values %s", fmtValues(v))
	}
	if got.rec.Meta != o.rec.meta {
		return fmt.Sprintf("found meta\n\t%+v, want\n\t%+v", got.rec.Meta, o.rec.meta)
	}
	switch {
	case got.at == "":
		// Reporting aliases is optional.
	case o.at < 0:
		return fmt.Sprintf("reported an alias to %.8s… for a record under its own key", got.at)
	case got.at != keys[o.at]:
		return fmt.Sprintf("reported an alias to %.8s…, want k%d", got.at, o.at)
	}
	return ""
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// errName names the sentinel errors the model uses.
func errName(err error) string {
	for _, e := range []struct {
		err  error
		name string
	}{
		{sessions.ErrNotFound, "ErrNotFound"},
		{sessions.ErrExists, "ErrExists"},
		{sessions.ErrNotInteger, "ErrNotInteger"},
	} {
		if errors.Is(err, e.err) {
			return e.name
		}
	}
	return err.Error()
}

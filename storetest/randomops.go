package storetest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// Environment variables that tune testRandomOps.
const (
	// envSeed replays the given seeds (comma-separated) instead of random
	// ones.
	envSeed = "SESSIONS_STORETEST_SEED"
	// envRuns is how many random seeds to run (default 2).
	envRuns = "SESSIONS_STORETEST_RUNS"
	// envOps is how many operations each seed runs (default 200).
	envOps = "SESSIONS_STORETEST_OPS"
)

const (
	randomKeys     = 5 // keys per run: few, so that operations collide
	randomTTL      = 24 * time.Hour
	randomLong     = time.Hour // the long grace; nothing expires during a run
	shrinkBudget   = 400       // replays spent looking for a shorter failing sequence
	shrinkDeadline = 20 * time.Second
)

// testRandomOps runs seeded random sequences of Create, Load, Commit,
// Increment, Delete, Rename (with no grace and a long one) and, when the
// store implements it, RenameCommit over a few keys, and checks every
// answer, and then a Load of every key, against a model of the contract
// (see model). The first divergence is reported with the sequence that led
// to it, shortened by replaying parts of it on fresh keys, and the seed to
// replay it with (SESSIONS_STORETEST_SEED). Records live a day and graces
// an hour: expiry is tested elsewhere. The seeds are random unless
// SESSIONS_STORETEST_SEED names them; SESSIONS_STORETEST_RUNS and
// SESSIONS_STORETEST_OPS run more or longer sequences.
func testRandomOps(t *testing.T, h Harness) {
	cfg := randomConfig(t)
	s := h.New(t)
	rc, _ := s.(sessions.RenameCommitter)
	if rc != nil && errors.Is(rc.RenameCommit(ctx(t), NewKey(t), NewKey(t), 0, &sessions.Delta{}), errors.ErrUnsupported) {
		t.Log("RenameCommit is not supported in this configuration: not part of the sequences")
		rc = nil
	}
	// A -run pattern that selects this test alone.
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	name := strings.Join(parts, "/")
	for _, seed := range cfg.seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			ops := genOps(seed, cfg.ops, rc != nil)
			run := runOps(ctx(t), t, s, rc, ops)
			for _, n := range run.notes() {
				t.Logf("seed %d: %s", seed, n)
			}
			if run.div == nil {
				return
			}
			msg := fmt.Sprintf("seed %d (replay: %s=%d %s=%d", seed, envSeed, seed, envOps, cfg.ops)
			msg += fmt.Sprintf(" go test -run '%s'): the store diverged from the model at step %d of %d:\n%s\n", name, run.div.step+1, len(ops), run.div.msg)
			if short := shrink(ctx(t), t, s, rc, ops[:run.div.step+1], run.div); short != nil {
				msg += fmt.Sprintf("\nshortest failing sequence found (%d ops, replayed on fresh keys):\n%s\n%s\n",
					len(short.ops), strings.Join(short.hist, "\n"), short.div.msg)
			}
			msg += "\nfull history:\n" + strings.Join(run.hist, "\n")
			t.Fatal(msg)
		})
	}
}

// randomSettings is what the environment variables ask of testRandomOps.
type randomSettings struct {
	seeds []uint64
	ops   int
}

// randomConfig reads the environment variables.
func randomConfig(t *testing.T) randomSettings {
	t.Helper()
	cfg := randomSettings{ops: 200}
	if v := os.Getenv(envOps); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", envOps, v)
		}
		cfg.ops = n
	}
	if v := os.Getenv(envSeed); v != "" {
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatalf("%s=%q: want comma-separated unsigned numbers", envSeed, v)
			}
			cfg.seeds = append(cfg.seeds, n)
		}
		return cfg
	}
	runs := 2
	if v := os.Getenv(envRuns); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", envRuns, v)
		}
		runs = n
	}
	for range runs {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			t.Fatal(err)
		}
		cfg.seeds = append(cfg.seeds, binary.LittleEndian.Uint64(b[:])%1e9)
	}
	return cfg
}

// prng is the seeded generator of the sequences, SplitMix64: the same
// seed gives the same sequence, so a failure replays. (The module keeps
// math/rand out of non-test code; see TestSecurityLint.)
type prng struct{ state uint64 }

func (p *prng) next() uint64 {
	p.state += 0x9e3779b97f4a7c15
	z := p.state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// IntN returns a number in [0, n). The modulo bias is negligible for the
// small n of the sequences.
func (p *prng) IntN(n int) int { return int(p.next() % uint64(n)) }

// Int64N is IntN for int64.
func (p *prng) Int64N(n int64) int64 { return int64(p.next() % uint64(n)) }

// opKind is an operation of the random sequences.
type opKind uint8

const (
	opCreate opKind = iota
	opLoad
	opCommit
	opIncrement
	opDelete
	opRename
	opRenameCommit
)

// opMix is how often each operation is drawn, relative to the others.
var opMix = []struct {
	kind   opKind
	weight int
}{
	{opCreate, 14},
	{opLoad, 6},
	{opCommit, 22},
	{opIncrement, 16},
	{opDelete, 8},
	{opRename, 20},
	{opRenameCommit, 14},
}

// op is one operation of a sequence, on key numbers; a run maps them to
// fresh store keys.
type op struct {
	kind    opKind
	key, to int
	grace   time.Duration
	rec     *mrec      // Create
	delta   *deltaSpec // Commit, RenameCommit
	field   string     // Increment
	by      int64      // Increment
}

// deltaSpec is a Delta as data: each Commit gets a fresh Delta built from
// it, which the run scribbles over after the call returns (the contract
// gives it back to the caller then).
type deltaSpec struct {
	clear      bool
	set        []sessions.Field // sorted by key
	del        []string
	meta       *sessions.Meta
	metaFields sessions.MetaField
}

// build returns a new Delta of d, sharing nothing with it but the values.
func (d *deltaSpec) build() *sessions.Delta {
	out := &sessions.Delta{
		Clear:      d.clear,
		Set:        slices.Clone(d.set),
		Del:        slices.Clone(d.del),
		MetaFields: d.metaFields,
	}
	if d.meta != nil {
		m := *d.meta
		out.Meta = &m
	}
	return out
}

// scribble overwrites what d points to, as a caller reusing it may.
func scribble(d *sessions.Delta) {
	for i := range d.Set {
		d.Set[i] = sessions.Field{Key: d.Set[i].Key + "~scribbled", Value: "scribbled"}
	}
	for i := range d.Del {
		d.Del[i] = "a"
	}
	if d.Meta != nil {
		*d.Meta = sessions.Meta{User: "scribbled", CSRF: "scribbled"}
	}
}

// randomNames are the value names of the sequences; "n" is the usual
// counter, "cnt" is only ever incremented.
var randomNames = []string{"a", "b", "c", "n"}

// randomValues are the values the sequences store: types every store
// keeps exactly (see testValueTypes), integers most often so that
// Increment has something to count, and values that look like integers
// but are not (a whole float64, a numeric string, a duration).
var randomValues = []struct {
	weight int
	gen    func(r *prng) any
}{
	{8, func(r *prng) any { return r.IntN(21) - 5 }},
	{2, func(r *prng) any { return int64(r.IntN(10)) }},
	{2, func(r *prng) any { return float64(r.IntN(5)) }},
	{1, func(r *prng) any { return float64(r.IntN(5)) + 0.5 }},
	{3, func(r *prng) any { return []string{"x", "", "7", "héllo"}[r.IntN(4)] }},
	{1, func(r *prng) any { return r.IntN(2) == 0 }},
	{1, func(r *prng) any { return nil }},
	{1, func(r *prng) any { return []byte{byte(r.IntN(256)), 0} }},
	{1, func(r *prng) any { return []string{"a", strconv.Itoa(r.IntN(3))} }},
	{1, func(r *prng) any { return time.Duration(r.IntN(100)) * time.Second }},
	{1, func(r *prng) any { return map[string]any{"k": r.IntN(3), "s": "v"} }},
}

// gen draws the operations of a sequence.
type gen struct {
	r     *prng
	now   int64
	users []string
}

// genOps returns the sequence of n operations seed stands for, without
// RenameCommit when the store cannot run it.
func genOps(seed uint64, n int, renameCommit bool) []op {
	g := &gen{
		r:     &prng{state: seed},
		now:   time.Now().UnixNano(),
		users: []string{"", fmt.Sprintf("rnd-%d-a", seed), fmt.Sprintf("rnd-%d-b", seed)},
	}
	total := 0
	for _, m := range opMix {
		total += m.weight
	}
	ops := make([]op, 0, n)
	for len(ops) < n {
		x := g.r.IntN(total)
		kind := opMix[0].kind
		for _, m := range opMix {
			if x < m.weight {
				kind = m.kind
				break
			}
			x -= m.weight
		}
		if kind == opRenameCommit && !renameCommit {
			kind = opRename
		}
		ops = append(ops, g.op(kind))
	}
	return ops
}

// op draws one operation of kind.
func (g *gen) op(kind opKind) op {
	r := g.r
	o := op{kind: kind, key: r.IntN(randomKeys)}
	switch kind {
	case opCreate:
		rec := &mrec{meta: g.meta(), vals: map[string]any{}}
		for _, name := range randomNames {
			if r.IntN(3) == 0 {
				rec.vals[name] = g.value()
			}
		}
		o.rec = rec
	case opCommit:
		o.delta = g.delta()
	case opIncrement:
		o.field = []string{"n", "n", "a", "b", "cnt"}[r.IntN(5)]
		// The ends of the int range, and on a 32-bit platform also those
		// of int64 (on a 64-bit one they are the same).
		switch x := r.IntN(40); {
		case x == 0:
			o.by = math.MaxInt
		case x == 1:
			o.by = math.MinInt
		case x == 2 && bits.UintSize < 64:
			o.by = math.MaxInt64
		case x == 3 && bits.UintSize < 64:
			o.by = math.MinInt64
		default:
			o.by = int64(r.IntN(9) - 3)
		}
	case opRename, opRenameCommit:
		o.to = r.IntN(randomKeys)
		if r.IntN(2) == 0 {
			o.grace = randomLong
		}
		if kind == opRenameCommit {
			o.delta = g.delta()
		}
	}
	return o
}

// value draws a value from randomValues.
func (g *gen) value() any {
	total := 0
	for _, v := range randomValues {
		total += v.weight
	}
	x := g.r.IntN(total)
	for _, v := range randomValues {
		if x < v.weight {
			return v.gen(g.r)
		}
		x -= v.weight
	}
	panic("unreachable")
}

// meta returns metadata of a record that lives about a day.
func (g *gen) meta() sessions.Meta {
	r := g.r
	created := g.now - r.Int64N(int64(time.Hour))
	return sessions.Meta{
		Created:   created,
		Renewed:   created + r.Int64N(1000),
		LastSeen:  created + r.Int64N(1000),
		AuthTime:  []int64{0, created}[r.IntN(2)],
		Expires:   g.now + int64(randomTTL) + r.Int64N(int64(time.Hour)),
		User:      g.users[r.IntN(len(g.users))],
		UserAgent: []string{"", "agent/1"}[r.IntN(2)],
		CSRF:      []string{"", "csrf-1", "csrf-2"}[r.IntN(3)],
		Bind:      []string{"", "bind"}[r.IntN(2)],
	}
}

// delta draws a delta: values set and deleted, now and then a Clear or
// metadata (all of it, or some fields).
func (g *gen) delta() *deltaSpec {
	r := g.r
	d := &deltaSpec{clear: r.IntN(10) == 0}
	for _, name := range randomNames {
		switch x := r.IntN(10); {
		case x < 4:
			d.set = append(d.set, sessions.Field{Key: name, Value: g.value()})
		case x < 6:
			d.del = append(d.del, name)
		}
	}
	if r.IntN(8) == 0 {
		d.del = append(d.del, "never-set")
	}
	if r.IntN(4) == 0 {
		m := g.meta()
		d.meta = &m
		if r.IntN(3) != 0 {
			d.metaFields = sessions.MetaField(1 + r.IntN(int(sessions.MetaAll)))
		}
	}
	return d
}

// divergence is the first disagreement of a run with the model.
type divergence struct {
	step int
	sig  string // what failed: the operation, or the Load after it
	msg  string
}

// run is one sequence played against a store on fresh keys.
type run struct {
	ctx  context.Context
	s    sessions.Store
	rc   sessions.RenameCommitter
	keys []string
	m    *model
	hist []string
	used map[string]int // notes of the outcomes chosen, and how often
	div  *divergence
}

// runOps plays ops on fresh keys of s and stops at the first divergence.
func runOps(c context.Context, t *testing.T, s sessions.Store, rc sessions.RenameCommitter, ops []op) *run {
	r := &run{ctx: c, s: s, rc: rc, m: newModel(randomKeys), used: map[string]int{}}
	for range randomKeys {
		r.keys = append(r.keys, NewKey(t))
	}
	for i := range ops {
		if r.step(i, &ops[i]); r.div != nil {
			break
		}
	}
	return r
}

// step plays ops[i] and then loads every key, checking each answer.
func (r *run) step(i int, o *op) {
	got := r.do(o)
	want := r.outcomes(o)
	line := fmt.Sprintf("%3d. %s -> %s", i+1, r.fmtOp(o), r.fmtObserved(o.kind, got))
	w, why := match(got, want, r.keys)
	if why != "" {
		r.hist = append(r.hist, line+"   <-- DIVERGES")
		r.div = &divergence{step: i, sig: "op " + o.kind.String(), msg: fmt.Sprintf("%s: %s", r.fmtOp(o), why)}
		return
	}
	r.hist = append(r.hist, line)
	r.choose(w)
	for k := range r.keys {
		got := r.load(k)
		w, why := match(got, r.m.load(k), r.keys)
		if why != "" {
			r.hist = append(r.hist, fmt.Sprintf("     then Load(k%d) -> %s   <-- DIVERGES", k, r.fmtObserved(opLoad, got)))
			r.div = &divergence{step: i, sig: "load after " + o.kind.String(),
				msg: fmt.Sprintf("after %s, Load(k%d): %s", r.fmtOp(o), k, why)}
			return
		}
		r.choose(w)
	}
}

func (r *run) choose(w outcome) {
	if w.note != "" {
		r.used[w.note]++
	}
	if w.apply != nil {
		w.apply(r.m)
	}
}

// notes lists the readings of the contract and learned behaviours the run relied on.
func (r *run) notes() []string {
	var out []string
	for n, c := range r.used {
		out = append(out, fmt.Sprintf("%dx %s", c, n))
	}
	sort.Strings(out)
	return out
}

// outcomes asks the model what o may do.
func (r *run) outcomes(o *op) []outcome {
	m := r.m
	switch o.kind {
	case opCreate:
		return m.create(o.key, o.rec)
	case opLoad:
		return m.load(o.key)
	case opCommit:
		return m.commit(o.key, o.delta)
	case opIncrement:
		return m.increment(o.key, o.field, o.by)
	case opDelete:
		return m.del(o.key)
	case opRename:
		return m.rename(o.key, o.to, o.grace > 0, nil)
	case opRenameCommit:
		return m.rename(o.key, o.to, o.grace > 0, o.delta)
	}
	panic("unknown op")
}

// do runs o against the store.
func (r *run) do(o *op) observed {
	key := r.keys[o.key]
	switch o.kind {
	case opCreate:
		rec := &sessions.Record{Meta: o.rec.meta}
		for k, v := range o.rec.vals {
			rec.SetField(k, v)
		}
		return observed{err: r.s.Create(r.ctx, key, rec)}
	case opLoad:
		return r.load(o.key)
	case opCommit:
		d := o.delta.build()
		err := r.s.Commit(r.ctx, key, d)
		scribble(d)
		return observed{err: err}
	case opIncrement:
		n, err := r.s.Increment(r.ctx, key, o.field, o.by)
		return observed{err: err, n: n}
	case opDelete:
		return observed{err: r.s.Delete(r.ctx, key)}
	case opRename:
		return observed{err: r.s.Rename(r.ctx, key, r.keys[o.to], o.grace)}
	case opRenameCommit:
		d := o.delta.build()
		err := r.rc.RenameCommit(r.ctx, key, r.keys[o.to], o.grace, d)
		scribble(d)
		return observed{err: err}
	}
	panic("unknown op")
}

func (r *run) load(k int) observed {
	c, reported := sessions.WithAliasReport(r.ctx)
	rec, found, err := r.s.Load(c, r.keys[k])
	return observed{err: err, found: found, rec: rec, at: reported()}
}

// shrunk is a shorter sequence that fails as the original did.
type shrunk struct {
	ops  []op
	hist []string
	div  *divergence
}

// shrink looks for a shorter sequence than ops (whose last step diverged
// with div) that diverges the same way, replaying candidates on fresh keys
// of s: it drops halves, quarters and so on down to single operations
// while the failure stays, within shrinkBudget replays. It returns nil if
// the failure does not replay.
func shrink(c context.Context, t *testing.T, s sessions.Store, rc sessions.RenameCommitter, ops []op, div *divergence) *shrunk {
	deadline := time.Now().Add(shrinkDeadline)
	replays := 0
	try := func(ops []op) *run {
		replays++
		r := runOps(c, t, s, rc, ops)
		if r.div == nil || r.div.sig != div.sig {
			return nil
		}
		return r
	}
	best := try(ops)
	if best == nil {
		return nil
	}
	ops = ops[:best.div.step+1]
	// An operation may be needed only for others that a later cut
	// removes: the passes repeat until one cuts nothing.
	for n := 0; n != len(ops); {
		n = len(ops)
		for chunk := len(ops) / 2; chunk >= 1; chunk /= 2 {
			for i := 0; i < len(ops) && replays < shrinkBudget && time.Now().Before(deadline); {
				cand := slices.Concat(ops[:i], ops[min(i+chunk, len(ops)):])
				if r := try(cand); r != nil {
					best, ops = r, cand[:r.div.step+1]
					continue
				}
				i += chunk
			}
		}
	}
	return &shrunk{ops: ops, hist: best.hist, div: best.div}
}

func (k opKind) String() string {
	return [...]string{"Create", "Load", "Commit", "Increment", "Delete", "Rename", "RenameCommit"}[k]
}

// fmtOp describes o for the history.
func (r *run) fmtOp(o *op) string {
	switch o.kind {
	case opCreate:
		return fmt.Sprintf("Create(k%d, %s)", o.key, o.rec)
	case opCommit:
		return fmt.Sprintf("Commit(k%d, %s)", o.key, o.delta)
	case opIncrement:
		return fmt.Sprintf("Increment(k%d, %q, %d)", o.key, o.field, o.by)
	case opRename:
		return fmt.Sprintf("Rename(k%d, k%d, grace %v)", o.key, o.to, o.grace)
	case opRenameCommit:
		return fmt.Sprintf("RenameCommit(k%d, k%d, grace %v, %s)", o.key, o.to, o.grace, o.delta)
	}
	return fmt.Sprintf("%s(k%d)", o.kind, o.key)
}

func (d *deltaSpec) String() string {
	var parts []string
	if d.clear {
		parts = append(parts, "clear")
	}
	if len(d.set) > 0 {
		vals := map[string]any{}
		for _, f := range d.set {
			vals[f.Key] = f.Value
		}
		parts = append(parts, "set "+fmtValues(vals))
	}
	if len(d.del) > 0 {
		parts = append(parts, "del "+strings.Join(d.del, ","))
	}
	if d.meta != nil {
		var names []string
		for _, mf := range metaFieldTable {
			if d.metaFields == 0 || d.metaFields&mf.bit != 0 {
				names = append(names, mf.name)
			}
		}
		parts = append(parts, fmt.Sprintf("meta %s (user %q)", strings.Join(names, "|"), d.meta.User))
	}
	return "{" + strings.Join(parts, "; ") + "}"
}

// fmtObserved describes a store's answer for the history.
func (r *run) fmtObserved(kind opKind, got observed) string {
	switch {
	case got.err != nil:
		return "error: " + got.err.Error()
	case kind == opIncrement:
		return fmt.Sprintf("ok %d", got.n)
	case kind == opLoad && !got.found:
		return "not found"
	case kind == opLoad:
		s := "found " + fmtRecord(got.rec)
		if got.at != "" {
			s += " via alias to " + r.keyName(got.at)
		}
		return s
	}
	return "ok"
}

func (r *run) keyName(key string) string {
	if i := slices.Index(r.keys, key); i >= 0 {
		return fmt.Sprintf("k%d", i)
	}
	return key
}

func fmtRecord(rec *sessions.Record) string {
	if rec == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s user=%q", fmtValues(values(rec)), rec.User)
}

// fmtValues prints values sorted by name, with their types.
func fmtValues(vals map[string]any) string {
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", k, fmtValue(vals[k]))
	}
	b.WriteByte('}')
	return b.String()
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int:
		return strconv.Itoa(x)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

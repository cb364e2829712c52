package redis

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sessionkit/sessions"
)

// Hash fields of a session record. Metadata fields start with "m:" and value
// fields with "v:", so a session value can never overwrite metadata whatever
// its name.
const (
	fVersion   = "m:v"    // format version, formatVersion
	fCreated   = "m:c"    // Meta.Created, decimal Unix nanoseconds
	fRenewed   = "m:r"    // Meta.Renewed
	fLastSeen  = "m:l"    // Meta.LastSeen
	fAuthTime  = "m:a"    // Meta.AuthTime
	fExpires   = "m:e"    // Meta.Expires
	fUser      = "m:u"    // Meta.User
	fUserAgent = "m:ua"   // Meta.UserAgent
	fCSRF      = "m:csrf" // Meta.CSRF
	fBind      = "m:b"    // Meta.Bind
	fIndexed   = "m:ix"   // cluster-safe mode: Unix ms the user index entry is known to outlive
	fAliasTo   = "m:to"   // present only in a grace alias: the store key it resolves to
	fFence     = "m:mv"   // cluster-safe Rename in progress: the new store key
	fFenceEnd  = "m:mvu"  // ... and the Unix ms its fence holds writes until
	fRetiredTo = "m:rt"   // present only in a retired key's marker: renamed without grace to this store key
	fRenameRun = "m:rn"   // in a grace alias or a marker the single-node Rename left: the token of the call that made it

	valuePrefix = "v:"

	// formatVersion is the value of fVersion in every hash this package
	// writes. A hash with another (or no) version is refused as corrupt.
	formatVersion = "1"
)

// metaFields lists the hash fields UserSessions reads to build an Info,
// and, last, the fence of a cluster-safe Rename in progress (see
// Store.UserSessions).
var metaFields = []string{fVersion, fCreated, fRenewed, fLastSeen, fAuthTime, fExpires, fUser, fUserAgent, fCSRF, fBind, fAliasTo, fFence, fFenceEnd}

// appendMeta appends the format version and the metadata fields f names,
// as field/value pairs, to args.
func appendMeta(args []any, m *sessions.Meta, f sessions.MetaField) []any {
	args = append(args, fVersion, formatVersion)
	for _, p := range metaPairs {
		if f&p.bit != 0 {
			args = append(args, p.name, p.value(m))
		}
	}
	return args
}

// present returns the metadata fields of m worth storing in a new record:
// Created always (with fVersion it marks a record, see isGhost) and every
// other field that is not zero. A field left out reads back as zero, so a
// typical anonymous session holds 4 metadata fields besides fVersion, not 9,
// and every Load reads, parses and allocates that much less.
func present(m *sessions.Meta) sessions.MetaField {
	f := sessions.MetaCreated
	for _, z := range []struct {
		bit  sessions.MetaField
		zero bool
	}{
		{sessions.MetaRenewed, m.Renewed == 0},
		{sessions.MetaLastSeen, m.LastSeen == 0},
		{sessions.MetaAuthTime, m.AuthTime == 0},
		{sessions.MetaExpires, m.Expires == 0},
		{sessions.MetaUser, m.User == ""},
		{sessions.MetaUserAgent, m.UserAgent == ""},
		{sessions.MetaCSRF, m.CSRF == ""},
		{sessions.MetaBind, m.Bind == ""},
	} {
		if !z.zero {
			f |= z.bit
		}
	}
	return f
}

// metaPairs maps each metadata field to its hash field and encoding. The
// names are held as interface values, so appending one to a command's
// arguments allocates nothing.
var metaPairs = []struct {
	bit   sessions.MetaField
	name  any
	value func(*sessions.Meta) string
}{
	{sessions.MetaCreated, fCreated, func(m *sessions.Meta) string { return strconv.FormatInt(m.Created, 10) }},
	{sessions.MetaRenewed, fRenewed, func(m *sessions.Meta) string { return strconv.FormatInt(m.Renewed, 10) }},
	{sessions.MetaLastSeen, fLastSeen, func(m *sessions.Meta) string { return strconv.FormatInt(m.LastSeen, 10) }},
	{sessions.MetaAuthTime, fAuthTime, func(m *sessions.Meta) string { return strconv.FormatInt(m.AuthTime, 10) }},
	{sessions.MetaExpires, fExpires, func(m *sessions.Meta) string { return strconv.FormatInt(m.Expires, 10) }},
	{sessions.MetaUser, fUser, func(m *sessions.Meta) string { return m.User }},
	{sessions.MetaUserAgent, fUserAgent, func(m *sessions.Meta) string { return m.UserAgent }},
	{sessions.MetaCSRF, fCSRF, func(m *sessions.Meta) string { return m.CSRF }},
	{sessions.MetaBind, fBind, func(m *sessions.Meta) string { return m.Bind }},
}

// appendValues appends the "v:" field/value pairs of fields to args.
func (s *Store) appendValues(args []any, fields []sessions.Field) ([]any, error) {
	for _, f := range fields {
		b, err := sessions.EncodeValue(f.Value)
		if err != nil {
			return args, fmt.Errorf("sessions/redis: value %q: %w", f.Key, err)
		}
		if len(b) > s.maxValue {
			return args, fmt.Errorf("sessions/redis: value %q encodes to %d bytes, over the %d-byte limit (Options.MaxValueSize): %w",
				f.Key, len(b), s.maxValue, sessions.ErrTooLarge)
		}
		args = append(args, valuePrefix+f.Key, b)
	}
	return args, nil
}

// isGhost reports whether the fields of a session hash are a ghost: values
// without a record. A values-only Commit on a key whose record is gone
// makes one and deletes it straight away (see Store.commitValues); should
// that delete fail, the ghost stays, without expiry, until a Load of its key
// meets it and deletes it (dropGhost). Every record this
// package writes has fVersion and fCreated, and every grace alias fVersion
// and fAliasTo, so a hash with none of the three is no session: Load and
// the scripts treat it as absent. A hash with only some of them is a
// damaged record (sessions.ErrCorrupt). A retired key's marker (fRetiredTo)
// is absent too, but no ghost: it is kept until it expires.
func isGhost(h map[string]string) bool {
	_, v := h[fVersion]
	_, to := h[fAliasTo]
	_, c := h[fCreated]
	_, rt := h[fRetiredTo]
	return !v && !to && !c && !rt
}

// decodeRecord turns the fields of a session hash into a record. Anything it
// cannot decode is an error wrapping sessions.ErrCorrupt.
func decodeRecord(h map[string]string, maxValue int) (*sessions.Record, error) {
	if v := h[fVersion]; v != formatVersion {
		return nil, corruptf("format version %q, want %q", v, formatVersion)
	}
	if _, ok := h[fCreated]; !ok {
		return nil, corruptf("no %s (Meta.Created), which every record has", fCreated)
	}
	rec := &sessions.Record{Fields: make([]sessions.Field, 0, len(h))}
	for k, v := range h {
		if name, ok := strings.CutPrefix(k, valuePrefix); ok {
			if len(v) > maxValue {
				return nil, corruptf("value %q of %d bytes over the %d-byte limit", name, len(v), maxValue)
			}
			val, err := sessions.DecodeValue([]byte(v))
			if err != nil {
				return nil, fmt.Errorf("value %q: %w", name, err)
			}
			rec.Fields = append(rec.Fields, sessions.Field{Key: name, Value: val})
			continue
		}
		var n *int64
		switch k {
		case fCreated:
			n = &rec.Created
		case fRenewed:
			n = &rec.Renewed
		case fLastSeen:
			n = &rec.LastSeen
		case fAuthTime:
			n = &rec.AuthTime
		case fExpires:
			n = &rec.Expires
		case fUser:
			rec.User = v
		case fUserAgent:
			rec.UserAgent = v
		case fCSRF:
			rec.CSRF = v
		case fBind:
			rec.Bind = v
		default:
			if !strings.HasPrefix(k, "m:") {
				return nil, corruptf("unknown field %q", k)
			}
			// Other "m:" fields (fVersion, fIndexed, fFence, fFenceEnd) are
			// bookkeeping.
		}
		if n != nil {
			var err error
			if *n, err = strconv.ParseInt(v, 10, 64); err != nil {
				return nil, corruptf("metadata %s = %q is not an integer", k, v)
			}
		}
	}
	slices.SortFunc(rec.Fields, func(a, b sessions.Field) int { return strings.Compare(a.Key, b.Key) })
	return rec, nil
}

// decodeMeta builds the metadata of a listing entry from an HMGET of
// metaFields. A missing field is zero (see present). ok is false when the
// hash is gone, is an alias, or does not decode.
func decodeMeta(vals []any) (m sessions.Meta, ok bool) {
	str := func(i int) (string, bool) {
		s, ok := vals[i].(string)
		return s, ok
	}
	if v, _ := str(0); v != formatVersion {
		return m, false
	}
	if _, alias := str(10); alias {
		return m, false
	}
	if _, created := str(1); !created {
		return m, false // damaged, as decodeRecord finds it
	}
	for i, p := range []*int64{&m.Created, &m.Renewed, &m.LastSeen, &m.AuthTime, &m.Expires} {
		s, set := str(1 + i)
		if !set {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return m, false
		}
		*p = n
	}
	m.User, _ = str(6)
	m.UserAgent, _ = str(7)
	m.CSRF, _ = str(8)
	m.Bind, _ = str(9)
	return m, true
}

// expiryMillis converts Meta.Expires (Unix ns, 0 = unset) to the Unix ms of
// PEXPIREAT, rounding up so Redis never drops a record before its deadline.
// 0 means no expiry. It cannot overflow: math.MaxInt64, the latest
// representable deadline (year 2262), becomes 9223372036855.
func expiryMillis(ns int64) int64 {
	switch {
	case ns == 0:
		return 0
	case ns < 0:
		return 1 // long past: PEXPIREAT deletes at once
	}
	// Divide first: ns + 999_999 would wrap within 1ms of math.MaxInt64.
	ms := ns / 1_000_000
	if ns%1_000_000 != 0 {
		ms++
	}
	return ms
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", sessions.ErrCorrupt, fmt.Sprintf(format, args...))
}

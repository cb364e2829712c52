package sessions

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSON is a value that was stored as JSON because its Go type has no encoding
// of its own in the codec (structs, for example). Get[T] unmarshals it into T.
type JSON []byte

// MarshalJSON returns j itself, so a JSON value re-encodes as the document it
// holds rather than as base64.
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// MaxDepth bounds the nesting of []any and map[string]any values the codec
// encodes and decodes.
const MaxDepth = 32

// EncodeValue encodes v for a remote store. The encoding is self-describing
// and never names a Go type: integers of type int are plain decimal text (so
// stores can increment them natively, e.g. Redis HINCRBY), every other type
// starts with a one-byte tag. Types without a tag of their own are encoded with
// encoding/json and come back as JSON; such a value holding a string that is
// not valid UTF-8 (a field, a map key, a TextMarshaler's text) is refused
// with ErrUnsupportedValue, as encoding/json would store it changed. Strings
// and []byte outside of it keep their bytes, valid or not. A time.Time keeps
// its instant to the nanosecond and its zone's offset from UTC, not the
// zone's name or rules (time.Time.MarshalBinary): a time in
// America/New_York comes back in a fixed zone of the same offset, and its
// monotonic reading is dropped. The memory store keeps values as they are,
// so compare times with Equal. A time.Time inside a value of the JSON
// fallback is written in RFC 3339, whose offsets have no seconds: a time
// in local mean time (a zone's offset before its standard time, such as
// Europe/Amsterdam's +00:19:32) comes back moved by those seconds; keep such
// times in UTC there.
func EncodeValue(v any) ([]byte, error) { return AppendValue(nil, v) }

// AppendValue appends the encoding of v to dst.
func AppendValue(dst []byte, v any) ([]byte, error) { return appendValue(dst, v, 0) }

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return b, fmt.Errorf("%w: nested deeper than %d", ErrUnsupportedValue, MaxDepth)
	}
	switch x := v.(type) {
	case nil:
		return append(b, 'n'), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case string:
		return append(append(b, 's'), x...), nil
	case bool:
		if x {
			return append(b, 'B', '1'), nil
		}
		return append(b, 'B', '0'), nil
	case []byte:
		return append(append(b, 'x'), x...), nil
	case float64:
		return strconv.AppendFloat(append(b, 'f'), x, 'g', -1, 64), nil
	case float32:
		return strconv.AppendFloat(append(b, 'h'), float64(x), 'g', -1, 32), nil
	case int8:
		return strconv.AppendInt(append(b, 'i', '1'), int64(x), 10), nil
	case int16:
		return strconv.AppendInt(append(b, 'i', '2'), int64(x), 10), nil
	case int32:
		return strconv.AppendInt(append(b, 'i', '4'), int64(x), 10), nil
	case int64:
		return strconv.AppendInt(append(b, 'i', '8'), x, 10), nil
	case uint:
		return strconv.AppendUint(append(b, 'u', '0'), uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(append(b, 'u', '1'), uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(append(b, 'u', '2'), uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(append(b, 'u', '4'), uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(append(b, 'u', '8'), x, 10), nil
	case time.Duration:
		return strconv.AppendInt(append(b, 'd'), int64(x), 10), nil
	case time.Time:
		t, err := x.MarshalBinary()
		if err != nil {
			_, off := x.Zone()
			return b, fmt.Errorf("%w: a time.Time with the zone offset %ds cannot be encoded (%v); store it in UTC (t.UTC()) or a zone of whole minutes", ErrUnsupportedValue, off, err)
		}
		return append(append(b, 'T'), t...), nil
	case JSON:
		if len(x) == 0 {
			x = JSON("null") // as MarshalJSON writes it
		}
		if !json.Valid(x) {
			return b, fmt.Errorf("%w: invalid JSON", ErrUnsupportedValue)
		}
		return append(append(b, 'j'), x...), nil
	case []string:
		b = binary.AppendUvarint(append(b, 'S'), uint64(len(x)))
		for _, s := range x {
			b = append(binary.AppendUvarint(b, uint64(len(s))), s...)
		}
		return b, nil
	case []any:
		b = binary.AppendUvarint(append(b, 'L'), uint64(len(x)))
		for _, e := range x {
			var err error
			if b, err = appendNested(b, e, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case map[string]any:
		b = binary.AppendUvarint(append(b, 'M'), uint64(len(x)))
		for _, k := range sortedKeys(x) {
			b = append(binary.AppendUvarint(b, uint64(len(k))), k...)
			var err error
			if b, err = appendNested(b, x[k], depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return b, fmt.Errorf("%w: %T: %v", ErrUnsupportedValue, v, err)
	}
	// json.Marshal writes documents its own parser refuses (nested deeper
	// than it parses): refuse them here, as DecodeValue would on load.
	if !json.Valid(j) {
		return b, fmt.Errorf("%w: %T: its JSON encoding does not parse back (nested too deep?)", ErrUnsupportedValue, v)
	}
	// encoding/json writes U+FFFD for bytes of a string that are not
	// UTF-8, so the value would come back changed: refuse it. Each such
	// replacement leaves U+FFFD in the output, escaped or not, so a
	// document without one needs no further look.
	if bytes.Contains(j, []byte(`\ufffd`)) || bytes.Contains(j, []byte("\uFFFD")) {
		if s, ok := invalidJSONString(reflect.ValueOf(v), 0); ok {
			// The string itself stays out of the message, which may be
			// logged: it is the application's data.
			return b, fmt.Errorf("%w: %T holds a string of %d bytes that is not valid UTF-8 and would be stored changed (encoding/json writes U+FFFD for its bad bytes); make it valid UTF-8, or keep the bytes in a []byte field or store them as a []byte or string value of their own",
				ErrUnsupportedValue, v, len(s))
		}
	}
	return append(append(b, 'j'), j...), nil
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// maxJSONWalk bounds invalidJSONString's recursion; json.Valid accepts no
// document nested deeper than 10000.
const maxJSONWalk = 10000

// invalidJSONString returns a string that json.Marshal(v) writes with its
// bad bytes replaced by U+FFFD: a string, a map key, or the text of an
// encoding.TextMarshaler, reached as encoding/json reaches it. The output
// of a json.Marshaler is not looked at: encoding/json keeps it as written.
// It reports false when there is none.
func invalidJSONString(v reflect.Value, depth int) (string, bool) {
	if !v.IsValid() || depth > maxJSONWalk {
		return "", false
	}
	t := v.Type()
	addr := t.Kind() != reflect.Pointer && v.CanAddr()
	if t.Implements(jsonMarshalerType) || (addr && reflect.PointerTo(t).Implements(jsonMarshalerType)) {
		return "", false
	}
	if t.Implements(textMarshalerType) || (addr && reflect.PointerTo(t).Implements(textMarshalerType)) {
		return invalidText(v, addr && !t.Implements(textMarshalerType))
	}
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return v.String(), true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return invalidJSONString(v.Elem(), depth+1)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			if k.Kind() == reflect.String {
				if !utf8.ValidString(k.String()) {
					return k.String(), true
				}
			} else if k.Type().Implements(textMarshalerType) {
				if s, ok := invalidText(k, false); ok {
					return s, true
				}
			}
			if s, ok := invalidJSONString(it.Value(), depth+1); ok {
				return s, true
			}
		}
	case reflect.Slice:
		if e := reflect.PointerTo(t.Elem()); t.Elem().Kind() == reflect.Uint8 &&
			!e.Implements(jsonMarshalerType) && !e.Implements(textMarshalerType) {
			return "", false // base64
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			if s, ok := invalidJSONString(v.Index(i), depth+1); ok {
				return s, true
			}
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Tag.Get("json") == "-" {
				continue
			}
			if !f.IsExported() {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				// encoding/json writes the exported fields of an
				// embedded struct of an unexported type, nothing else.
				if !f.Anonymous || ft.Kind() != reflect.Struct {
					continue
				}
			}
			if s, ok := invalidJSONString(v.Field(i), depth+1); ok {
				return s, true
			}
		}
	}
	return "", false
}

// invalidText returns the text of the encoding.TextMarshaler v (of v's
// address when ptr is set) if it is not valid UTF-8.
func invalidText(v reflect.Value, ptr bool) (string, bool) {
	if ptr {
		v = v.Addr()
	}
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() || !v.CanInterface() {
		return "", false
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return "", false
	}
	text, err := m.MarshalText()
	if err != nil || utf8.Valid(text) {
		return "", false
	}
	return string(text), true
}

// decodeTime decodes time.Time.MarshalBinary's output. A zone offset
// west of UTC with seconds in it (local mean time, such as Africa/Accra's
// -00:00:52 before 1918) is written by MarshalBinary as minutes and a
// negative seconds byte, which time.Time.UnmarshalBinary reads as positive:
// the instant is right, the offset is not, so it is put right here.
func decodeTime(p []byte) (time.Time, error) {
	var t time.Time
	if err := t.UnmarshalBinary(p); err != nil {
		return t, corrupt("bad time")
	}
	// The second version's layout: version, seconds (8), nanoseconds (4),
	// offset in minutes (2), then the offset's seconds (1).
	if len(p) == 16 && p[0] == 2 && int8(p[15]) < 0 {
		off := int(int16(binary.BigEndian.Uint16(p[13:15])))*60 + int(int8(p[15]))
		t = t.In(time.FixedZone("", off))
	}
	return t, nil
}

// appendNested writes a length-prefixed encoding of v.
func appendNested(b []byte, v any, depth int) ([]byte, error) {
	start := len(b)
	b = append(b, make([]byte, binary.MaxVarintLen64)...)
	body := len(b)
	b, err := appendValue(b, v, depth)
	if err != nil {
		return b, err
	}
	n := len(b) - body
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(n))
	copy(b[start:], hdr[:h])
	copy(b[start+h:], b[body:])
	return b[:start+h+n], nil
}

// DecodeValue decodes what EncodeValue produced. It never executes code or
// trusts a type name: unknown tags, bad lengths and excessive nesting are
// errors wrapping ErrCorrupt. Callers cap the input size before calling it.
// Plain decimal text decodes into an int, so on a 32-bit platform one
// outside the int32 range is ErrCorrupt: servers of both word sizes
// sharing a store should keep large integers as int64, which has a tag.
func DecodeValue(b []byte) (any, error) { return decodeValue(b, 0) }

func decodeValue(b []byte, depth int) (any, error) {
	if len(b) == 0 {
		return nil, corrupt("empty value")
	}
	if depth > MaxDepth {
		return nil, corrupt("nested too deep")
	}
	if b[0] == '-' || (b[0] >= '0' && b[0] <= '9') {
		n, err := strconv.ParseInt(string(b), 10, 0)
		if err != nil {
			return nil, corrupt("bad integer")
		}
		return int(n), nil
	}
	tag, p := b[0], b[1:]
	switch tag {
	case 'n':
		if len(p) != 0 {
			return nil, corrupt("bad nil")
		}
		return nil, nil
	case 's':
		return string(p), nil
	case 'x':
		return append([]byte{}, p...), nil
	case 'B':
		if len(p) == 1 && (p[0] == '0' || p[0] == '1') {
			return p[0] == '1', nil
		}
		return nil, corrupt("bad bool")
	case 'f':
		f, err := strconv.ParseFloat(string(p), 64)
		if err != nil {
			return nil, corrupt("bad float")
		}
		return f, nil
	case 'h':
		f, err := strconv.ParseFloat(string(p), 32)
		if err != nil {
			return nil, corrupt("bad float32")
		}
		return float32(f), nil
	case 'i', 'u':
		return decodeSized(tag, p)
	case 'd':
		n, err := strconv.ParseInt(string(p), 10, 64)
		if err != nil {
			return nil, corrupt("bad duration")
		}
		return time.Duration(n), nil
	case 'T':
		return decodeTime(p)
	case 'j':
		if !json.Valid(p) {
			return nil, corrupt("bad JSON")
		}
		return JSON(append([]byte{}, p...)), nil
	case 'S':
		n, p, err := count(p)
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, prealloc(n))
		for range n {
			var s []byte
			if s, p, err = chunk(p); err != nil {
				return nil, err
			}
			out = append(out, string(s))
		}
		return out, trailing(p)
	case 'L':
		n, p, err := count(p)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, prealloc(n))
		for range n {
			var e []byte
			if e, p, err = chunk(p); err != nil {
				return nil, err
			}
			v, err := decodeValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, trailing(p)
	case 'M':
		n, p, err := count(p)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, prealloc(n))
		for range n {
			var k, e []byte
			if k, p, err = chunk(p); err != nil {
				return nil, err
			}
			if e, p, err = chunk(p); err != nil {
				return nil, err
			}
			v, err := decodeValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[string(k)] = v
		}
		return out, trailing(p)
	}
	return nil, corrupt(fmt.Sprintf("unknown value tag %q", tag))
}

func decodeSized(tag byte, p []byte) (any, error) {
	if len(p) < 2 {
		return nil, corrupt("bad sized integer")
	}
	kind, digits := p[0], string(p[1:])
	if tag == 'i' {
		bits := map[byte]int{'1': 8, '2': 16, '4': 32, '8': 64}[kind]
		if bits == 0 {
			return nil, corrupt("bad integer kind")
		}
		n, err := strconv.ParseInt(digits, 10, bits)
		if err != nil {
			return nil, corrupt("bad integer")
		}
		switch bits {
		case 8:
			return int8(n), nil
		case 16:
			return int16(n), nil
		case 32:
			return int32(n), nil
		}
		return n, nil
	}
	bits := map[byte]int{'0': strconv.IntSize, '1': 8, '2': 16, '4': 32, '8': 64}[kind]
	if bits == 0 {
		return nil, corrupt("bad unsigned kind")
	}
	n, err := strconv.ParseUint(digits, 10, bits)
	if err != nil {
		return nil, corrupt("bad unsigned integer")
	}
	switch kind {
	case '0':
		return uint(n), nil
	case '1':
		return uint8(n), nil
	case '2':
		return uint16(n), nil
	case '4':
		return uint32(n), nil
	}
	return n, nil
}

// count reads an element count that cannot exceed the bytes left (each
// element takes at least one byte). Containers are sized by prealloc, not by
// the count: nested containers each claim nearly the same bytes, and sizing
// every level by its count before its elements are checked would let a
// forged value allocate hundreds of times its size.
func count(p []byte) (int, []byte, error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)-k) {
		return 0, nil, corrupt("bad count")
	}
	return int(n), p[k:], nil
}

// maxPrealloc bounds the room a decoder reserves for a container before
// decoding its elements; a larger one grows as its elements decode.
const maxPrealloc = 64

func prealloc(n int) int { return min(n, maxPrealloc) }

func chunk(p []byte) ([]byte, []byte, error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)-k) {
		return nil, nil, corrupt("bad length")
	}
	end := k + int(n)
	return p[k:end], p[end:], nil
}

func trailing(p []byte) error {
	if len(p) != 0 {
		return corrupt("trailing bytes")
	}
	return nil
}

func corrupt(what string) error { return fmt.Errorf("%w: %s", ErrCorrupt, what) }

// recordVersion is the first byte of MarshalRecord's output. A record with
// another first byte is refused as ErrCorrupt.
const recordVersion = 1

// DefaultMaxRecordSize caps a marshalled record (1 MiB). UnmarshalRecord
// refuses larger input before decoding anything.
const DefaultMaxRecordSize = 1 << 20

// MarshalRecord encodes a whole record, for stores that keep one blob per
// session (bbolt, the cookie store). The first byte is a format version.
// Fields must be sorted by key with no key twice, as Record.SetField keeps
// them: UnmarshalRecord refuses any other order, so a record that breaks it
// is an error wrapping ErrUnsupportedValue rather than a blob no store could
// read back. So is a record over DefaultMaxRecordSize, which UnmarshalRecord
// refuses: an error wrapping ErrTooLarge.
func MarshalRecord(r *Record) ([]byte, error) {
	b := make([]byte, 0, 128)
	b = append(b, recordVersion)
	for _, t := range [...]int64{r.Created, r.Renewed, r.LastSeen, r.AuthTime, r.Expires} {
		b = binary.AppendVarint(b, t)
	}
	for _, s := range [...]string{r.User, r.UserAgent, r.CSRF, r.Bind} {
		b = append(binary.AppendUvarint(b, uint64(len(s))), s...)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Fields)))
	for i, f := range r.Fields {
		// UnmarshalRecord refuses a key that is not UTF-8, and keys out of
		// order or repeated: refuse them here, before a store keeps a
		// record that can never be loaded.
		if !utf8.ValidString(f.Key) {
			return nil, fmt.Errorf("%w: field key %q is not valid UTF-8", ErrUnsupportedValue, f.Key)
		}
		if i > 0 && f.Key <= r.Fields[i-1].Key {
			return nil, fmt.Errorf("%w: field key %q follows %q: Record.Fields must be sorted by key with each key once; build the record with Record.SetField",
				ErrUnsupportedValue, f.Key, r.Fields[i-1].Key)
		}
		b = append(binary.AppendUvarint(b, uint64(len(f.Key))), f.Key...)
		var err error
		if b, err = appendNested(b, f.Value, 0); err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Key, err)
		}
	}
	if len(b) > DefaultMaxRecordSize {
		return nil, fmt.Errorf("%w: the session would take %d bytes, over the %d-byte limit of a record; store less in the session, or keep large data elsewhere and store its key",
			ErrTooLarge, len(b), DefaultMaxRecordSize)
	}
	return b, nil
}

// UnmarshalRecord decodes MarshalRecord's output. Input over
// DefaultMaxRecordSize, an unknown version, or any malformed part is an error
// wrapping ErrCorrupt; it never panics.
func UnmarshalRecord(b []byte) (*Record, error) {
	if len(b) > DefaultMaxRecordSize {
		return nil, fmt.Errorf("%w: record of %d bytes over the %d-byte limit", ErrCorrupt, len(b), DefaultMaxRecordSize)
	}
	if len(b) == 0 || b[0] != recordVersion {
		return nil, corrupt("unknown record format version")
	}
	p := b[1:]
	r := &Record{}
	for _, t := range [...]*int64{&r.Created, &r.Renewed, &r.LastSeen, &r.AuthTime, &r.Expires} {
		v, k := binary.Varint(p)
		if k <= 0 {
			return nil, corrupt("bad time")
		}
		*t, p = v, p[k:]
	}
	for _, s := range [...]*string{&r.User, &r.UserAgent, &r.CSRF, &r.Bind} {
		c, rest, err := chunk(p)
		if err != nil {
			return nil, err
		}
		*s, p = string(c), rest
	}
	n, p, err := count(p)
	if err != nil {
		return nil, err
	}
	r.Fields = make([]Field, 0, prealloc(n))
	prev := ""
	for i := range n {
		var k, e []byte
		if k, p, err = chunk(p); err != nil {
			return nil, err
		}
		if e, p, err = chunk(p); err != nil {
			return nil, err
		}
		key := string(k)
		if i > 0 && key <= prev {
			return nil, corrupt("fields out of order")
		}
		if !utf8.ValidString(key) {
			return nil, corrupt("field key not UTF-8")
		}
		v, err := DecodeValue(e)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", key, err)
		}
		r.Fields = append(r.Fields, Field{Key: key, Value: v})
		prev = key
	}
	return r, trailing(p)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

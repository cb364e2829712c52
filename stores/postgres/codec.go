package postgres

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sessionkit/sessions"
)

// encode turns fields into the parallel name and value arrays the SQL
// unnests. Both are non-nil (a nil slice would be sent as NULL).
func (s *Store) encode(fields []sessions.Field) ([]string, [][]byte, error) {
	names := make([]string, 0, len(fields))
	vals := make([][]byte, 0, len(fields))
	seen := make(map[string]int, len(fields))
	for _, f := range fields {
		if err := checkIndexed("field name", f.Key); err != nil {
			return nil, nil, err
		}
		b, err := sessions.EncodeValue(f.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("postgres: field %q: %w", f.Key, err)
		}
		if len(b) > s.maxSize {
			return nil, nil, fmt.Errorf("%w: postgres: field %q takes %d bytes, over the %d-byte limit (Options.MaxValueSize); store less, or keep large data elsewhere and store its key",
				sessions.ErrTooLarge, f.Key, len(b), s.maxSize)
		}
		if i, dup := seen[f.Key]; dup { // against the contract; the last value wins
			vals[i] = b
			continue
		}
		seen[f.Key] = len(names)
		names = append(names, f.Key)
		vals = append(vals, b)
	}
	return names, vals, nil
}

// decode builds a record from a loaded row. Names arrive in byte order.
func (s *Store) decode(version int16, m sessions.Meta, names []string, vals [][]byte) (*sessions.Record, error) {
	if version != rowVersion {
		return nil, fmt.Errorf("%w: row format version %d, this package reads %d; upgrade the package or delete the row", sessions.ErrCorrupt, version, rowVersion)
	}
	if len(names) != len(vals) {
		return nil, fmt.Errorf("%w: %d value names for %d values", sessions.ErrCorrupt, len(names), len(vals))
	}
	rec := &sessions.Record{Meta: m, Fields: make([]sessions.Field, 0, len(names))}
	for i, name := range names {
		if len(vals[i]) > s.maxSize {
			return nil, fmt.Errorf("%w: field %q takes %d bytes, over the %d-byte limit (Options.MaxValueSize)", sessions.ErrCorrupt, name, len(vals[i]), s.maxSize)
		}
		if i > 0 && name <= names[i-1] {
			return nil, fmt.Errorf("%w: value names out of order", sessions.ErrCorrupt)
		}
		v, err := sessions.DecodeValue(vals[i])
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", name, err)
		}
		rec.Fields = append(rec.Fields, sessions.Field{Key: name, Value: v})
	}
	return rec, nil
}

// maxIndexedText caps the value names and users that writes store (see
// checkIndexed). Both are index keys, and PostgreSQL refuses an index entry
// over about 2.7 kB (less the 64-byte session key beside a name) with an
// error of its own; this limit leaves room for that whether or not the
// text compresses.
const maxIndexedText = 2048

// checkText refuses strings PostgreSQL's text type cannot hold, with an
// error saying so rather than the server's.
func checkText(what, s string) error {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%w: postgres: %s %q must be UTF-8 without NUL bytes (PostgreSQL text)", sessions.ErrUnsupportedValue, what, short(s))
	}
	return nil
}

// checkIndexed is checkText for text a write puts into an index (a value
// name, a user), which must also fit in an index entry.
func checkIndexed(what, s string) error {
	if err := checkText(what, s); err != nil {
		return err
	}
	if len(s) > maxIndexedText {
		return fmt.Errorf("%w: postgres: %s %q takes %d bytes, over the %d-byte limit of an index entry", sessions.ErrUnsupportedValue, what, short(s), len(s), maxIndexedText)
	}
	return nil
}

package sessions_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// utf8Doc is a value the codec stores through its JSON fallback.
type utf8Doc struct {
	Name string
	Tags map[string]string
}

// utf8Raw holds JSON a caller wrote itself: encoding/json keeps it as it is.
type utf8Raw struct {
	Doc  json.RawMessage
	Skip string `json:"-"`
}

// badText is an encoding.TextMarshaler whose text is not UTF-8.
type badText struct{}

func (badText) MarshalText() ([]byte, error) { return []byte("a\xffb"), nil }

// ptrText is an encoding.TextMarshaler by pointer; encoding/json uses its
// MarshalText where it can take the value's address (in a slice).
type ptrText struct{ s string }

func (p *ptrText) MarshalText() ([]byte, error) { return []byte(p.s), nil }

// inner is embedded unexported: encoding/json writes its exported fields.
type inner struct{ Note string }

type outer struct {
	inner
	N int
}

// TestEncodeValueInvalidUTF8 checks that no value changes on its way
// through the codec: strings and byte slices the codec encodes itself keep
// their bytes, valid or not, and a value it would encode as JSON with a
// string that is not UTF-8 (which encoding/json writes as U+FFFD) is
// refused with ErrUnsupportedValue, by EncodeValue and by MarshalRecord,
// with an error that says what to store instead. Valid values still round-trip.
func TestEncodeValueInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       any
		refused bool
		// as converts a value that came back as JSON to v's type.
		as func(any) (any, bool)
	}{
		{name: "string", v: "a\xffb"},
		{name: "[]byte", v: []byte("a\xffb")},
		{name: "[]string", v: []string{"ok", "\xc3"}},
		{name: "map[string]any key and value", v: map[string]any{"\xff": "\xfe", "k": []any{"\x80"}}},
		{name: "struct field", v: utf8Doc{Name: "a\xffb"}, refused: true},
		{name: "pointer to struct", v: &utf8Doc{Name: "\xff"}, refused: true},
		{name: "map[string]string value", v: map[string]string{"k": "\xe2\x82"}, refused: true},
		{name: "map[string]string key", v: map[string]string{"\xe2\x82": "v"}, refused: true},
		{name: "map in a struct", v: utf8Doc{Name: "ok", Tags: map[string]string{"\xff": "v"}}, refused: true},
		{name: "slice of structs", v: []utf8Doc{{Name: "ok"}, {Name: "ok\xff"}}, refused: true},
		{name: "struct in []any", v: []any{1, utf8Doc{Name: "\xff"}}, refused: true},
		{name: "struct in map[string]any", v: map[string]any{"doc": utf8Doc{Name: "\xff"}}, refused: true},
		{name: "TextMarshaler", v: map[string]badText{"k": {}}, refused: true},
		{name: "TextMarshaler map key", v: map[badText]int{{}: 1}, refused: true},
		{name: "pointer TextMarshaler in a slice", v: []ptrText{{"\xff"}}, refused: true},
		{name: "embedded unexported struct", v: outer{inner: inner{Note: "\xff"}}, refused: true},
		{
			name: "valid embedded unexported struct",
			v:    outer{inner: inner{Note: "n\ufffd"}, N: 1},
			as:   func(v any) (any, bool) { return sessions.As[outer](v) },
		},
		{
			name: "valid struct",
			v:    utf8Doc{Name: "héllo \ufffd \\ufffd", Tags: map[string]string{"ключ": "値"}},
			as:   func(v any) (any, bool) { return sessions.As[utf8Doc](v) },
		},
		{
			name: "valid map[string]string",
			v:    map[string]string{"a": "\ufffd", `\ufffd`: ""},
			as:   func(v any) (any, bool) { return sessions.As[map[string]string](v) },
		},
		{
			name: "valid slice of structs",
			v:    []utf8Doc{{Name: "a"}, {Name: "b\u2028"}},
			as:   func(v any) (any, bool) { return sessions.As[[]utf8Doc](v) },
		},
		{
			// A \ufffd escape in JSON the caller wrote is kept as written;
			// a field encoding/json leaves out is left out.
			name: "raw JSON with a \\ufffd escape",
			v:    utf8Raw{Doc: json.RawMessage(`{"s":"\ufffd"}`), Skip: "\xff"},
			as: func(v any) (any, bool) {
				r, ok := sessions.As[utf8Raw](v)
				r.Skip = "\xff"
				return r, ok
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := sessions.EncodeValue(tc.v)
			_, rerr := sessions.MarshalRecord(&sessions.Record{Fields: []sessions.Field{{Key: "k", Value: tc.v}}})
			if tc.refused {
				for _, e := range []error{err, rerr} {
					if !errors.Is(e, sessions.ErrUnsupportedValue) {
						t.Fatalf("encoding %#v: %v, want ErrUnsupportedValue", tc.v, e)
					}
					if !strings.Contains(e.Error(), "UTF-8") || !strings.Contains(e.Error(), "[]byte") {
						t.Errorf("error %q does not say what to store instead (valid UTF-8, or []byte)", e)
					}
				}
				return
			}
			if err != nil || rerr != nil {
				t.Fatalf("encoding %#v: EncodeValue: %v, MarshalRecord: %v; want both to succeed", tc.v, err, rerr)
			}
			got, err := sessions.DecodeValue(b)
			if err != nil {
				t.Fatalf("DecodeValue: %v", err)
			}
			if tc.as != nil {
				var ok bool
				if got, ok = tc.as(got); !ok {
					t.Fatalf("%s did not convert back to %T", b, tc.v)
				}
			}
			if !reflect.DeepEqual(got, tc.v) {
				t.Errorf("%#v came back as %#v", tc.v, got)
			}
		})
	}
}

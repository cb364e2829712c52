package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// FuzzDecodeBody feeds request bodies to decodeValue, which reads the value
// of PUT /api/session/values/{key}. A body it accepts must be a value every
// store keeps as it is (the remote stores' codec encodes it and decodes it
// back equal) and GET /api/session can render as JSON again; anything else
// must be refused there, as a 400, not fail later as a 500 or a broken
// session view.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`"x"`, `42`, `-7`, `1.5`, `1e400`, `-1e400`, `1e2`, `9223372036854775808`, `true`, `null`,
		`[1,"a",[2.5,{"k":null}]]`, `{"a":{"b":[1,2,3]},"c":"d"}`, `{"a":1} {"b":2}`, `[`,
		strings.Repeat("[", 40) + strings.Repeat("]", 40),
		strings.Repeat(`{"a":`, 33) + "1" + strings.Repeat("}", 33),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeValue(strings.NewReader(string(body)))
		if err != nil {
			return
		}
		enc, err := sessions.EncodeValue(v)
		if err != nil {
			t.Fatalf("decodeValue(%q) accepted %#v, which the stores cannot encode: %v", body, v, err)
		}
		back, err := sessions.DecodeValue(enc)
		if err != nil || !reflect.DeepEqual(back, v) {
			t.Fatalf("decodeValue(%q) = %#v comes back from a store as %#v (%v)", body, v, back, err)
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("decodeValue(%q) accepted %#v, which GET /api/session cannot render: %v", body, v, err)
		}
	})
}

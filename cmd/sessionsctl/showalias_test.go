package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/storetest"
)

// TestShowGraceAlias: "show" of a handle an ID rotation left as a grace
// alias shows the session the alias leads to under its own handle ("id"),
// says which handle was given and that it is an alias of it ("alias"), and
// tells so on stderr; a handle that is no alias shows no "alias".
func TestShowGraceAlias(t *testing.T) {
	for _, tc := range serverStores {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			spec := tc.spec(t)
			store, closeStore, err := storeurl.Open(ctx, spec, "")
			if err != nil {
				t.Fatal(err)
			}
			old, live := storetest.NewKey(t), storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "n", 1)
			rec.User = "alice"
			if err := store.Create(ctx, old, rec); err != nil {
				t.Fatal(err)
			}
			if err := store.Rename(ctx, old, live, time.Minute); err != nil {
				t.Fatal(err)
			}
			closeStore()

			for _, c := range []struct {
				handle, wantAlias string
			}{
				{old, old},
				{live, ""},
			} {
				var out, errb bytes.Buffer
				code := run([]string{"-store", spec, "show", c.handle}, &out, &errb)
				var shown map[string]any
				if code != 0 || json.Unmarshal(out.Bytes(), &shown) != nil {
					t.Fatalf("show %s… = exit %d, stdout %q, stderr %q", c.handle[:8], code, out.String(), errb.String())
				}
				alias, hasAlias := shown["alias"]
				if shown["id"] != live || (c.wantAlias == "") == hasAlias || (hasAlias && alias != c.wantAlias) {
					t.Errorf("show %s… printed id %v, alias %v; want id %s…, alias %q", c.handle[:8], shown["id"], alias, live[:8], c.wantAlias)
				}
				if note := errb.String(); (c.wantAlias != "") != strings.Contains(note, "alias") {
					t.Errorf("show %s… stderr %q; want a note of the alias only when the handle is one", c.handle[:8], note)
				}
			}
		})
	}
}

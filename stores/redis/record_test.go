package redis

import (
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestZeroMetadataNotStored checks that a new record's hash holds only the
// metadata fields that are set, and that the missing ones read back as zero
// through every path that reads metadata: Load, UserSessions, Rename (both
// protocols) and a commit of one field.
func TestZeroMetadataNotStored(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	now := time.Now().UnixNano()
	for _, tc := range []struct {
		name string
		meta sessions.Meta
		want []string // metadata fields in the hash besides fVersion
	}{
		{
			name: "anonymous",
			meta: sessions.Meta{Created: now, LastSeen: now, Expires: now + int64(time.Hour)},
			want: []string{fCreated, fLastSeen, fExpires},
		},
		{
			name: "no expiry",
			meta: sessions.Meta{Created: now, Renewed: now, User: "ann"},
			want: []string{fCreated, fRenewed, fUser},
		},
		{
			name: "created zero",
			meta: sessions.Meta{Expires: now + int64(time.Hour)},
			want: []string{fCreated, fExpires},
		},
		{
			name: "every field",
			meta: sessions.Meta{Created: now, Renewed: now, LastSeen: now, AuthTime: now, Expires: now + int64(time.Hour),
				User: "bob", UserAgent: "ua", CSRF: "secret", Bind: "b"},
			want: []string{fCreated, fRenewed, fLastSeen, fAuthTime, fExpires, fUser, fUserAgent, fCSRF, fBind},
		},
	} {
		for _, proto := range protocols {
			t.Run(tc.name+"/"+proto.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				wantMeta := tc.meta
				s := newTestStore(t, c, proto.o)
				key := storetest.NewKey(t)
				rec := &sessions.Record{Meta: wantMeta}
				rec.SetField("x", "1")
				if err := s.Create(ctx, key, rec); err != nil {
					t.Fatal(err)
				}
				fields, err := c.HKeys(ctx, s.hashKey(key)).Result()
				if err != nil {
					t.Fatal(err)
				}
				var meta []string
				for _, f := range fields {
					if f != fVersion && f != fIndexed && f[:2] == "m:" {
						meta = append(meta, f)
					}
				}
				slices.Sort(meta)
				want := slices.Sorted(slices.Values(tc.want))
				if !slices.Equal(meta, want) {
					t.Errorf("metadata fields stored = %v, want %v", meta, want)
				}

				check := func(step string, got *sessions.Record, found bool, err error) {
					t.Helper()
					if err != nil || !found {
						t.Fatalf("%s: Load = found %v, %v", step, found, err)
					}
					if got.Meta != wantMeta {
						t.Errorf("%s: meta = %+v, want %+v", step, got.Meta, wantMeta)
					}
				}
				got, found, err := s.Load(ctx, key)
				check("after Create", got, found, err)

				if wantMeta.User != "" {
					infos, err := s.UserSessions(ctx, wantMeta.User)
					if err != nil {
						t.Fatal(err)
					}
					if len(infos) != 1 || infos[0].Key != key || infos[0].Meta != wantMeta {
						t.Errorf("UserSessions = %+v, want one entry %s with %+v", infos, key, wantMeta)
					}
				}

				renamed := storetest.NewKey(t)
				if err := s.Rename(ctx, key, renamed, 0); err != nil {
					t.Fatalf("Rename: %v", err)
				}
				got, found, err = s.Load(ctx, renamed)
				check("after Rename", got, found, err)

				d := &sessions.Delta{Meta: &sessions.Meta{CSRF: "minted"}, MetaFields: sessions.MetaCSRF}
				if err := s.Commit(ctx, renamed, d); err != nil {
					t.Fatalf("Commit: %v", err)
				}
				got, found, err = s.Load(ctx, renamed)
				wantMeta.CSRF = "minted"
				check("after a CSRF commit", got, found, err)
			})
		}
	}
}

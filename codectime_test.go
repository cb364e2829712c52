package sessions_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"github.com/sessionkit/sessions"
)

// TestTimeZoneOffsets stores times in zones of every kind of offset and
// checks that each comes back as the same instant in a zone of the same
// offset, or is refused with ErrUnsupportedValue when time.Time cannot
// encode its offset. Offsets with seconds in them are those of local mean
// time, which real zones use before their standard time began.
func TestTimeZoneOffsets(t *testing.T) {
	at := time.Date(1900, 6, 1, 12, 30, 15, 123456789, time.UTC)
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	for _, tc := range []struct {
		name    string
		loc     *time.Location
		year    int // 1900 when 0
		refused bool
	}{
		{"UTC", time.UTC, 0, false},
		{"east, whole hours", time.FixedZone("", 3*3600), 0, false},
		{"west, whole hours", time.FixedZone("", -5*3600), 0, false},
		{"east, with seconds", time.FixedZone("", 19*60+32), 0, false},
		{"west, with seconds", time.FixedZone("", -(4*3600 + 56*60 + 2)), 0, false},
		{"west, under a minute", time.FixedZone("", -52), 0, false},
		{"west, one second", time.FixedZone("", -1), 0, false},
		{"east, under a minute", time.FixedZone("", 59), 0, false},
		{"Africa/Accra local mean time", zone("Africa/Accra"), 0, false},
		{"America/New_York local mean time", zone("America/New_York"), 1880, false},
		{"Europe/Amsterdam local mean time", zone("Europe/Amsterdam"), 0, false},
		// time.Time.MarshalBinary keeps -1 minute for UTC.
		{"west, one minute and seconds", time.FixedZone("", -61), 0, true},
		{"west, one minute", time.FixedZone("", -60), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := at
			if tc.year != 0 {
				want = want.AddDate(tc.year-at.Year(), 0, 0)
			}
			want = want.In(tc.loc)
			enc, err := sessions.EncodeValue(want)
			if tc.refused {
				if !errors.Is(err, sessions.ErrUnsupportedValue) {
					t.Fatalf("EncodeValue(%v) = %v, want ErrUnsupportedValue", want, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("EncodeValue(%v): %v", want, err)
			}
			v, err := sessions.DecodeValue(enc)
			if err != nil {
				t.Fatalf("DecodeValue: %v", err)
			}
			got, ok := v.(time.Time)
			_, gotOff := got.Zone()
			_, wantOff := want.Zone()
			if !ok || !got.Equal(want) || gotOff != wantOff {
				t.Errorf("stored %v (offset %ds), got back %v (offset %ds)", want, wantOff, got, gotOff)
			}
		})
	}
}

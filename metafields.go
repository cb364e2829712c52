package sessions

// MetaField names fields of Meta, as a set of bits: Delta.MetaFields says
// which fields of Delta.Meta a commit changes.
type MetaField uint16

// The fields of Meta.
const (
	MetaCreated MetaField = 1 << iota
	MetaRenewed
	MetaLastSeen
	MetaAuthTime
	MetaExpires
	MetaUser
	MetaUserAgent
	MetaCSRF
	MetaBind

	// MetaAll is every field of Meta.
	MetaAll MetaField = 1<<iota - 1
)

// MetaChanges returns the fields of d.Meta the commit writes: none when
// d.Meta is nil, d.MetaFields when set, and every field (MetaAll) when
// d.Meta is set without MetaFields.
func (d *Delta) MetaChanges() MetaField {
	switch {
	case d.Meta == nil:
		return 0
	case d.MetaFields == 0:
		return MetaAll
	}
	return d.MetaFields & MetaAll
}

// Merge copies the fields of from that f names into m and leaves the others.
func (m *Meta) Merge(from *Meta, f MetaField) {
	if f == MetaAll {
		*m = *from
		return
	}
	if f&MetaCreated != 0 {
		m.Created = from.Created
	}
	if f&MetaRenewed != 0 {
		m.Renewed = from.Renewed
	}
	if f&MetaLastSeen != 0 {
		m.LastSeen = from.LastSeen
	}
	if f&MetaAuthTime != 0 {
		m.AuthTime = from.AuthTime
	}
	if f&MetaExpires != 0 {
		m.Expires = from.Expires
	}
	if f&MetaUser != 0 {
		m.User = from.User
	}
	if f&MetaUserAgent != 0 {
		m.UserAgent = from.UserAgent
	}
	if f&MetaCSRF != 0 {
		m.CSRF = from.CSRF
	}
	if f&MetaBind != 0 {
		m.Bind = from.Bind
	}
}

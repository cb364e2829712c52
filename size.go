package sessions

import "fmt"

// maxIntSize is the most bytes EncodeValue takes for an int, which it
// writes in decimal: len("-9223372036854775808").
const maxIntSize = 20

// checkSize returns an error wrapping ErrTooLarge when the session's values
// as the request now sees them, plus extra bytes, would take more than
// Options.MaxSize (see there for how they are counted). Callers hold s.mu.
func (s *Session) checkSize(extra int) error {
	limit := s.m.opts.MaxSize
	n := extra
	var buf []byte
	for k, v := range s.all() {
		b, err := AppendValue(buf[:0], v)
		if err != nil {
			return fmt.Errorf("%w (value %q; Options.MaxSize counts each value's encoding)", err, k)
		}
		buf = b
		n += len(k) + len(b)
	}
	if n > limit {
		return fmt.Errorf("%w: the session's values would take %d bytes, over Options.MaxSize (%d); store less in the session, or keep large data elsewhere and store its key",
			ErrTooLarge, n, limit)
	}
	return nil
}

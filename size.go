package sessions

import (
	"fmt"
	"math"
	"strconv"
)

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

// checkIncrementSize returns an error wrapping ErrTooLarge when adding by to
// the counter under key would take the session over Options.MaxSize, as
// checkSize judges a Set of the new count. A new counter is counted at the
// most an int takes (maxIntSize), since the store's count is not known
// before the Increment; a held one by the digits its count, as the request
// read it, would gain. A held value that is not an int, or a count that
// would overflow, is left to the store's ErrNotInteger. Callers hold s.mu.
func (s *Session) checkIncrementSize(key string, by int64) error {
	v, ok := s.lookup(key)
	if !ok {
		return s.checkSize(len(key) + maxIntSize)
	}
	i, isInt := v.(int)
	n := int64(i)
	if !isInt || (by > 0 && n > math.MaxInt-by) || (by < 0 && n < math.MinInt-by) {
		return nil
	}
	var buf [maxIntSize]byte
	grows := len(strconv.AppendInt(buf[:0], n+by, 10)) - len(strconv.AppendInt(buf[:0], n, 10))
	if grows <= 0 {
		return nil
	}
	return s.checkSize(grows)
}

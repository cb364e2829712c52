package sessions

import "time"

// Get returns the session value under key as a T, and whether it is present
// and convertible (see As). It works the same on every store: a struct that
// a remote store returned as JSON is unmarshalled into T.
//
//	cart, ok := sessions.Get[Cart](s, "cart")
func Get[T any](s *Session, key string) (T, bool) {
	v, ok := s.Lookup(key)
	if !ok {
		var zero T
		return zero, false
	}
	return As[T](v)
}

// GetString returns the string under key, or "" when it is absent or not a
// string.
func (s *Session) GetString(key string) string {
	v, _ := Get[string](s, key)
	return v
}

// GetInt returns the integer under key, or 0. Integers of every width
// convert when the value fits.
func (s *Session) GetInt(key string) int {
	v, _ := Get[int](s, key)
	return v
}

// GetInt64 returns the integer under key, or 0.
func (s *Session) GetInt64(key string) int64 {
	v, _ := Get[int64](s, key)
	return v
}

// GetFloat64 returns the number under key as a float64, or 0.
func (s *Session) GetFloat64(key string) float64 {
	v, _ := Get[float64](s, key)
	return v
}

// GetBool returns the bool under key, or false.
func (s *Session) GetBool(key string) bool {
	v, _ := Get[bool](s, key)
	return v
}

// GetTime returns the time.Time under key, or the zero time.
func (s *Session) GetTime(key string) time.Time {
	v, _ := Get[time.Time](s, key)
	return v
}

// GetDuration returns the time.Duration under key, or 0.
func (s *Session) GetDuration(key string) time.Duration {
	v, _ := Get[time.Duration](s, key)
	return v
}

// GetBytes returns the []byte under key, or nil.
func (s *Session) GetBytes(key string) []byte {
	v, _ := Get[[]byte](s, key)
	return v
}

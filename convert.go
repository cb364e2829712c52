package sessions

import (
	"encoding/json"
	"math"
	"time"
)

// As converts a session value to T. It succeeds when v already is a T; when T
// is int, int64 or float64 and v is an integer or float of another type
// whose value T holds exactly; or when T is a type the codec has no tag for
// (a struct, a named type, map[string]string...) and v is a JSON value (what
// remote stores return for such types) that unmarshals into T, or a value of
// such a type whose JSON encoding does (what the memory store, which keeps
// it as it is, returns in its place): a *Cart converts to a Cart on every
// store. An empty JSON value is JSON null, as EncodeValue stores it. Other
// numeric Ts (int32, uint64, float32...) need v to be of that type, and so
// do the other types the codec tags (string, bool, []byte, time.Duration,
// []string, []any, map[string]any): a value stored as one of those never
// comes back as JSON, so JSON there is another type's, which the memory
// store would not convert either.
func As[T any](v any) (T, bool) {
	if t, ok := v.(T); ok {
		return t, true
	}
	return convert[T](v)
}

// convert is As for a v that is not a T. It is apart from As because taking
// &zero moves zero to the heap: As's common case then costs no allocation.
func convert[T any](v any) (T, bool) {
	var zero T
	switch p := any(&zero).(type) {
	case *int:
		n, ok := toInt64(v)
		if ok && n >= math.MinInt && n <= math.MaxInt {
			*p = int(n)
			return zero, true
		}
		return zero, false
	case *int64:
		n, ok := toInt64(v)
		if !ok {
			return zero, false
		}
		*p = n
		return zero, true
	case *float64:
		f, ok := toFloat64(v)
		*p = f
		return zero, ok
	case *time.Time, *time.Duration, *string, *bool, *[]byte, *float32,
		*int8, *int16, *int32, *uint, *uint8, *uint16, *uint32, *uint64,
		*[]string, *[]any, *map[string]any:
		return zero, false
	}
	j, ok := v.(JSON)
	if !ok {
		// The memory store keeps the Go value that an encoding store keeps
		// as JSON: it converts as that JSON would, so that Get reads the
		// same from every store (a *Cart stored, a Cart read).
		if j, ok = fallbackJSON(v); !ok {
			return zero, false
		}
		if p, ok := any(&zero).(*JSON); ok {
			*p = j
			return zero, true
		}
	}
	if len(j) == 0 {
		j = JSON("null") // as EncodeValue stores it
	}
	if err := json.Unmarshal(j, &zero); err != nil {
		// encoding/json fills in what it can before it reports an error.
		var none T
		return none, false
	}
	return zero, true
}

// fallbackJSON returns the JSON an encoding store keeps for v, when v is of
// a type the codec has no tag for (EncodeValue tags it 'j') and EncodeValue
// accepts it.
func fallbackJSON(v any) (JSON, bool) {
	b, err := EncodeValue(v)
	if err != nil || len(b) == 0 || b[0] != 'j' {
		return nil, false
	}
	return JSON(b[1:]), true
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return int64(x), uint64(x) <= math.MaxInt64
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), x <= math.MaxInt64
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x), true
		}
	case float32:
		f := float64(x)
		if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
			return int64(f), true
		}
	}
	return 0, false
}

func toFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case uint:
		return uintToFloat64(uint64(x))
	case uint64:
		return uintToFloat64(x)
	}
	// An integer converts when float64 holds it exactly (every one up to
	// 2^53 in magnitude does).
	if n, ok := toInt64(v); ok {
		if f := float64(n); f < math.MaxInt64 && int64(f) == n {
			return f, true
		}
	}
	return 0, false
}

// uintToFloat64 converts n when float64 holds it exactly, past MaxInt64
// too. float64(n) rounds up to 2^64 for n near MaxUint64, which no uint64
// holds: that is checked before converting back.
func uintToFloat64(n uint64) (float64, bool) {
	if f := float64(n); f < 1<<64 && uint64(f) == n {
		return f, true
	}
	return 0, false
}

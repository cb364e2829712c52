package sessions

import (
	"reflect"
	"slices"
)

// valueCopier copies the values GetAll returns. The memory store keeps the
// values a request stored as they are, shared by every request that loads
// the session: a []byte or map[string]any handed out as it is would let a
// caller change the stored session in place, without a commit and racing
// other requests, where an encoding store hands each request a decoding of
// its own.
type valueCopier struct {
	// seen maps a container already copied to its copy, so that one
	// referenced many times (or from inside itself, which only the memory
	// store can hold) is copied once.
	seen map[containerID]any
}

// containerID names a []any or map[string]any by where its elements live.
type containerID struct {
	p     uintptr
	n     int
	isMap bool
}

// copy returns a copy of v when v is of a type the codec stores natively,
// and v itself otherwise.
func (c *valueCopier) copy(v any) any {
	switch x := v.(type) {
	case []byte:
		return slices.Clone(x)
	case JSON:
		return slices.Clone(x)
	case []string:
		return slices.Clone(x)
	case []any:
		if len(x) == 0 {
			return slices.Clone(x)
		}
		id := containerID{p: reflect.ValueOf(x).Pointer(), n: len(x)}
		if out, ok := c.seen[id]; ok {
			return out
		}
		out := make([]any, len(x))
		c.remember(id, out)
		for i, e := range x {
			out[i] = c.copy(e)
		}
		return out
	case map[string]any:
		if x == nil {
			return x
		}
		id := containerID{p: reflect.ValueOf(x).Pointer(), isMap: true}
		if out, ok := c.seen[id]; ok {
			return out
		}
		out := make(map[string]any, len(x))
		c.remember(id, out)
		for k, e := range x {
			out[k] = c.copy(e)
		}
		return out
	}
	return v
}

func (c *valueCopier) remember(id containerID, out any) {
	if c.seen == nil {
		c.seen = map[containerID]any{}
	}
	c.seen[id] = out
}

package memory_test

import (
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) sessions.Store {
			s := memory.New(memory.Options{})
			t.Cleanup(func() { s.Close() })
			return s
		},
	})
}

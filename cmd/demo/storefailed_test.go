package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestStoreFailedAnswers pins the status and JSON error text a handler
// answers for each session error it meets itself (storeFailed), the error
// wrapped as stores and the manager wrap it: the client's conflicts are
// 409, an unavailable store 503, too much data 413, a value the store
// cannot keep 400, a store without a user index 501, anything else 500.
func TestStoreFailedAnswers(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
		msg  string
	}{
		{sessions.ErrTooManySessions, http.StatusConflict, "too many sessions for this user"},
		{sessions.ErrNotInteger, http.StatusConflict, "value is not an integer"},
		{sessions.ErrNotFound, http.StatusConflict, "session ended meanwhile; retry"},
		{sessions.ErrStoreUnavailable, http.StatusServiceUnavailable, "session store unavailable, try again shortly"},
		{sessions.ErrTooLarge, http.StatusRequestEntityTooLarge, "session data too large"},
		{sessions.ErrUnsupportedValue, http.StatusBadRequest, "this session store cannot keep that value or name; use UTF-8 names without NUL bytes, of at most 2 KB"},
		{sessions.ErrNotSupported, http.StatusNotImplemented, "this store keeps no user index; log out with POST /api/logout"},
		{errors.New("disk on fire"), http.StatusInternalServerError, "session error"},
	} {
		w := httptest.NewRecorder()
		storeFailed(w, fmt.Errorf("store: %w", tc.err))
		want := fmt.Sprintf("{\"error\":%q}\n", tc.msg)
		if w.Code != tc.code || w.Body.String() != want || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("storeFailed(%v) = %d %q (Content-Type %q), want %d %q (application/json)", tc.err, w.Code, w.Body.String(), w.Header().Get("Content-Type"), tc.code, want)
		}
	}
}

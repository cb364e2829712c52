package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sessionkit/sessions"
)

// TestWrapClassifiesServerErrors checks which errors the server reports
// about a statement count as the store being unavailable (a handler answers
// 503 and the client may retry) and which as a failure of the statement.
func TestWrapClassifiesServerErrors(t *testing.T) {
	s := &Store{table: "sessions"}
	for _, c := range []struct {
		code        string
		unavailable bool
	}{
		{"08006", true},  // connection_failure
		{"53300", true},  // too_many_connections
		{"57P01", true},  // admin_shutdown
		{"57014", true},  // query_canceled (statement_timeout)
		{"40P01", true},  // deadlock_detected
		{"25006", true},  // read_only_sql_transaction
		{"55P03", true},  // lock_not_available
		{"25P03", true},  // idle_in_transaction_session_timeout
		{"25P04", true},  // transaction_timeout (PostgreSQL 17)
		{"23505", false}, // unique_violation
		{"42P01", false}, // undefined_table
		{"22001", false}, // string_data_right_truncation
	} {
		err := s.wrap(context.Background(), "op", &pgconn.PgError{Code: c.code})
		if got := errors.Is(err, sessions.ErrStoreUnavailable); got != c.unavailable {
			t.Errorf("SQLSTATE %s: %v; unavailable = %v, want %v", c.code, err, got, c.unavailable)
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != c.code {
			t.Errorf("SQLSTATE %s: %v does not carry the server's error", c.code, err)
		}
	}
}

package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/sessionkit/sessions"
)

// UserSessions lists the live sessions of user, oldest (by Meta.Created)
// first, in one query on the user_id index. Rows of a format version this
// package does not read are not listed (see "Rows of another format
// version" in the package documentation).
func (s *Store) UserSessions(ctx context.Context, user string) ([]sessions.Info, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if user == "" || checkText("user", user) != nil {
		return nil, nil // no session can belong to it
	}
	rows, err := s.pool.Query(ctx, s.q.userSessions, user, now())
	if err != nil {
		return nil, s.wrap(ctx, "listing a user's sessions", err)
	}
	defer rows.Close()
	var list []sessions.Info
	for rows.Next() {
		var in sessions.Info
		var ua, cs, bnd []byte
		m := &in.Meta
		if err := rows.Scan(&in.Key, &m.Created, &m.Renewed, &m.LastSeen, &m.AuthTime, &m.Expires,
			&m.User, &ua, &cs, &bnd); err != nil {
			return nil, s.wrap(ctx, "listing a user's sessions", err)
		}
		m.UserAgent, m.CSRF, m.Bind = string(ua), string(cs), string(bnd)
		list = append(list, in)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(ctx, "listing a user's sessions", err)
	}
	return list, nil
}

// DeleteUserSessions deletes every session of user except the one under
// exceptKey ("" for none; a string that is not a store key keeps none
// either), with the rename aliases leading to them, and reports how many
// live sessions it deleted (expired ones it meets are deleted without
// being counted). It deletes and counts the user's rows of
// every format version, including those UserSessions does not list, which
// may be live sessions of a newer release (see "Rows of another format
// version" in the package documentation). One round trip: a transaction
// of three statements sent as one pgx batch. The first takes an advisory lock on
// the user, so that revocations of one user run one after the other
// rather than deadlock; the second locks the user's rows, so that renames
// of them in flight finish first; the third, which therefore sees the
// keys those renames gave, deletes the rows. A session rotated at that
// moment is deleted under its new key.
func (s *Store) DeleteUserSessions(ctx context.Context, user, exceptKey string) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if user == "" || checkText("user", user) != nil {
		return 0, nil
	}
	if !sessions.ValidKey(exceptKey) {
		// No row is stored under it (the key column's CHECK), so it
		// keeps none; and PostgreSQL text may not hold it at all.
		exceptKey = ""
	}
	var n int
	if err := s.tx(ctx,
		stmt{sql: s.q.userLock, args: []any{userLockID(s.table, user)}},
		stmt{sql: s.q.lockUser, args: []any{user, exceptKey}},
		stmt{sql: s.q.deleteUser, args: []any{user, now(), exceptKey},
			scan: func(r pgx.Row) error { return r.Scan(&n) }}); err != nil {
		return 0, s.wrap(ctx, "deleting a user's sessions", err)
	}
	return n, nil
}

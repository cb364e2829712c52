package bench

import (
	"context"
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// The redis-floor contender is no session library: a handler making the
// round trips a session kept in Redis needs at the least, through go-redis,
// with nothing else. A session is one string, "user role n", under a key the
// cookie names:
//
//	/read   GET                       1 round trip
//	/write  GET, then SET with PX     2 round trips (a read, then a write)
//	/new    SET with PX               1 round trip
//
// It checks nothing (no expiry, strict mode, ID hashing, concurrent
// writers, a session destroyed meanwhile) and encodes nearly nothing. Its
// rows are the floor under every Redis contender on the same host: what two
// round trips cost there, which no library doing a read and a write can go
// below.
func floorRedis() contender {
	return contender{name: "redis-floor", redis: true, through: "net/http, go-redis, no session library", open: openFloorRedis, counted: openFloorRedisCounted}
}

func openFloorRedis(tb testing.TB) (http.Handler, func()) { return openFloorRedisCounted(tb, nil) }

func openFloorRedisCounted(tb testing.TB, c *counts) (http.Handler, func()) {
	needRedis(tb)
	client := newGoRedis(c)
	prefix := redisPrefix + "floor:"
	const cookieName = "floor"
	setCookie := func(w http.ResponseWriter) string {
		id := rand.Text()
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		return prefix + id
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var key string
		if ck, err := r.Cookie(cookieName); err == nil {
			key = prefix + ck.Value
		}
		switch r.URL.Path {
		case pathRead:
			v, err := get(ctx, client, key)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			user, _, _ := strings.Cut(v, " ")
			writeBody(w, user)
		case pathWrite:
			v, err := get(ctx, client, key)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			i := strings.LastIndexByte(v, ' ')
			n, _ := strconv.Atoi(v[i+1:])
			n++
			if err := client.Set(ctx, key, v[:i+1]+strconv.Itoa(n), idle).Err(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeInt(w, n)
		case pathNew, pathSeed:
			v := "alice"
			if r.URL.Path == pathSeed {
				v = "alice admin 0"
			}
			if err := client.Set(ctx, setCookie(w), v, idle).Err(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeBody(w, "")
		}
	})
	return h, func() { client.Close() }
}

// get reads key; a missing key is an error, since every request the
// benchmarks send names a seeded session.
func get(ctx context.Context, client *goredis.Client, key string) (string, error) {
	if key == "" {
		return "", goredis.Nil
	}
	return client.Get(ctx, key).Result()
}

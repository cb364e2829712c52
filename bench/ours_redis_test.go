package bench

import (
	"net/http"
	"testing"

	redisstore "github.com/sessionkit/sessions/stores/redis"
)

func oursRedis() []contender {
	return []contender{{name: "sessions-redis", redis: true, renew: true, tcp: true, through: "net/http middleware", open: openOursRedis, counted: openOursRedisCounted}}
}

func openOursRedis(tb testing.TB) (http.Handler, func()) { return openOursRedisCounted(tb, nil) }

func openOursRedisCounted(tb testing.TB, c *counts) (http.Handler, func()) {
	needRedis(tb)
	client := newGoRedis(c)
	st, err := redisstore.NewWithOptions(client, redisstore.Options{Prefix: redisPrefix + "ours:"})
	if err != nil {
		tb.Fatal(err)
	}
	h, closeM := openOurs(tb, st)
	return h, func() { closeM(); st.Close(); client.Close() }
}

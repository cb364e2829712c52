package redis_test

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	redisstore "github.com/sessionkit/sessions/stores/redis"
)

// A manager whose sessions live in Redis, on a client the application
// already has.
func Example() {
	client := redis.NewClient(&redis.Options{
		Addr:          "localhost:6379",
		DialTimeout:   time.Second,
		ReadTimeout:   time.Second,
		WriteTimeout:  time.Second,
		MaxRetries:    1,
		DialerRetries: 1,
	})
	defer client.Close()

	m, err := sessions.NewManager(redisstore.New(client), sessions.Options{})
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("visits", 1)
		fmt.Fprintln(w, "hello")
	})
}

// A store with its own client, from a URL, for a Redis Cluster.
func ExampleNewFromURL() {
	store, err := redisstore.NewFromURL("redis+cluster://10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000?key_prefix=shop:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // closes the client NewFromURL made

	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		log.Fatal(err)
	}
	_ = m
}

// Options for a Redis shared with other applications.
func ExampleNewWithOptions() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"localhost:6379"}})
	defer client.Close()
	store, err := redisstore.NewWithOptions(client, redisstore.Options{
		Prefix:       "shop:sess:",
		MaxValueSize: 64 << 10,
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = store
}

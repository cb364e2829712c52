package bolt_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/bolt"
	"go.etcd.io/bbolt"
)

func Example() {
	dir, err := os.MkdirTemp("", "sessions-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Open creates data/ (0700) and sessions.db (0600) if they are absent.
	store, err := bolt.Open(filepath.Join(dir, "data", "sessions.db"), bolt.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// The manager normally does this; stores only ever see hashed keys.
	ctx := context.Background()
	key := sessions.KeyOf("an-example-session-id")
	now := time.Now()
	rec := &sessions.Record{Meta: sessions.Meta{
		Created: now.UnixNano(),
		Expires: now.Add(time.Hour).UnixNano(),
		User:    "alice",
	}}
	rec.SetField("cart", "3 items")
	if err := store.Create(ctx, key, rec); err != nil {
		log.Fatal(err)
	}
	if _, err := store.Increment(ctx, key, "visits", 1); err != nil {
		log.Fatal(err)
	}

	got, found, err := store.Load(ctx, key)
	if err != nil {
		log.Fatal(err)
	}
	cart, _ := got.Lookup("cart")
	visits, _ := got.Lookup("visits")
	fmt.Println(found, cart, visits)

	list, err := store.UserSessions(ctx, "alice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(list), list[0].Key == key)
	// Output:
	// true 3 items 1
	// 1 true
}

// New keeps sessions in a database the application already has open, in a
// bucket of their own. Closing the store leaves the database open.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "sessions-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := bbolt.Open(filepath.Join(dir, "app.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	store, err := bolt.New(db, bolt.Options{Bucket: "web-sessions", CleanupInterval: 5 * time.Minute})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	_, found, err := store.Load(context.Background(), sessions.KeyOf("unknown-id"))
	fmt.Println(found, err)
	// Output: false <nil>
}

// Package redis is a [sessions.Store] and [sessions.UserIndex] on Redis,
// through go-redis v9's [redis.UniversalClient], so one store serves a
// single server, a Sentinel-managed primary and a Redis Cluster. It is a
// [sessions.Counter] too, for administration: [Store.Count] SCANs the
// keyspace, O(keys).
//
// It is its own Go module: importing the sessions core never downloads
// go-redis. Import it under another name, since go-redis is package redis
// too:
//
//	import redisstore "github.com/sessionkit/sessions/stores/redis"
//
// # Constructing
//
// Pass the client your application already has:
//
//	client := redis.NewClient(&redis.Options{Addr: "localhost:6379",
//		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
//		MaxRetries: 1, DialerRetries: 1})
//	store := redisstore.New(client)
//	m, err := sessions.NewManager(store, sessions.Options{})
//
// [NewWithOptions] takes [Options] (key prefix, protocol, limits), and
// [NewFromURL] builds the client itself from a URL such as
// redis://localhost:6379/0 or redis+cluster://10.0.0.1:7000,10.0.0.2:7000,
// with fail-fast timeouts; its store's Close closes that client. A store
// never closes a client it was given.
//
// # Cost per operation
//
// Load is one HGETALL, so a read-only request costs one command. Create,
// Increment and Delete are one command each (a Lua script by EVALSHA, or
// DEL); Increment is HINCRBY inside the script. Commit writes only the
// delta, never creates a record (a destroyed or renamed session is not
// written back to life), and is atomic, so concurrent commits of different
// keys both survive. A commit that only sets values, what a read-write
// request usually sends, is one pipelined round trip of two commands (HSET,
// then HMGET to check where it landed), which costs Redis less than a
// script; one that also deletes values adds HDEL and wraps the three in
// MULTI/EXEC, so no reader sees half of it; a commit that changes
// metadata or clears the session is one script call, which writes only the
// metadata fields the delta changed (Delta.MetaFields) and moves the TTL
// only when the expiry is one of them. A new ID with changes to store (a
// login, Renew, an ID rotation) is one script: Rename's followed by
// Commit's (Store.RenameCommit). The exceptions, all
// rare: a values-only commit that meets a grace alias or a rename fence is
// sent again as a script, and one on a destroyed session adds a DEL (see
// [Store.Commit]); in the cluster-safe protocol below, a login (a Create
// or Commit that sets Meta.User) adds one command for the user index, and
// Rename takes four, followed by the commit. A request that still carries a renamed ID within the
// grace costs one more HGETALL per alias.
//
// # Key layout
//
// With the default prefix "sess:" and a store key K (the hex SHA-256 of the
// session ID, see [sessions.KeyOf]; a session ID never appears in Redis):
//
//	sess:{K}        hash, one per session, PEXPIREAT at Meta.Expires
//	  m:v           format version ("1"); any other makes Load fail with ErrCorrupt
//	  m:c m:r m:l m:a m:e   Created, Renewed, LastSeen, AuthTime, Expires (decimal Unix ns)
//	  m:u m:ua m:csrf m:b   User, UserAgent, CSRF, Bind
//	                a field other than m:v and m:c may be missing: it is zero, and
//	                Create leaves out every zero field, so an anonymous session's
//	                Load parses 4 metadata fields besides m:v, not 9
//	  m:ix          cluster-safe protocol: until when the user index keeps this entry (Unix ms)
//	  v:<name>      one field per session value, encoded by sessions.EncodeValue
//	                (a Go int is plain decimal, so HINCRBY works on it)
//	sess:{K}        a grace alias instead, after Rename(K, K2, grace > 0):
//	  m:v, m:to=K2  for grace; Load, Commit and Increment on K resolve to K2
//	  m:rn          single-node protocol: the token of the Rename call that made it
//	  v:<name>      values a Commit wrote before it saw the alias; never read
//	sess:{K}        or a marker, after Rename(K, K2, 0), for one minute:
//	  m:rt=K2       no session for Load, Commit or Increment (Create and Rename
//	                may replace it); a Rename whose reply was lost and that
//	                runs again sees it is done
//	  m:rn          single-node protocol: the token of the Rename call that made
//	                it, so that only a run of that call counts as done (another
//	                Rename of K is sessions.ErrNotFound, as for any absent key)
//	sess:u:{user}   sorted set, the user's index: members are store keys,
//	                scores the Unix ms until which each entry is kept
//
// Value fields and metadata fields have distinct prefixes, so no session
// value can overwrite metadata whatever its name. A hash with v: fields but
// none of m:v, m:to and m:c is no session: a values-only Commit on a
// destroyed session leaves one for an instant, and Load, Commit,
// Increment and Rename treat it as absent.
//
// # Cluster
//
// The braces are hash tags: every key of one session lives in the slot of
// its store key, and a user's index in the slot of the user name. Every
// script and transaction touches one slot, except for scripts in the
// single-node protocol.
//
// The store keeps serving while an operator moves slots between primaries
// or fails a primary over to a replica: go-redis follows the ASK and MOVED
// redirections, and no script touches a key again after it may have
// deleted or emptied it, which the source node of a slot being migrated
// would refuse halfway through the script.
//
// Under Sentinel (redis.NewFailoverClient), a failover, even one asked
// for with SENTINEL FAILOVER, can lose writes the old primary acknowledged:
// it takes writes until Sentinel demotes it, go-redis sends them there
// until it hears of the new primary, and the demoted primary then drops
// them when it resyncs (TestSentinelFailover saw a counter acknowledged at
// 442 read back as 113; a killed primary loses what it had not replicated
// too). The store does not wait for replicas (WAIT) on its writes. During
// the switch every failure is an error wrapping
// [sessions.ErrStoreUnavailable] (503), and the same store serves the new
// primary afterwards.
//
// The store picks its protocol from the client's type. A *redis.Client (one
// server, or a Sentinel primary from redis.NewFailoverClient) runs the
// single-node protocol, whose scripts may touch several slots' keys: Rename
// is one atomic script, and Create and Commit keep the user index in the
// same script. Any other client (*redis.ClusterClient, *redis.Ring, a
// wrapper type) runs the cluster-safe protocol; so does a *redis.Client
// with [Options].Cluster set, for proxies that shard keys behind one
// address. The cluster-safe protocol differs in two places:
//
//   - The user index is written by a second command, and only when needed:
//     when a session gets a user (login), and when a Commit moves a
//     session's expiry past what its index entry covers, which
//     [Options].IndexSlack (default 24h) makes at most once a day of
//     activity. Ordinary commits, idle-timeout refreshes included, stay one
//     round trip.
//   - Rename fences the old record, copies it, indexes the copy and retires
//     the old record; writes to the old key wait at the fence for the few
//     milliseconds this takes, so none is lost and the outcome is the one
//     the single-node script gives. See [Store.Rename].
//
// In both protocols Delete is a plain DEL that leaves the user index alone.
// Listing a user's sessions drops entries whose session is gone, expired,
// an alias or another user's; each entry's score drops it once its session
// must have expired, and the index key expires with its last entry (its
// expiry is recomputed whenever entries are added or removed, so removing
// the entry of a session without expiry gives the key one again), so an
// index never grows without bound.
//
// # Servers
//
// The store needs Redis 6.2 or later (it uses ZADD GT), or a compatible
// server. Of the single-node scripts, Rename derives the user index key
// from the record instead of declaring it; a server that refuses keys a
// script did not declare (Dragonfly by default) needs [Options].Cluster.
//
// # Timeouts and failures
//
// Errors from an unreachable Redis (refused or dropped connections,
// timeouts, a closed client, a cluster that is down or failing over) wrap
// both [sessions.ErrStoreUnavailable] and the go-redis error; check them
// with errors.Is. redis.Nil is never an error: a missing record is
// found == false. Every call honours its context.
//
// Sessions are read on every request, so the client should fail fast rather
// than hold requests while Redis is away. Recommended settings, which
// NewFromURL applies unless the URL says otherwise: DialTimeout, ReadTimeout
// and WriteTimeout of about one second, MaxRetries 1, DialerRetries 1
// (go-redis's defaults, 5 dial attempts per connection and 3 retries, can
// hold a request for many seconds). Keep MaxRetries low for another reason
// too: go-redis retries a command whose reply timed out, and a retried
// Increment may count twice and a retried Create report ErrExists (the
// manager then draws a new ID), and a retried Commit writes its values
// once more, which can undo another request's write in between. Delete and
// Rename are safe to retry: a Rename that go-redis sends again sees its own
// work done (see [Store.Rename]); a Rename the application calls again
// after one that took effect is sessions.ErrNotFound, as the contract says.
package redis

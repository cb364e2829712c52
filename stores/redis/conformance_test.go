package redis

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
)

// harness runs storetest against stores on c, each with its own prefix.
func harness(c redis.UniversalClient, o Options) storetest.Harness {
	return storetest.Harness{
		New: func(t *testing.T) sessions.Store { return newTestStore(t, c, o) },
		Corrupt: func(t *testing.T, s sessions.Store, key string) {
			// A value with an unknown codec tag.
			if err := c.HSet(context.Background(), s.(*Store).hashKey(key), valuePrefix+"role", "\x00admin").Err(); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// TestConformanceSingle runs the suite against the single-node Redis at
// SESSIONS_REDIS_ADDR with the single-node protocol.
func TestConformanceSingle(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	storetest.Run(t, harness(c, Options{}))
}

// TestConformanceSingleClusterProtocol runs the suite against the same
// server with the cluster-safe protocol forced (Options.Cluster), which is
// what a proxy-sharded deployment runs.
func TestConformanceSingleClusterProtocol(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	storetest.Run(t, harness(c, Options{Cluster: true}))
}

// TestCluster starts a three-primary Redis Cluster and runs the suite and
// the cluster-specific tests against it.
func TestCluster(t *testing.T) {
	t.Parallel()
	cl := redistest.StartCluster(t, 3)
	c := clusterClient(t, cl)
	s := newTestStore(t, c, Options{})
	if !s.sharded {
		t.Fatal("a *redis.ClusterClient must select the cluster-safe protocol")
	}
	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, harness(c, Options{}))
	})
	t.Run("HashTags", func(t *testing.T) { testHashTags(t, c) })
	t.Run("RenameUnderConcurrentCommits", func(t *testing.T) {
		testRenameUnderConcurrentCommits(t, newTestStore(t, c, Options{}))
	})
	t.Run("CommitValues", func(t *testing.T) { testCommitValues(t, newTestStore(t, c, Options{})) })
	t.Run("Ghost", func(t *testing.T) { testGhost(t, c, Options{}) })
}

// Package redistest opens stores for tests.
package redistest

import (
	"context"
	"testing"

	"github.com/incidentbot/incidentbot/internal/redisstore"
)

// Open opens a store on the Redis at url, or on an embedded Redis of its own
// when url is empty, and closes it when the test ends.
func Open(tb testing.TB, url string) *redisstore.Store {
	tb.Helper()
	st, err := redisstore.Open(context.Background(), redisstore.Options{URL: url})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

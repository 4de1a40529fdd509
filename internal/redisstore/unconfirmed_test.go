package redisstore

import (
	"testing"
	"time"
)

// TestUnconfirmedHoldsForTheLimit: leases the replicas did not confirm are
// held back for holdLimit from the first, then let through; a confirmed
// write starts the count again.
func TestUnconfirmedHoldsForTheLimit(t *testing.T) {
	var u unconfirmed
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		at        time.Duration
		confirmed bool
		hold      bool
	}{
		{0, true, false},
		{time.Second, false, true},
		{holdLimit, false, true},
		{holdLimit + time.Second, false, false}, // replicas gone: delivery goes on
		{holdLimit + 2*time.Second, true, false},
		{holdLimit + 3*time.Second, false, true}, // a new lag is held again
	} {
		if got := u.hold(step.confirmed, t0.Add(step.at)); got != step.hold {
			t.Errorf("at %s, confirmed %v: hold %v, want %v", step.at, step.confirmed, got, step.hold)
		}
	}
}

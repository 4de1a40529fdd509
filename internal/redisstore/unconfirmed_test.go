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
		at             time.Duration
		confirmed      bool
		hold, saysGoOn bool
	}{
		{0, true, false, false},
		{time.Second, false, true, false},
		{holdLimit, false, true, false},
		{holdLimit + time.Second, false, false, true}, // replicas gone: delivery goes on, and says so
		{holdLimit + 2*time.Second, false, false, false},
		{holdLimit + 3*time.Second, true, false, false},
		{holdLimit + 4*time.Second, false, true, false}, // a new lag is held again
	} {
		hold, goOn := u.hold(step.confirmed, t0.Add(step.at))
		if hold != step.hold || goOn != step.saysGoOn {
			t.Errorf("at %s, confirmed %v: hold %v, goOn %v; want %v, %v", step.at, step.confirmed, hold, goOn, step.hold, step.saysGoOn)
		}
	}
}

package redisstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// TestRemindScanKeepsALaterChange: a reminder scan read the incidents, and
// before it listed the workspace for its next look, a responder promised
// the next update sooner. The scan's later time must not bury that
// promise: the workspace stays due and is looked at again.
func TestRemindScanKeepsALaterChange(t *testing.T) {
	st := redistest.Open(t, "")
	ctx := context.Background()
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := bottest.NewClock(t0)
	svc := bot.NewService(bot.Options{Store: st, Clock: clock, Cadence: map[bot.Impact]time.Duration{
		bot.ImpactNone: 30 * time.Minute, bot.ImpactMinor: 30 * time.Minute, bot.ImpactMajor: 30 * time.Minute, bot.ImpactCritical: 30 * time.Minute}})
	ws := bottest.NewWorkspace()
	bottest.MustHandle(t, svc, ws, "C1", "declare Checkout fails")
	due := func(at time.Time) bool {
		t.Helper()
		wss, err := st.RemindDue(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(wss, ws)
	}

	clock.Set(t0.Add(31 * time.Minute))
	if !due(clock.Now()) {
		t.Fatal("not due half an hour after the declaration")
	}
	// Meanwhile: an update promising the next in 5 minutes.
	bottest.MustHandle(t, svc, ws, "C1", "update INC-1 Rolling back --next 5m")
	// The scan, from what it read before, would look again in 30 minutes.
	if err := st.RemindLater(ctx, ws, clock.Now().Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !due(clock.Now()) {
		t.Fatal("the scan's later time buried a change made while it ran")
	}
	// A scan that nothing interrupted lists the workspace as it says.
	next := clock.Now().Add(5 * time.Minute)
	if err := st.RemindLater(ctx, ws, next); err != nil {
		t.Fatal(err)
	}
	if due(next.Add(-time.Second)) || !due(next) {
		t.Errorf("an uninterrupted scan's time %s is not the workspace's", next)
	}
}

package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// TestPageRecords reads incidents of several workspaces for the status
// page, newest first, including those recorded before the page's index
// existed, and counts changes in the page's version.
func TestPageRecords(t *testing.T) {
	ctx := context.Background()
	st := redistest.Open(t, "")
	clock := bottest.NewClock(time.Date(2025, 10, 30, 12, 0, 0, 0, time.UTC))
	svc := bot.NewService(bot.Options{Store: st, Clock: clock})
	a, b := bot.Workspace{Platform: bot.Slack, ID: "TA"}, bot.Workspace{Platform: bot.Discord, ID: "G1"}
	bottest.MustHandle(t, svc, a, "C1", "/incident declare First --impact minor")
	clock.Advance(time.Minute)
	bottest.MustHandle(t, svc, b, "C2", "/incident declare Second --impact major")
	v1, err := st.PageVersion(ctx)
	if err != nil || v1 == 0 {
		t.Fatalf("version %d, %v after two changes", v1, err)
	}
	check := func(when string) {
		recs, err := st.PageRecords(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].Incident.Title != "Second" || recs[1].Incident.Title != "First" || len(recs[1].Timeline) != 1 {
			t.Fatalf("%s: records %+v", when, recs)
		}
	}
	check("indexed")
	if err := st.Client().Del(ctx, "ib:page").Err(); err != nil {
		t.Fatal(err)
	}
	check("backfilled")
	bottest.MustHandle(t, svc, a, "C1", "/incident update Still slow")
	if v2, _ := st.PageVersion(ctx); v2 <= v1 {
		t.Errorf("version %d after a change, was %d", v2, v1)
	}
}

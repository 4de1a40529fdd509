package redisstore

import (
	"context"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

// TestOpenEntriesTakeTheNewestVersion: the open-incidents registry ends up
// as the newest version of the incident left it, whatever order the hints
// of several replicas land in. A settle, read back from the store, wins a
// tie with the hint of a refused plan of the same version, and loses to a
// later version.
func TestOpenEntriesTakeTheNewestVersion(t *testing.T) {
	ctx := context.Background()
	s := openEmbedded(t)
	ws := bot.Workspace{Platform: bot.Slack, ID: "T1"}
	at := func(version int64, st fsm.Status, impact bot.Impact) bot.Incident {
		inc := bot.Incident{Number: 1, Version: version, Impact: impact}
		inc.Status = st
		return inc
	}
	for _, step := range []struct {
		what   string
		inc    bot.Incident
		settle bool
		want   bot.Impact // "": not open
	}{
		{"declared", at(1, fsm.Investigating, bot.ImpactMajor), false, bot.ImpactMajor},
		{"resolved", at(3, fsm.Resolved, bot.ImpactMajor), false, ""},
		{"an impact change's hint, landing late", at(2, fsm.Investigating, bot.ImpactCritical), false, ""},
		{"a refused plan's hint, at the stored version", at(3, fsm.Investigating, bot.ImpactMinor), false, ""},
		{"reopened", at(4, fsm.Investigating, bot.ImpactMinor), false, bot.ImpactMinor},
		{"a settle read before the reopening", at(3, fsm.Resolved, bot.ImpactMinor), true, bot.ImpactMinor},
		{"a refused plan's hint, landing first", at(5, fsm.Resolved, bot.ImpactMinor), false, ""},
		{"the winning change's hint, a tie", at(5, fsm.Investigating, bot.ImpactCritical), false, ""},
		{"the settle after the refusal", at(5, fsm.Investigating, bot.ImpactCritical), true, bot.ImpactCritical},
	} {
		if err := openScript.Run(ctx, s.rdb, openKeys, openArgs(ws, step.inc, step.settle)...).Err(); err != nil {
			t.Fatalf("%s: %v", step.what, err)
		}
		g, err := s.Gauges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		open := g.Open[bot.Slack]
		want := map[bot.Impact]int{}
		if step.want != "" {
			want[step.want] = 1
		}
		if len(open) != len(want) || open[step.want] != want[step.want] {
			t.Errorf("after %s: open incidents %v, want %v", step.what, open, want)
		}
	}
}

// TestOpenEntryWhereScriptsWereLost: where the registry's node lost its
// scripts but the workspace's did not, as after a failover on Cluster, a
// change still writes its entry.
func TestOpenEntryWhereScriptsWereLost(t *testing.T) {
	ctx := context.Background()
	s := openEmbedded(t)
	if err := s.rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := applyScript.Load(ctx, s.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	ws := bot.Workspace{Platform: bot.Slack, ID: "T1"}
	bottest.MustHandle(t, bot.NewService(bot.Options{Store: s}), ws, "C1", "declare Checkout down --impact major")
	g, err := s.Gauges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if open := g.Open[bot.Slack]; open[bot.ImpactMajor] != 1 || len(open) != 1 {
		t.Errorf("open incidents %v; want the one major incident", open)
	}
}

// openEmbedded opens a store on an embedded Redis of its own for the test.
// Tests inside the package cannot use redistest, which imports it.
func openEmbedded(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

package redisstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

// TestRefusedChangesLeaveOpenIncidents: a change the store refuses (planned
// from a stale incident, a declaration that lost its number, a request
// answered before and planned again) leaves the open incidents as stored,
// on one server, where the apply script writes them, and on Cluster, where
// an applied change sends them a hint.
func TestRefusedChangesLeaveOpenIncidents(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *Store{"one server": openEmbedded, "Cluster": openEmbeddedCluster} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			svc := bot.NewService(bot.Options{Store: s})
			ws := bottest.NewWorkspace()
			handle := func(requestID, line string) (bot.Reply, error) {
				return svc.Handle(ctx, bot.Request{Workspace: ws, Channel: "C1", Actor: "@tester", Text: line, RequestID: requestID})
			}
			if _, err := handle("declared", "declare One --impact major"); err != nil {
				t.Fatal(err)
			}
			stale := bottest.MustFind(t, s, ws, 1)
			if _, err := handle("updated", "update news"); err != nil {
				t.Fatal(err)
			}
			// The update's request again, typed as a resolution: answered
			// as before, and planned at a version the store never had.
			if r, err := handle("updated", "resolved all good"); err != nil || !r.Replayed {
				t.Fatalf("the update's request again: %+v, %v; want its first answer", r, err)
			}
			resolved := stale // planned from version 1 by a replica that missed the update
			resolved.Version++
			resolved.Status = fsm.Resolved
			if _, err := s.Apply(ctx, bot.Change{Workspace: ws, RequestID: bottest.RequestID(), Incident: resolved}); !errors.Is(err, bot.ErrConflict) {
				t.Fatalf("stale write: %v, want ErrConflict", err)
			}
			ghost := stale // a declaration that lost its number
			ghost.Impact = bot.ImpactCritical
			if _, err := s.Apply(ctx, bot.Change{Workspace: ws, RequestID: bottest.RequestID(), Incident: ghost}); !errors.Is(err, bot.ErrConflict) {
				t.Fatalf("second INC-1: %v, want ErrConflict", err)
			}
			wantOpen(t, s, map[bot.Impact]int{bot.ImpactMajor: 1})
			if _, err := handle("resolved", "resolved all good"); err != nil {
				t.Fatal(err)
			}
			wantOpen(t, s, map[bot.Impact]int{})
		})
	}
}

// TestOpenEntriesTakeTheNewestVersion: on Cluster the open-incidents
// registry ends up as the newest version of the incident left it, whatever
// order the hints of several replicas land in.
func TestOpenEntriesTakeTheNewestVersion(t *testing.T) {
	ctx := context.Background()
	s := openEmbedded(t)
	ws := bottest.NewWorkspace()
	at := func(version int64, st fsm.Status, impact bot.Impact) bot.Incident {
		inc := bot.Incident{Number: 1, Version: version, Impact: impact}
		inc.Status = st
		return inc
	}
	for _, step := range []struct {
		what string
		inc  bot.Incident
		want bot.Impact // "": not open
	}{
		{"declared", at(1, fsm.Investigating, bot.ImpactMajor), bot.ImpactMajor},
		{"resolved", at(3, fsm.Resolved, bot.ImpactMajor), ""},
		{"an impact change's hint, landing late", at(2, fsm.Investigating, bot.ImpactCritical), ""},
		{"reopened", at(4, fsm.Investigating, bot.ImpactMinor), bot.ImpactMinor},
		{"the reopening's hint again", at(4, fsm.Investigating, bot.ImpactCritical), bot.ImpactMinor},
		{"raised", at(5, fsm.Investigating, bot.ImpactCritical), bot.ImpactCritical},
	} {
		if err := openScript.Run(ctx, s.rdb, openKeys, openArgs(ws, step.inc)...).Err(); err != nil {
			t.Fatalf("%s: %v", step.what, err)
		}
		want := map[bot.Impact]int{}
		if step.want != "" {
			want[step.want] = 1
		}
		t.Run(step.what, func(t *testing.T) { wantOpen(t, s, want) })
	}
}

// TestOpenEntryWhereScriptsWereLost: where the registry's node lost its
// scripts but the workspace's did not, as after a failover on Cluster, a
// change still writes its entry.
func TestOpenEntryWhereScriptsWereLost(t *testing.T) {
	ctx := context.Background()
	s := openEmbeddedCluster(t)
	if err := s.rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := applyScript.Load(ctx, s.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	ws := bottest.NewWorkspace()
	bottest.MustHandle(t, bot.NewService(bot.Options{Store: s}), ws, "C1", "declare Checkout down --impact major")
	wantOpen(t, s, map[bot.Impact]int{bot.ImpactMajor: 1})
}

// wantOpen fails t unless the gauges count the open incidents want.
func wantOpen(t *testing.T, s *Store, want map[bot.Impact]int) {
	t.Helper()
	g, err := s.Gauges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	open := g.Open[bottest.Platform]
	if len(open) != len(want) {
		t.Fatalf("open incidents %v, want %v", open, want)
	}
	for impact, n := range want {
		if open[impact] != n {
			t.Fatalf("open incidents %v, want %v", open, want)
		}
	}
}

// openEmbedded opens a store on an embedded Redis of its own for the test.
// Tests inside the package cannot use redistest, which imports it.
func openEmbedded(t *testing.T) *Store {
	t.Helper()
	return openURL(t, "")
}

// openEmbeddedCluster opens a store on an embedded Redis as on a Cluster of
// that one node: the store takes the Cluster's ways, though nothing checks
// that a script's keys share a slot (the long fault suite's Cluster does).
func openEmbeddedCluster(t *testing.T) *Store {
	t.Helper()
	mr := miniredis.RunT(t)
	s := openURL(t, fmt.Sprintf("redis://%s?addr=%s", mr.Addr(), mr.Addr()))
	if !s.cluster() {
		t.Fatal("the store does not take the embedded Redis for a Cluster")
	}
	return s
}

func openURL(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

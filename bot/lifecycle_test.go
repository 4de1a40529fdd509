package bot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the machine's zoneinfo

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

// commandsOfOneIncident are the commands that change a given incident, as
// a responder types them about INC-1.
var commandsOfOneIncident = []string{
	"investigating INC-1 Looking again",
	"identified INC-1 The cause",
	"monitoring INC-1 A fix is out",
	"resolved INC-1 All clear",
	"update INC-1 News",
	"postmortem INC-1 What happened",
	"postmortem INC-1",
	"impact INC-1 critical",
	`components INC-1 "Search"`,
	"assign INC-1 comms @jo",
}

// pathTo is how INC-1 reaches each status by the shortest way.
var pathTo = map[fsm.Status][]string{
	fsm.Investigating: {"declare A --impact minor"},
	fsm.Identified:    {"declare A --impact minor", "identified Found"},
	fsm.Monitoring:    {"declare A --impact minor", "monitoring Fixed"},
	fsm.Resolved:      {"declare A --impact minor", "resolved Done"},
	fsm.Postmortem:    {"declare A --impact minor", "resolved Done", "postmortem INC-1 Body"},
}

// commandTable is the README's lifecycle diagram at the level of commands:
// for each status and command, the incident's fields the command changes
// ("entry" for a timeline entry), "refused", or "" for a command that is
// allowed and changes none of them (the postmortem draft). Written by hand.
var commandTable = map[fsm.Status][]string{
	//                     investigating              identified                   monitoring                   resolved                                    update   postmortem <body>          postmortem  impact          components          assign
	fsm.Investigating: {"entry", "status milestones entry", "status milestones entry", "status milestones resolved_at entry", "entry", "refused", "refused", "impact entry", "components entry", "roles entry"},
	fsm.Identified:    {"status entry", "entry", "status milestones entry", "status milestones resolved_at entry", "entry", "refused", "refused", "impact entry", "components entry", "roles entry"},
	fsm.Monitoring:    {"status entry", "status milestones entry", "entry", "status milestones resolved_at entry", "entry", "refused", "refused", "impact entry", "components entry", "roles entry"},
	fsm.Resolved:      {"status resolved_at entry", "refused", "refused", "entry", "entry", "status milestones entry", "", "impact entry", "components entry", "roles entry"},
	fsm.Postmortem:    {"refused", "refused", "refused", "refused", "refused", "entry", "", "impact entry", "components entry", "roles entry"},
}

func TestCommandTable(t *testing.T) {
	for _, st := range fsm.Statuses() {
		for i, line := range commandsOfOneIncident {
			t.Run(string(st)+"/"+strings.Fields(line)[0]+fmt.Sprint(i), func(t *testing.T) {
				h := newHarness(t, start)
				for _, setup := range pathTo[st] {
					h.clock.Advance(time.Minute)
					h.do(setup)
				}
				h.clock.Advance(time.Minute)
				before := h.find(1)
				_, err := h.svc.Handle(context.Background(), bot.Request{Workspace: h.ws, Channel: "C1", Actor: "@tester", Text: line, RequestID: fmt.Sprint("table-", st, i)})
				got := fieldsChanged(before, h.find(1))
				if bot.ErrorCode(err) == bot.ECONFLICT {
					got = "refused"
				} else if err != nil {
					t.Fatalf("%q in %s: %v", line, st, err)
				}
				if want := commandTable[st][i]; got != want {
					t.Errorf("%q in %s changed %q, want %q", line, st, got, want)
				}
			})
		}
	}
}

// fieldsChanged names the fields of an incident that a command changed.
func fieldsChanged(a, b bot.Incident) string {
	var names []string
	for _, f := range []struct {
		name    string
		changed bool
	}{
		{"status", a.Status != b.Status},
		{"milestones", !cmp.Equal(a.Milestones, b.Milestones)},
		{"resolved_at", !a.ResolvedAt.Equal(b.ResolvedAt)},
		{"impact", a.Impact != b.Impact},
		{"components", !cmp.Equal(a.Components, b.Components)},
		{"roles", !cmp.Equal(a.Roles, b.Roles)},
		{"entry", a.Entries != b.Entries},
	} {
		if f.changed {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, " ")
}

// TestLifecycleProperties replays random sequences of commands at
// increasing times, each twice in workspaces of its own, and checks what
// must hold whatever responders type: the resolution is the latest move into
// resolved that no reopen followed, the duration stays put once resolved,
// and the same commands make the same incident.
func TestLifecycleProperties(t *testing.T) {
	moves := []string{"investigating", "identified", "monitoring", "resolved", "update", "update", "postmortem"}
	h := newHarness(t, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 2))
		at := start
		lines := []string{"declare Property --at " + at.Format(time.RFC3339)}
		for range 16 {
			at = at.Add(time.Duration(1+rng.IntN(120)) * time.Minute)
			lines = append(lines, fmt.Sprintf("%s INC-1 Step --at %s", moves[rng.IntN(len(moves))], at.Format(time.RFC3339)))
		}
		var replays [2]bot.Incident
		for r := range replays {
			ws := bot.Workspace{Platform: bot.Console, ID: fmt.Sprintf("seed-%d-%d", seed, r)}
			replays[r] = replay(t, h, ws, lines)
		}
		replays[0].Workspace, replays[1].Workspace = bot.Workspace{}, bot.Workspace{}
		if diff := cmp.Diff(replays[0], replays[1]); diff != "" {
			t.Fatalf("seed %d: the same commands made different incidents (-first +second):\n%s", seed, diff)
		}
	}
}

// replay runs lines in ws, checking after each what must hold.
func replay(t *testing.T, h *harness, ws bot.Workspace, lines []string) bot.Incident {
	t.Helper()
	var lastResolve time.Time // the latest move into resolved no reopen followed
	var resolvedFor time.Duration
	var inc bot.Incident
	for _, line := range lines {
		before := inc
		_, err := h.svc.Handle(context.Background(), bot.Request{Workspace: ws, Channel: "C1", Actor: "@tester", Text: line, RequestID: ws.ID + line})
		if err != nil && bot.ErrorCode(err) != bot.ECONFLICT {
			t.Fatalf("%s %q: %v", ws, line, err)
		}
		inc = mustFind(t, h, ws)
		at, _ := time.Parse(time.RFC3339, line[strings.LastIndex(line, " ")+1:])
		switch {
		case err != nil:
		case before.Status != fsm.Resolved && inc.Status == fsm.Resolved:
			lastResolve, resolvedFor = at, at.Sub(inc.DeclaredAt)
		case inc.Status.Open():
			lastResolve = time.Time{}
		}
		if !inc.ResolvedAt.Equal(lastResolve) {
			t.Fatalf("%s: after %q ResolvedAt = %v, want %v", ws, line, inc.ResolvedAt, lastResolve)
		}
		if d := inc.Duration(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)); !inc.Open() && d != resolvedFor {
			t.Fatalf("%s: after %q the duration is %v, want %v as at the resolution", ws, line, d, resolvedFor)
		}
	}
	return inc
}

func mustFind(t *testing.T, h *harness, ws bot.Workspace) bot.Incident {
	t.Helper()
	f, err := h.store.Find(context.Background(), bot.Lookup{Workspace: ws, Number: 1, RequestID: "find"})
	if err != nil || f.Incident == nil {
		t.Fatalf("find INC-1 of %s: %v", ws, err)
	}
	return *f.Incident
}

// TestNoteAfterResolution is the report a note after resolution leaves: the
// incident still lasted 30 minutes.
func TestNoteAfterResolution(t *testing.T) {
	h := newHarness(t, time.Date(2025, 10, 31, 9, 0, 0, 0, time.UTC))
	h.do("declare Checkout fails --impact major --at 2025-10-30T12:00:00Z")
	h.deliver()
	h.channel = "inc-1"
	h.do("resolved Payments work again --at 2025-10-30T12:30:00Z")
	h.do("update Customer comms sent --at 2025-10-30T15:30:00Z")
	report := h.do("show").Text
	if !strings.Contains(report, "lasting 30m.") {
		t.Errorf("the report does not say lasting 30m:\n%s", report)
	}
	golden(t, "report-note-after-resolution.golden", report)

	h.do("postmortem")
	draft := ""
	for _, c := range h.deliver() {
		if c.Message.Kind == bot.MessageDraft {
			draft = c.Message.Text
		}
	}
	for _, want := range []string{"(30m) · Declared", "Time to resolve: 30m"} {
		if !strings.Contains(draft, want) {
			t.Errorf("the postmortem draft lacks %q:\n%s", want, draft)
		}
	}
}

// TestBareNumberStartsAMessage records "update 2 nodes are still down",
// typed in INC-1's channel while INC-2 exists, on INC-1 and whole.
func TestBareNumberStartsAMessage(t *testing.T) {
	h := newHarness(t, start)
	h.do("declare Database down")
	h.deliver()
	h.channel = "inc-1"
	h.do("declare Search slow")
	h.clock.Advance(5 * time.Minute)
	if got, want := h.do("update 2 nodes are still down").Text, "Update added to INC-1 (investigating)."; got != want {
		t.Errorf("reply %q, want %q", got, want)
	}
	if n := len(bottest.MustTimeline(t, h.store, h.ws, 2)); n != 1 {
		t.Errorf("INC-2 has %d entries, want its declaration alone", n)
	}
	golden(t, "report-bare-number.golden", h.do("show").Text)
}

// TestTimesInTheTeamsZone reads --at in Europe/Berlin, as the timeline
// shows it, and refuses wall-clock times the clocks skip or repeat.
func TestTimesInTheTeamsZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, time.Date(2025, 10, 30, 18, 0, 0, 0, time.UTC)) // 19:00 in Berlin
	h.opt.Location = berlin
	h.svc = bot.NewService(h.opt)
	h.do("declare Checkout fails --at 2025-10-30T17:00:00Z")
	if got, want := h.do(`update --at "2025-10-30 18:40" Rolled back`).Text, "Update added to INC-1 (investigating). Recorded as of Oct 30, 2025, 06:40 PM CET."; got != want {
		t.Errorf("reply %q, want %q", got, want)
	}
	if got := bottest.MustTimeline(t, h.store, h.ws, 1)[1].At; !got.Equal(time.Date(2025, 10, 30, 17, 40, 0, 0, time.UTC)) {
		t.Errorf("recorded at %v, want 17:40 UTC", got)
	}
	golden(t, "report-berlin.golden", h.do("show").Text)

	for _, tc := range []struct{ line, want string }{
		{`update --at "2025-03-30 02:30" Late`,
			"--at 2025-03-30 02:30 does not exist in Europe/Berlin: the clocks skip it. Write 2025-03-30T02:30:00+01:00 (Mar 30, 2025, 03:30 AM CEST) or 2025-03-30T02:30:00+02:00 (Mar 30, 2025, 01:30 AM CET)."},
		{`update --at "2025-10-26 02:30" Late`,
			"--at 2025-10-26 02:30 happens twice in Europe/Berlin, as the clocks go back. Write 2025-10-26T02:30:00+02:00 (Oct 26, 2025, 02:30 AM CEST) for the first or 2025-10-26T02:30:00+01:00 (Oct 26, 2025, 02:30 AM CET) for the second."},
		{`update --at "2025-10-30 19:10" Soon`,
			"--at (Oct 30, 2025, 07:10 PM CET) is in the future; it is now Oct 30, 2025, 07:00 PM CET."},
		{`update --at 2025-10-30T18:10:00Z Soon`,
			"--at (Oct 30, 2025, 07:10 PM CET) is in the future; it is now Oct 30, 2025, 07:00 PM CET."},
	} {
		if got := bot.ErrorMessage(h.fail(tc.line)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.line, got, tc.want)
		}
	}
}

// TestDeclarationRepeatsItsTimes says back when a declaration recorded with
// --at and --started took place, in the team's zone.
func TestDeclarationRepeatsItsTimes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, time.Date(2025, 10, 30, 18, 0, 0, 0, time.UTC))
	h.opt.Location = berlin
	h.svc = bot.NewService(h.opt)
	got := h.do(`declare Checkout fails --at "2025-10-30 18:10" --started 2025-10-30T16:55:00Z`).Text
	if want := " Recorded as of Oct 30, 2025, 06:10 PM CET. Impact began Oct 30, 2025, 05:55 PM CET."; !strings.HasSuffix(got, want) {
		t.Errorf("reply %q, want it to end %q", got, want)
	}
}

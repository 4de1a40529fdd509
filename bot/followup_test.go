package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// TestFollowUps: added, listed, done and found across incidents; they
// outlive the incident, and only those who may change it add them.
func TestFollowUps(t *testing.T) {
	h := newHarness(t, at(t, "2025-11-01T09:00:00Z"))
	h.withAccess(&directory{})
	h.do("declare Checkout fails")
	h.do("resolved INC-1 Fixed")
	if got := h.do(`followup INC-1 add "Alert on payment errors" --owner <@U0SAM|sam> --due 2025-11-10`).Text; got != "Follow-up 1 of INC-1: [ ] 1. Alert on payment errors · Owner: @sam · Due: Nov 10, 2025" {
		t.Errorf("add answered %q", got)
	}
	h.do("followup 1 add Write the runbook")
	h.do("declare Search is slow")
	h.do(`followup INC-2 add "Index the orders table" --owner @tester --due 2025-10-30`)
	if got := h.do("followup INC-1 done 2").Text; got != "Follow-up 2 of INC-1 is done: Write the runbook" {
		t.Errorf("done answered %q", got)
	}
	if err := h.fail("followup INC-1 done 2"); code(err) != bot.EINVALID {
		t.Errorf("done twice: %v", err)
	}
	if err := h.fail("followup INC-1 done 7"); code(err) != bot.ENOTFOUND {
		t.Errorf("done of none: %v", err)
	}
	want := "Follow-ups of INC-1:\n[ ] 1. Alert on payment errors · Owner: @sam · Due: Nov 10, 2025\n[x] 2. Write the runbook · Owner: unassigned · Due: no date"
	if got := h.do("followup INC-1 list").Text; got != want {
		t.Errorf("list:\n%s\nwant:\n%s", got, want)
	}
	if got := h.do("followups").Text; !strings.HasPrefix(got, "Open follow-ups (2):") {
		t.Errorf("followups:\n%s", got)
	}
	if got := h.do("followups --mine").Text; !strings.Contains(got, "INC-2 · [ ] 1. Index the orders table") || strings.Contains(got, "Alert") {
		t.Errorf("followups --mine:\n%s", got)
	}
	if got := h.do("followups --overdue").Text; !strings.Contains(got, "Index the orders table") || strings.Contains(got, "Alert") {
		t.Errorf("followups --overdue:\n%s", got)
	}
	if _, err := h.as("U0STRANGER", `followup INC-1 add "Nothing"`); code(err) != bot.EFORBIDDEN {
		t.Errorf("an outsider added a follow-up: %v", err)
	}
}

// TestSeedDraftListsFollowUps: the seed replayed to its resolution, two
// follow-ups added after it, and a promise broken on the way: the draft's
// measures are the follow-ups, and its timeline marks the late update.
func TestSeedDraftListsFollowUps(t *testing.T) {
	h := newHarness(t, at(t, "2026-01-05T09:00:00Z"))
	h.opt.Org = "Customer.io"
	h.svc = bot.NewService(h.opt)
	// The draft comes before publishing: the seed's postmortem is left out.
	h.replaySeed(func(line string) bool { return !strings.HasPrefix(line, "/incident postmortem") })
	h.do(`followup add "Alert when data processing lags by more than 5 minutes" --owner @oncall-lead --due 2025-11-14`)
	h.do(`followup add "Load-test the UI service against a full region's traffic" --owner @platform --due 2025-11-28`)
	h.do("postmortem")
	draft := ""
	for _, c := range h.deliver() {
		if c.Message.Kind == bot.MessageDraft {
			draft = c.Message.Text
		}
	}
	golden(t, "draft-seed-followups.golden", draft)

	// A promise broken: the update after it is marked late.
	h2 := newHarness(t, at(t, "2025-10-30T17:00:00Z"))
	h2.do("declare Checkout fails")
	h2.do("update Rolling back --next 10m")
	h2.clock.Advance(25 * time.Minute)
	h2.do("update Still rolling back")
	h2.do("resolved Fixed")
	h2.do("postmortem INC-1")
	for _, c := range h2.deliver() {
		if c.Message.Kind == bot.MessageDraft && !strings.Contains(c.Message.Text, "Still rolling back (later than the update promised)") {
			t.Errorf("the late update is not marked:\n%s", c.Message.Text)
		}
	}
}

// TestFollowUpOwnerReminded: an owner is reminded once, on the due day at
// the start of the working day, in the incident's channel, even after the
// incident is resolved.
func TestFollowUpOwnerReminded(t *testing.T) {
	h := newHarness(t, at(t, "2025-11-01T10:00:00Z"))
	h.opt.Cadence = map[bot.Impact]time.Duration{bot.ImpactMajor: 30 * time.Minute}
	h.svc = bot.NewService(h.opt)
	h.do("declare Checkout fails --impact major")
	h.do("resolved INC-1 Fixed")
	h.do(`followup INC-1 add "Alert on payment errors" --owner <@U0SAM|sam> --due 2025-11-03`)
	h.do(`followup INC-1 add "Nobody's yet" --due 2025-11-03`)
	h.deliver()
	h.clock.Set(at(t, "2025-11-03T08:59:00Z"))
	if n := h.remind(h.svc); n != 0 {
		t.Errorf("before 09:00 on the due day: %d reminders", n)
	}
	h.clock.Set(at(t, "2025-11-03T09:00:00Z"))
	if n := h.remind(h.svc); n != 1 {
		t.Errorf("at 09:00 on the due day: %d reminders, want 1", n)
	}
	h.clock.Advance(time.Hour)
	if n := h.remind(h.svc); n != 0 {
		t.Errorf("an hour later: %d reminders; an owner is reminded once", n)
	}
	var got []string
	for _, c := range h.deliver() {
		if m := c.Message; m.FollowUp > 0 && m.Mention != "" {
			got = append(got, c.Channel+" "+m.Mention+" "+m.MentionNote+" | "+m.Body())
		}
	}
	if want := "inc-1 U0SAM follow-up 1 of INC-1 is yours and due. | Follow-up 1 of INC-1 is due: Alert on payment errors"; len(got) != 1 || got[0] != want {
		t.Errorf("reminders %q, want %q", got, want)
	}
	if _, err := h.svc.Run(context.Background(), bot.Request{Workspace: h.ws, Channel: "inc-1", Actor: "U0SAM", RequestID: "button"}, bot.FollowUpDoneCommand(1, 1)); err != nil {
		t.Errorf("the done button: %v", err)
	}
	if !h.find(1).FollowUps[0].Done {
		t.Error("the done button did not mark it done")
	}
}

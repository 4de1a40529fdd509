package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// reminders lists the reminder notices delivered so far.
func (h *harness) reminders() []string {
	h.t.Helper()
	var out []string
	for _, c := range h.deliver() {
		if c.Message.Kind == bot.MessageNotice && strings.Contains(c.Message.Text, "No update for") {
			out = append(out, c.Message.Body())
		}
	}
	return out
}

// remind runs a reminder pass of svc and returns how many it queued.
func (h *harness) remind(svc *bot.Service) int {
	h.t.Helper()
	n, err := svc.Remind(context.Background(), h.ws)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func TestReminders(t *testing.T) {
	start := at(t, "2025-10-30T17:25:00Z")
	h := newHarness(t, start)
	h.opt.Cadence = map[bot.Impact]time.Duration{bot.ImpactMajor: 30 * time.Minute}
	h.svc = bot.NewService(h.opt)
	replica := bot.NewService(h.opt) // a second replica on the same Redis

	h.do("declare Checkout fails --impact major")
	h.clock.Advance(29 * time.Minute)
	if n := h.remind(h.svc); n != 0 {
		t.Errorf("after 29 quiet minutes, %d reminders; want none yet", n)
	}
	h.clock.Advance(time.Minute)
	if n := h.remind(h.svc); n != 1 {
		t.Errorf("after 30 quiet minutes, %d reminders; want 1", n)
	}
	if n := h.remind(replica) + h.remind(h.svc); n != 0 {
		t.Errorf("looking again at once queued %d more reminders; want none", n)
	}
	want := "No update for 30m; stakeholders are waiting. Post what you know with /incident update INC-1 <message>, even if it is only that you are still on it."
	if got := h.reminders(); len(got) != 1 || got[0] != want {
		t.Errorf("reminders posted: %q\nwant one: %q", got, want)
	}

	// A role change is no news for stakeholders; an update is.
	h.clock.Advance(10 * time.Minute)
	h.do("assign commander @alex")
	h.clock.Advance(20 * time.Minute)
	if n := h.remind(replica); n != 1 {
		t.Errorf("30 minutes after the last reminder, with only a role change since, %d reminders; want 1", n)
	}
	h.clock.Advance(10 * time.Minute)
	h.do("identified A bad deploy")
	h.clock.Advance(29 * time.Minute)
	if n := h.remind(h.svc); n != 0 {
		t.Errorf("29 minutes after an update, %d reminders; want none", n)
	}

	// A resolved incident is left alone.
	h.do("resolved Checkout works again")
	h.clock.Advance(5 * time.Hour)
	if n := h.remind(h.svc); n != 0 {
		t.Errorf("a resolved incident got %d reminders", n)
	}
	if inc := h.find(1); inc.Entries != 4 {
		t.Errorf("INC-1 has %d timeline entries; reminders must add none", inc.Entries)
	}
}

// TestRemindersCountFromRecording: an incident recorded after the fact (--at
// a day ago) is not reminded about at once.
func TestRemindersCountFromRecording(t *testing.T) {
	h := newHarness(t, at(t, "2025-10-31T12:00:00Z"))
	h.opt.Cadence = map[bot.Impact]time.Duration{bot.ImpactNone: 30 * time.Minute}
	h.svc = bot.NewService(h.opt)
	h.do("declare Recorded late --at 2025-10-30T17:25:00Z")
	if n := h.remind(h.svc); n != 0 {
		t.Errorf("a backdated declaration got %d reminders at once", n)
	}
}

func TestRemindersOff(t *testing.T) {
	h := newHarness(t, at(t, "2025-10-30T17:25:00Z"))
	h.do("declare Nobody wants reminders")
	h.clock.Advance(24 * time.Hour)
	if n := h.remind(h.svc); n != 0 {
		t.Errorf("without a cadence, %d reminders", n)
	}
}

// TestCadence: when reminders fall due, on the fake clock: by impact, with
// the impact changed mid-incident, with a next update promised sooner and
// later than the cadence, with a snooze, and never after a resolve.
func TestCadence(t *testing.T) {
	cadence := map[bot.Impact]time.Duration{bot.ImpactCritical: 15 * time.Minute, bot.ImpactMajor: 30 * time.Minute, bot.ImpactMinor: time.Hour}
	type step struct {
		after time.Duration // on the clock since the step before
		line  string        // a command, or "" to look for reminders
		want  int           // reminders queued by the look
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"Critical", []step{{14 * time.Minute, "", 0}, {time.Minute, "", 1}, {14 * time.Minute, "", 0}, {time.Minute, "", 1}}},
		{"Major", []step{{29 * time.Minute, "", 0}, {time.Minute, "", 1}}},
		{"Minor", []step{{59 * time.Minute, "impact minor", 0}, {0, "", 0}, {time.Minute, "", 1}}},
		{"NoneIsOff", []step{{0, "impact none", 0}, {24 * time.Hour, "", 0}}},
		{"ImpactRaisedMidIncident", []step{{20 * time.Minute, "impact critical", 0}, {0, "", 1}}},
		{"ImpactLoweredMidIncident", []step{{20 * time.Minute, "impact minor", 0}, {10 * time.Minute, "", 0}, {30 * time.Minute, "", 1}}},
		{"PromisedSooner", []step{{0, "update Rolling back --next 10m", 0}, {9 * time.Minute, "", 0}, {time.Minute, "", 1}, {29 * time.Minute, "", 0}, {time.Minute, "", 1}}},
		{"PromisedLater", []step{{0, "update Waiting on the vendor --next 45m", 0}, {30 * time.Minute, "", 0}, {15 * time.Minute, "", 1}}},
		{"Snoozed", []step{{0, "snooze 50m", 0}, {30 * time.Minute, "", 0}, {20 * time.Minute, "", 1}}},
		{"SnoozeEnded", []step{{0, "snooze 50m", 0}, {10 * time.Minute, "snooze off", 0}, {20 * time.Minute, "", 1}}},
		{"SnoozeOutlastsResolve", []step{{0, "snooze 2h", 0}, {time.Minute, "resolved Fixed", 0}, {3 * time.Hour, "", 0}}},
		{"StopsOnResolve", []step{{10 * time.Minute, "resolved Fixed", 0}, {24 * time.Hour, "", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, at(t, "2025-10-30T17:00:00Z"))
			h.opt.Cadence = cadence
			h.svc = bot.NewService(h.opt)
			impact := "major"
			if tc.name == "Critical" {
				impact = "critical"
			}
			h.do("declare Checkout fails --impact " + impact)
			for i, st := range tc.steps {
				h.clock.Advance(st.after)
				if st.line != "" {
					h.do(st.line)
					continue
				}
				if n := h.remind(h.svc); n != st.want {
					t.Errorf("step %d (%s on): %d reminders, want %d", i, st.after, n, st.want)
				}
			}
		})
	}
}

// TestReminderMentionsWhoSpeaks: a reminder mentions the comms lead, else
// the commander, and only them; it says when an update was promised, and
// offers a snooze.
func TestReminderMentionsWhoSpeaks(t *testing.T) {
	h := newHarness(t, at(t, "2025-10-30T17:00:00Z"))
	h.opt.Cadence = map[bot.Impact]time.Duration{bot.ImpactMajor: 30 * time.Minute}
	h.svc = bot.NewService(h.opt)
	h.do("declare Checkout fails --impact major")
	h.do("assign commander <@U0CMD|cmd>")
	h.do("update Looking --next 20m")
	h.clock.Advance(20 * time.Minute)
	h.remind(h.svc)
	h.do("assign comms <@U0COMMS|sam>")
	h.clock.Advance(30 * time.Minute)
	h.remind(h.svc)
	var got []string
	for _, c := range h.deliver() {
		if m := c.Message; m.Snooze {
			got = append(got, m.Mention+" "+m.MentionNote+" | "+m.Body())
		}
	}
	want := []string{
		"U0CMD stakeholders are waiting for an update on INC-1. | The next update was promised by 17:20 UTC. No update for 20m; stakeholders are waiting. Post what you know with /incident update INC-1 <message>, even if it is only that you are still on it.",
		"U0COMMS stakeholders are waiting for an update on INC-1. | No update for 30m; stakeholders are waiting. Post what you know with /incident update INC-1 <message>, even if it is only that you are still on it.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reminders:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNextUpdatePromised: --next shows stakeholders when they will hear
// again, in the broadcast message and the report.
func TestNextUpdatePromised(t *testing.T) {
	h := newHarness(t, at(t, "2025-10-30T18:35:00Z"))
	h.do("declare Checkout fails --impact major")
	if got := h.do("update Rolling back the deploy --next 20m").Text; got != "Update added to INC-1 (investigating). Stakeholders expect the next update by 18:55 UTC." {
		t.Errorf("update --next answered %q", got)
	}
	if report := h.do("show").Text; !strings.Contains(report, "\nNext update by 18:55 UTC\n") {
		t.Errorf("the report does not say when the next update comes:\n%s", report)
	}
	h.do("impact critical") // a later change's summary still carries the promise
	var summary string
	for _, c := range h.deliver() {
		if c.Op == "edit" {
			summary = c.Message.Text
		}
	}
	if !strings.Contains(summary, "Next update by 18:55 UTC") {
		t.Errorf("the broadcast message does not say when the next update comes:\n%s", summary)
	}
}

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
	h.opt.RemindAfter = 30 * time.Minute
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
	h.opt.RemindAfter = 30 * time.Minute
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
		t.Errorf("with RemindAfter 0, %d reminders", n)
	}
}

package bot_test

import (
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
)

// TestPrivateIncident: a private incident gets a private channel, reaches no
// stakeholder, and elsewhere is as if it did not exist, title and all.
func TestPrivateIncident(t *testing.T) {
	h := newHarness(t, start)
	h.withAccess(&directory{private: map[string]bool{"C-HR": true}})
	h.channel = "C-HR" // a private channel makes a private incident
	if _, err := h.as("U0LEAD", "declare Salary data exposed"); err != nil {
		t.Fatal(err)
	}
	h.channel = "C1"
	h.do("declare Checkout fails --private")
	h.do("declare Search is slow")
	if err := h.fail("update INC-1 From elsewhere"); code(err) != bot.ENOTFOUND || strings.Contains(bot.ErrorMessage(err), "Salary") {
		t.Errorf("a private incident from another channel: %v, want ENOTFOUND without its title", err)
	}
	for _, inc := range []int{1, 2} {
		if !h.find(inc).Private {
			t.Errorf("INC-%d is not private", inc)
		}
	}
	calls := h.deliver()
	for _, c := range calls {
		if c.Channel == "C-BROADCAST" && c.Message.Card.Number != 3 {
			t.Errorf("a private incident reached the stakeholders: %+v", c)
		}
		if c.Op == "open" && c.Message.Card.Private != (c.Message.Card.Number != 3) {
			t.Errorf("INC-%d opened with private=%v", c.Message.Card.Number, c.Message.Card.Private)
		}
	}

	list := h.do("list --all").Text
	if strings.Contains(list, "INC-1") || strings.Contains(list, "Salary") || strings.Contains(list, "Checkout") || !strings.Contains(list, "INC-3") {
		t.Errorf("list elsewhere shows a private incident, or not the public one:\n%s", list)
	}
	if err := h.fail("show INC-2"); code(err) != bot.ENOTFOUND {
		t.Errorf("show of a private incident elsewhere: %v, want ENOTFOUND", err)
	}

	// In its own channel it is there as usual, and assigning someone brings
	// them in.
	h.channel = "inc-2"
	if report := h.do("show").Text; !strings.Contains(report, "Checkout fails") {
		t.Errorf("show in its own channel:\n%s", report)
	}
	h.do("assign comms <@U0SAM|sam>")
	var invited []string
	for _, c := range h.deliver() {
		if c.Op == "invite" {
			invited = append(invited, c.Channel+" "+c.Ref)
		}
	}
	if strings.Join(invited, ",") != "inc-2 U0SAM" {
		t.Errorf("invitations %v, want U0SAM into inc-2", invited)
	}

	// Made public it is recorded, and stakeholders get it from then on;
	// once broadcast it cannot be made private again.
	if got := h.do("visibility public").Text; got != "INC-2 is now public (was private)." {
		t.Errorf("visibility public replied %q", got)
	}
	broadcast := false
	for _, c := range h.deliver() {
		broadcast = broadcast || c.Channel == "C-BROADCAST" && c.Message.Card.Number == 2
	}
	if !broadcast {
		t.Error("INC-2 made public never reached the stakeholders")
	}
	if err := h.fail("visibility private"); code(err) != bot.ECONFLICT {
		t.Errorf("private after a broadcast: %v, want ECONFLICT", err)
	}
	h.channel = "C1"
	if list := h.do("list").Text; !strings.Contains(list, "INC-2") {
		t.Errorf("a public incident is not listed:\n%s", list)
	}
}

package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

func (h *harness) submit(sub bot.Submission) (bot.Reply, error) {
	return h.svc.Submit(context.Background(), bot.Request{Workspace: h.ws, Channel: h.channel, Actor: "@tester", RequestID: bottest.RequestID()}, sub)
}

func TestFormsRunTheirCommands(t *testing.T) {
	h := newHarness(t, start)
	r := h.do("declare")
	if r.Form == nil || r.Form.Kind != bot.FormDeclare || !strings.HasPrefix(r.Text, "Give the incident a title") {
		t.Fatalf("a bare declare answered %+v, want the declare form", r)
	}
	if h.snapshot() != "" {
		t.Fatalf("a bare declare wrote something: %s", h.snapshot())
	}
	r, err := h.submit(bot.Submission{Kind: bot.FormDeclare, Values: map[string]string{
		"title": "  Search   is slow ", "impact": "minor", "components": "Search, API", "message": "Queries take 10 s.", "internal": "true",
	}})
	if err != nil || r.Incident != 1 {
		t.Fatalf("declare form: %+v, %v", r, err)
	}
	inc := h.find(1)
	if inc.Title != "Search is slow" || inc.Impact != bot.ImpactMinor || strings.Join(inc.Components, ",") != "Search,API" || !inc.Internal {
		t.Errorf("declared from the form: %+v", inc)
	}
	card := bot.Card{Ref: "INC-1", Number: 1, Status: fsm.Investigating}
	form := bot.UpdateForm(card, fsm.Identified)
	if form.Title != "INC-1: identified" || form.Fields[0].ID != "message" {
		t.Errorf("update form: %+v", form)
	}
	if _, err := h.submit(bot.Submission{Kind: bot.FormUpdate, Incident: 1, Status: fsm.Identified, Values: map[string]string{"message": "An index was dropped."}}); err != nil {
		t.Fatal(err)
	}
	h.do("resolved INC-1 Index rebuilt")
	r = h.do("postmortem INC-1")
	if r.Form == nil || r.Form.Kind != bot.FormPostmortem || len(r.Form.Fields) != 4 || !strings.HasPrefix(r.Form.Fields[0].Value, "Acme experienced a minor incident") {
		t.Fatalf("postmortem without a body answered %+v, want the form with the summary filled in", r)
	}
	if _, err := h.submit(bot.Submission{Kind: bot.FormPostmortem, Incident: 1, Values: map[string]string{
		"summary": "Search was slow.", "root_cause": "An index\nwas dropped.", "resolution": "", "measures": "Alert on missing indexes.",
	}}); err != nil {
		t.Fatal(err)
	}
	entries := bottest.MustTimeline(t, h.store, h.ws, 1)
	last := entries[len(entries)-1]
	want := "# **Incident Summary** Search was slow. # **Root Cause** An index was dropped. # **Corrective and Preventative Measures** Alert on missing indexes."
	if last.Status != fsm.Postmortem || last.Message != want {
		t.Errorf("published postmortem %s %q, want %q", last.Status, last.Message, want)
	}
}

func TestFormErrors(t *testing.T) {
	h := newHarness(t, start)
	h.do("declare A")
	for _, tc := range []struct {
		name string
		sub  bot.Submission
		want string
	}{
		{"BadImpact", bot.Submission{Kind: bot.FormDeclare, Values: map[string]string{"title": "T", "impact": "huge"}}, `The impact must be none, minor, major or critical, not "huge".`},
		{"NoTitle", bot.Submission{Kind: bot.FormDeclare, Values: map[string]string{"title": " "}}, "Give the incident a title."},
		{"LongTitle", bot.Submission{Kind: bot.FormDeclare, Values: map[string]string{"title": strings.Repeat("t", 151)}}, "The title is 151 characters long; the limit is 150. Keep it short and put details in --message."},
		{"EmptyUpdate", bot.Submission{Kind: bot.FormUpdate, Incident: 1, Status: fsm.Identified}, "Write the update for the timeline."},
		{"LongUpdate", bot.Submission{Kind: bot.FormUpdate, Incident: 1, Status: fsm.Identified, Values: map[string]string{"message": strings.Repeat("m", 3001)}}, "The message is 3001 characters long; the limit is 3000. Split it into several updates."},
		{"EmptyPostmortem", bot.Submission{Kind: bot.FormPostmortem, Incident: 1}, "Write at least the incident summary."},
		{"NoIncident", bot.Submission{Kind: bot.FormUpdate, Status: fsm.Identified, Values: map[string]string{"message": "x"}}, "This form names no incident; run the command again."},
		{"UnknownKind", bot.Submission{Kind: "escalate"}, "This form is no longer known; run the command again."},
		{"RefusedMove", bot.Submission{Kind: bot.FormPostmortem, Incident: 1, Values: map[string]string{"summary": "early"}}, "INC-1 is investigating. From investigating you can: identified, monitoring, resolved."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.submit(tc.sub)
			if got := bot.ErrorMessage(err); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

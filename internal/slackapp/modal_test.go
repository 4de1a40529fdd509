package slackapp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

// submit sends the submission of the last modal opened, with values by
// input ID, over HTTP, and returns Slack's answer body.
func (r *rig) submit(values map[string]string) string {
	r.t.Helper()
	views := r.fake.Views()
	if len(views) == 0 {
		r.t.Fatal("no modal was opened")
	}
	opened := views[len(views)-1]
	state := map[string]map[string]slack.BlockAction{}
	for id, v := range values {
		state[id] = map[string]slack.BlockAction{id: {Value: v}}
		switch id {
		case "impact":
			state[id] = map[string]slack.BlockAction{id: {SelectedOption: slack.OptionBlockObject{Value: v}}}
		case "private": // a checkbox: ticked is its one option selected
			state[id] = map[string]slack.BlockAction{id: {SelectedOptions: []slack.OptionBlockObject{{Value: v}}}}
		}
	}
	cb := slack.InteractionCallback{
		Type: slack.InteractionTypeViewSubmission, Team: slack.Team{ID: chattest.SlackTeamID}, User: slack.User{ID: "U0ALEX"},
		View: slack.View{ID: opened.ID, CallbackID: opened.View.CallbackID, PrivateMetadata: opened.View.PrivateMetadata,
			Blocks: opened.View.Blocks, State: &slack.ViewState{Values: state}},
	}
	return r.interaction(cb)
}

// interaction posts an interaction payload, signed, and returns the answer.
func (r *rig) interaction(cb slack.InteractionCallback) string {
	r.t.Helper()
	raw, err := json.Marshal(cb)
	if err != nil {
		r.t.Fatal(err)
	}
	resp := r.signed("/slack/interactions", url.Values{"payload": {string(raw)}}.Encode(), time.Now())
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("interaction: HTTP %d", resp.StatusCode)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

func TestDeclareFormAndButtons(t *testing.T) {
	r := newRig(t)
	if got := r.command(general, "declare"); got != "" {
		t.Errorf("a bare declare answered %q; it should open the form and say nothing", got)
	}
	views := r.fake.Views()
	if len(views) != 1 || views[0].TriggerID != "trigger-1" || views[0].View.Title.Text != "Declare an incident" {
		t.Fatalf("views opened: %+v", views)
	}
	if got := r.submit(map[string]string{"title": "Search is slow", "impact": "minor", "components": "Search", "message": "Queries take 10 s."}); got != "" {
		t.Fatalf("submitting the declare form answered %q", got)
	}
	r.settle()
	ch := r.incidentChannel()
	if ch.Name != "inc-1-search-is-slow" {
		t.Fatalf("channel %+v", ch)
	}

	// The incident channel's first post carries the buttons of the next moves.
	first := plain(r.fake.Messages(ch.ID)[0].Attachments)
	for _, want := range []string{`"Identified"`, `"Monitoring"`, `"Resolved"`, `"Add update"`, `"1:investigating:identified"`} {
		if !strings.Contains(first, want) {
			t.Errorf("the post lacks %s:\n%s", want, first)
		}
	}
	if strings.Contains(plain(r.fake.Messages(broadcast)[0].Attachments), "incidentbot_move") {
		t.Error("the broadcast channel shows buttons: stakeholders do not drive the incident")
	}
	r.interaction(slack.InteractionCallback{
		Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: chattest.SlackTeamID}, User: slack.User{ID: "U0ALEX"},
		Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: ch.ID}}}, TriggerID: "trigger-button",
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: "incidentbot_move", Value: "1:investigating:identified"}}},
	})
	views = r.fake.Views()
	if len(views) != 2 || views[1].View.Title.Text != "INC-1: identified" {
		t.Fatalf("a move button opened %+v", views)
	}
	if got := r.submit(map[string]string{"message": "An index was dropped."}); got != "" {
		t.Fatalf("submitting the update answered %q", got)
	}
	if got := r.command(ch.ID, "show"); !strings.Contains(got, "- identified ") || !strings.Contains(got, "An index was dropped.") {
		t.Errorf("the report does not hold the update from the form:\n%s", got)
	}
}

// TestDeclareFormPrivate: the declare form's checkbox makes the incident
// private: a private channel, nothing broadcast.
func TestDeclareFormPrivate(t *testing.T) {
	r := newRig(t)
	r.command(general, "declare")
	var box *slack.CheckboxGroupsBlockElement
	for _, b := range r.fake.Views()[0].View.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID == "private" {
			box, _ = in.Element.(*slack.CheckboxGroupsBlockElement)
		}
	}
	if box == nil || len(box.Options) != 1 || box.Options[0].Value != "true" {
		t.Fatalf("the declare form has no private checkbox: %+v", r.fake.Views()[0].View.Blocks.BlockSet)
	}
	if got := r.submit(map[string]string{"title": "Salary data exposed", "private": "true"}); got != "" {
		t.Fatalf("submitting answered %q", got)
	}
	r.settle()
	if ch := r.incidentChannel(); !ch.Private {
		t.Errorf("channel %+v is not private", ch)
	}
	if n := len(r.fake.Messages(broadcast)); n != 0 {
		t.Errorf("%d posts reached the stakeholders", n)
	}
}

func TestPostmortemForm(t *testing.T) {
	r := newRig(t)
	r.command(general, "declare Search is slow")
	r.command(general, "resolved INC-1 Index rebuilt")
	r.command(general, "postmortem INC-1")
	views := r.fake.Views()
	if len(views) != 1 || views[0].View.Title.Text != "INC-1: postmortem" || len(views[0].View.Blocks.BlockSet) != 4 {
		t.Fatalf("postmortem form: %+v", views)
	}
	// An empty summary keeps the form open with the reason under it.
	if got := r.submit(map[string]string{"summary": " "}); !strings.Contains(got, `"response_action":"errors"`) || !strings.Contains(got, "summary") {
		t.Errorf("an empty postmortem answered %q", got)
	}
	if got := r.submit(map[string]string{"summary": "Search was slow.", "root_cause": "A dropped index."}); got != "" {
		t.Fatalf("publishing answered %q", got)
	}
	if got := r.command(general, "show INC-1"); !strings.Contains(got, "# **Incident Summary** Search was slow. # **Root Cause** A dropped index.") {
		t.Errorf("the report does not end with the published postmortem:\n%s", got)
	}
}

// TestSnoozeButton: the button on a reminder puts the incident's reminders
// off, and says so in its channel.
func TestSnoozeButton(t *testing.T) {
	r := newRig(t)
	r.command(general, "declare Search is slow")
	r.settle()
	ch := r.incidentChannel()
	r.interaction(slack.InteractionCallback{
		Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: chattest.SlackTeamID}, User: slack.User{ID: "U0ALEX"},
		Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: ch.ID}}}, TriggerID: "trigger-snooze",
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: "incidentbot_snooze", Value: "1"}}},
	})
	inc := bottest.MustFind(t, r.store, workspace, 1)
	if inc.SnoozedUntil.IsZero() {
		t.Fatal("the snooze button did not snooze INC-1")
	}
	r.settle()
	msgs := r.fake.Messages(ch.ID)
	if last := msgs[len(msgs)-1]; !strings.Contains(plain(last.Attachments), "reminders are snoozed until") {
		t.Errorf("the channel was not told: %s", plain(last.Attachments))
	}
}

// TestFollowUpDoneButton: the button on a follow-up marks it done.
func TestFollowUpDoneButton(t *testing.T) {
	r := newRig(t)
	r.command(general, "declare Search is slow")
	r.command(general, `followup INC-1 add "Add an index"`)
	r.settle()
	ch := r.incidentChannel()
	msgs := r.fake.Messages(ch.ID)
	if last := plain(msgs[len(msgs)-1].Attachments); !strings.Contains(last, `"incidentbot_followup_done"`) || !strings.Contains(last, `"1:1"`) {
		t.Fatalf("the follow-up's post has no done button:\n%s", last)
	}
	r.interaction(slack.InteractionCallback{
		Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: chattest.SlackTeamID}, User: slack.User{ID: "U0ALEX"},
		Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: ch.ID}}}, TriggerID: "trigger-done",
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: "incidentbot_followup_done", Value: "1:1"}}},
	})
	if inc := bottest.MustFind(t, r.store, workspace, 1); len(inc.FollowUps) != 1 || !inc.FollowUps[0].Done {
		t.Errorf("the done button left %+v", inc.FollowUps)
	}
}

// TestReminderMentionsCommsLead: a quiet incident's reminder reaches Slack
// with its comms lead mentioned, and no one else, and a snooze button.
func TestReminderMentionsCommsLead(t *testing.T) {
	r := newRigWith(t, map[bot.Impact]time.Duration{bot.ImpactNone: time.Second})
	r.command(general, "declare Search is slow")
	r.command(general, "assign INC-1 comms <@U0SAM|sam>")
	r.settle()
	ch := r.incidentChannel()
	var reminder string
	bottest.Eventually(t, 20*time.Second, "a reminder in the incident channel", func() bool {
		for _, m := range r.fake.Messages(ch.ID) {
			if a := plain(m.Attachments); strings.Contains(a, "No update for") {
				reminder = a
			}
		}
		return reminder != ""
	})
	if !strings.Contains(reminder, "<@U0SAM> stakeholders are waiting") || strings.Contains(reminder, "<@U0ALEX>") || !strings.Contains(reminder, `"incidentbot_snooze"`) {
		t.Errorf("the reminder does not mention the comms lead alone, with a snooze button:\n%s", reminder)
	}
}

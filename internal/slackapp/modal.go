package slackapp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
)

const (
	// actionMove is the action of the buttons under an incident's posts.
	actionMove = "incidentbot_move"
	// actionSnooze is the action of the snooze button on a reminder.
	actionSnooze = "incidentbot_snooze"
	// actionFollowUpDone marks a follow-up done: "<number>:<n>".
	actionFollowUpDone = "incidentbot_followup_done"
	// callbackForm names the modals incidentbot opens.
	callbackForm = "incidentbot_form"
	// titleLimit is Slack's limit on a modal's title.
	titleLimit = 24
)

// moveValue is what a move button carries: "<number>:<from>:<to>".
func moveValue(c bot.Card, to fsm.Status) string {
	return fmt.Sprintf("%d:%s:%s", c.Number, c.Status, to)
}

// parseMoveValue reads a move button's value back into the card it needs and
// the status it moves to.
func parseMoveValue(v string) (bot.Card, fsm.Status, bool) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return bot.Card{}, "", false
	}
	n, err := strconv.Atoi(parts[0])
	from, to := fsm.Status(parts[1]), fsm.Status(parts[2])
	if err != nil || n <= 0 || !from.Valid() || !to.Valid() {
		return bot.Card{}, "", false
	}
	return bot.Card{Ref: bot.FormatRef(n), Number: n, Status: from}, to, true
}

// formMeta rides along in a modal's private_metadata: what the form is about
// and where it was opened, since the submission comes back without either.
type formMeta struct {
	Kind     bot.FormKind `json:"k"`
	Incident int          `json:"n,omitempty"`
	Status   fsm.Status   `json:"s,omitempty"`
	Channel  string       `json:"c,omitempty"`
}

// modal lays out a form as a Slack modal.
func modal(f *bot.Form, channel string) slack.ModalViewRequest {
	meta, _ := json.Marshal(formMeta{Kind: f.Kind, Incident: f.Incident, Status: f.Status, Channel: channel})
	plain := func(s string) *slack.TextBlockObject {
		if s == "" {
			return nil
		}
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	var blocks []slack.Block
	for _, field := range f.Fields {
		var el slack.BlockElement
		switch {
		case field.Checkbox:
			el = slack.NewCheckboxGroupsBlockElement(field.ID, slack.NewOptionBlockObject("true", plain("Yes"), nil))
		case len(field.Choices) > 0:
			var opts []*slack.OptionBlockObject
			var initial *slack.OptionBlockObject
			for _, c := range field.Choices {
				o := slack.NewOptionBlockObject(c, plain(c), nil)
				opts = append(opts, o)
				if c == field.Value {
					initial = o
				}
			}
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(field.Label), field.ID, opts...)
			sel.InitialOption = initial
			el = sel
		default:
			in := slack.NewPlainTextInputBlockElement(plain(field.Placeholder), field.ID)
			in.Multiline, in.InitialValue, in.MaxLength = field.Multiline, field.Value, min(field.MaxLength, 3000)
			el = in
		}
		input := slack.NewInputBlock(field.ID, plain(field.Label), nil, el)
		input.Optional = field.Optional
		blocks = append(blocks, input)
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackForm,
		Title:           plain(bot.Clip(f.Title, titleLimit)),
		Submit:          plain(f.Submit),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// submission reads a submitted modal back into a bot.Submission and the
// channel it was opened from.
func submission(view slack.View) (bot.Submission, string, error) {
	var meta formMeta
	if err := json.Unmarshal([]byte(view.PrivateMetadata), &meta); err != nil {
		return bot.Submission{}, "", fmt.Errorf("slackapp: modal metadata: %w", err)
	}
	values := map[string]string{}
	if view.State != nil {
		for blockID, actions := range view.State.Values {
			for _, a := range actions {
				v := a.Value
				if a.SelectedOption.Value != "" {
					v = a.SelectedOption.Value
				}
				for _, o := range a.SelectedOptions {
					v = o.Value // a ticked checkbox: "true"
				}
				values[blockID] = v
			}
		}
	}
	return bot.Submission{Kind: meta.Kind, Incident: meta.Incident, Status: meta.Status, Values: values}, meta.Channel, nil
}

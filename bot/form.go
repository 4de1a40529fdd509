package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot/fsm"
)

// FormKind names a form a door can show: a modal on Slack and Discord.
type FormKind string

// The forms of incidentbot.
const (
	FormDeclare    FormKind = "declare"
	FormUpdate     FormKind = "update"
	FormPostmortem FormKind = "postmortem"
)

// Form asks a responder for the words of a command. A door that can show
// forms opens it; a door that cannot (the console) shows the reply's text.
type Form struct {
	Kind     FormKind   `json:"kind"`
	Incident int        `json:"incident,omitempty"`
	Status   fsm.Status `json:"status,omitempty"` // FormUpdate: the status it moves to
	Title    string     `json:"title"`
	Submit   string     `json:"submit"`
	Fields   []Field    `json:"fields"`
}

// Field is one input of a form.
type Field struct {
	ID          string   `json:"id"`
	Label       string   `json:"label"`
	Value       string   `json:"value,omitempty"`
	Placeholder string   `json:"placeholder,omitempty"`
	Multiline   bool     `json:"multiline,omitempty"`
	Optional    bool     `json:"optional,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	// Checkbox makes the field a yes-or-no question: a checkbox where the
	// door has them, whose value is "true" when ticked; elsewhere an input
	// that takes yes or no.
	Checkbox  bool `json:"checkbox,omitempty"`
	MaxLength int  `json:"max_length"`
}

// postmortemSections are the sections a published postmortem is made of, as
// the seed incident's readers saw them.
var postmortemSections = []struct{ id, heading string }{
	{"summary", "Incident Summary"},
	{"root_cause", "Root Cause"},
	{"resolution", "Resolution and Recovery"},
	{"measures", "Corrective and Preventative Measures"},
}

// DeclareForm asks for everything a declaration takes.
func DeclareForm() *Form {
	impacts := []string{string(ImpactNone), string(ImpactMinor), string(ImpactMajor), string(ImpactCritical)}
	return &Form{Kind: FormDeclare, Title: "Declare an incident", Submit: "Declare", Fields: []Field{
		{ID: "title", Label: "Title", Placeholder: "Checkout fails for EU customers", MaxLength: MaxTitle},
		{ID: "impact", Label: "Impact", Value: string(ImpactNone), Choices: impacts, Optional: true},
		{ID: "components", Label: "Affected components", Placeholder: "Payments, API", Optional: true, MaxLength: MaxComponents * (MaxComponentName + 2)},
		{ID: "message", Label: "First update", Placeholder: defaultFirstUpdate, Multiline: true, Optional: true, MaxLength: MaxMessage},
		{ID: "private", Label: "Private (its own channel, never broadcast)", Checkbox: true, Optional: true, MaxLength: 3},
		{ID: "internal", Label: "Internal (kept off the public status page)", Checkbox: true, Optional: true, MaxLength: 3},
	}}
}

// UpdateForm asks for the message of a move of incident number to status, or
// of an update when status is the one it has.
func UpdateForm(card Card, to fsm.Status) *Form {
	title := fmt.Sprintf("%s: %s", card.Ref, to)
	if to == card.Status {
		title = card.Ref + ": update"
	}
	fields := []Field{{ID: "message", Label: "Update for the timeline", Placeholder: examples[Name(to)], Multiline: true, MaxLength: MaxMessage}}
	if to != fsm.Resolved && to != fsm.Postmortem {
		fields = append(fields, Field{ID: "next", Label: "Next update in (20m, 1h)", Placeholder: "20m", Optional: true, MaxLength: 10})
	}
	return &Form{Kind: FormUpdate, Incident: card.Number, Status: to, Title: title, Submit: "Post", Fields: fields}
}

// postmortemForm asks for the sections of a postmortem, the summary filled in.
func postmortemForm(inc *Incident, summary string) *Form {
	f := &Form{Kind: FormPostmortem, Incident: inc.Number, Title: inc.Ref() + ": postmortem", Submit: "Publish"}
	for _, s := range postmortemSections {
		field := Field{ID: s.id, Label: s.heading, Multiline: true, Optional: s.id != "summary", MaxLength: MaxMessage}
		if s.id == "summary" {
			field.Value = summary
		}
		f.Fields = append(f.Fields, field)
	}
	return f
}

// postmortemBody joins the sections of a submitted postmortem form the way
// the seed's postmortem reads: "# **Incident Summary** ... # **Root Cause** ...".
func postmortemBody(values map[string]string) string {
	var parts []string
	for _, s := range postmortemSections {
		if v := strings.Join(strings.Fields(values[s.id]), " "); v != "" {
			parts = append(parts, fmt.Sprintf("# **%s** %s", s.heading, v))
		}
	}
	return strings.Join(parts, " ")
}

// Submission is a filled-in form coming back from a door.
type Submission struct {
	Kind     FormKind
	Incident int
	Status   fsm.Status
	Values   map[string]string // by Field.ID
}

// Submit runs the command a submitted form stands for, with the same checks
// and the same single atomic write as the typed command.
func (s *Service) Submit(ctx context.Context, req Request, sub Submission) (Reply, error) {
	cmd, err := sub.command()
	if err != nil {
		return Reply{}, err
	}
	return s.Run(ctx, req, cmd)
}

// yes reads a checkbox field: ticked, or typed as yes or no.
func yes(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "no", "n", "false", "public":
		return false, nil
	case "yes", "y", "true", "private":
		return true, nil
	}
	return false, Errorf(EINVALID, "A yes-or-no field takes yes or no, not %q.", clip(v, 20))
}

// command turns a submission into the command it stands for.
func (sub Submission) command() (Command, error) {
	v := func(id string) string { return strings.TrimSpace(sub.Values[id]) }
	var cmd Command
	switch sub.Kind {
	case FormDeclare:
		title, err := checkTitle(v("title"))
		if err != nil {
			return cmd, err
		}
		if title == "" {
			return cmd, Errorf(EINVALID, "Give the incident a title.")
		}
		cmd = Command{Name: CmdDeclare, Text: title, Message: v("message"), Impact: ImpactNone}
		if v("impact") != "" {
			im, ok := ParseImpact(v("impact"))
			if !ok {
				return cmd, Errorf(EINVALID, "The impact must be none, minor, major or critical, not %q.", clip(v("impact"), 30))
			}
			cmd.Impact = im
		}
		if cmd.Message, err = checkFirstUpdate(cmd.Message); err != nil {
			return cmd, err
		}
		list, set, e := splitComponents(v("components"))
		if e != nil {
			return cmd, e
		}
		cmd.Components, cmd.ComponentStatus, cmd.HasComponents = list, set, len(list) > 0
		if cmd.Private, err = yes(v("private")); err != nil {
			return cmd, err
		}
		if cmd.Internal, err = yes(v("internal")); err != nil {
			return cmd, err
		}
	case FormUpdate:
		cmd = Command{Name: Name(sub.Status), Ref: sub.Incident, Text: v("message")}
		if _, ok := cmd.Status(); !ok {
			cmd.Name = CmdUpdate
		}
		if cmd.Text == "" {
			return cmd, Errorf(EINVALID, "Write the update for the timeline.")
		}
		if v("next") != "" {
			d, err := parseWait(v("next"))
			if err != nil {
				return cmd, Errorf(EINVALID, "Next update in %s", err.Error())
			}
			cmd.Next = d
		}
	case FormPostmortem:
		cmd = Command{Name: CmdPostmortem, Ref: sub.Incident, Text: postmortemBody(sub.Values)}
		if cmd.Text == "" {
			return cmd, Errorf(EINVALID, "Write at least the incident summary.")
		}
	default:
		return cmd, Errorf(EINVALID, "This form is no longer known; run the command again.")
	}
	if sub.Incident == 0 && sub.Kind != FormDeclare {
		return cmd, Errorf(EINVALID, "This form names no incident; run the command again.")
	}
	var err error
	cmd.Text, err = checkMessage(cmd.Name, cmd.Text)
	return cmd, err
}

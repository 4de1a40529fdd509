package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// MessageKind tells a door what a Message is, so it can choose its layout.
type MessageKind string

// The kinds of posts incidentbot makes.
const (
	// MessageEntry is a timeline entry: in the incident channel, and threaded
	// under the broadcast root.
	MessageEntry MessageKind = "entry"
	// MessageSummary is the broadcast root: one per incident, edited in place.
	MessageSummary MessageKind = "summary"
	// MessageNotice tells the incident channel that impact, components or a
	// role changed.
	MessageNotice MessageKind = "notice"
	// MessageDraft is a pre-filled postmortem for responders to edit.
	MessageDraft MessageKind = "draft"
)

// Card is the incident as it stood when a message was made: what every post
// shows around its text.
type Card struct {
	Ref        string          `json:"ref"`
	Number     int             `json:"number"`
	Title      string          `json:"title"`
	Status     fsm.Status      `json:"status"`
	Impact     Impact          `json:"impact"`
	Components []string        `json:"components,omitempty"`
	Roles      map[Role]string `json:"roles,omitempty"`
	// Duration is how long the incident had lasted at the time of the
	// message: "Duration so far".
	Duration time.Duration `json:"duration"`
	// Next lists the moves the lifecycle offers from Status, for buttons.
	Next []fsm.Move `json:"next,omitempty"`
	// Private incidents get a private channel or thread.
	Private bool `json:"private,omitempty"`
	// Names holds how the platform names the people in Roles; see Person.
	Names map[string]string `json:"names,omitempty"`
	// NextUpdate is when stakeholders were promised the next update, as
	// they read it ("18:55 UTC"), while it is still to come.
	NextUpdate string `json:"next_update,omitempty"`
}

// Person names a user reference for plain text, as Incident.Person does:
// never a mention, so showing a role holder pings no one.
func (c Card) Person(ref string) string { return person(c.Names, ref) }

// person names ref as names knows it ("@alex"), else as UserText writes it.
func person(names map[string]string, ref string) string {
	if n := names[ref]; n != "" {
		return "@" + n
	}
	return UserText(ref)
}

// Message is one post, free of any platform's markup. Doors render it as Block
// Kit, an embed or a terminal line; Text is the plain-text rendering they use
// as a fallback, with times already in the configured zone.
type Message struct {
	Kind  MessageKind `json:"kind"`
	Card  Card        `json:"card"`
	Entry *Entry      `json:"entry,omitempty"`
	// When is the entry's time as the timeline shows it, in the configured zone.
	When string `json:"when,omitempty"`
	Text string `json:"text"`
	// Moved marks the entry that opened the incident or changed its status:
	// doors refresh what shows the status (a channel topic, a thread name).
	Moved bool `json:"moved,omitempty"`
	// Mention is a user the message means to notify (someone just given a
	// role): the one deliberate ping. All other user text pings no one.
	Mention string `json:"mention,omitempty"`
	// MentionNote is what the mention tells its person: "you have a new
	// role on INC-8.", "stakeholders are waiting for an update on INC-8.".
	MentionNote string `json:"mention_note,omitempty"`
	// Snooze offers a button that puts the incident's reminders off.
	Snooze bool `json:"snooze,omitempty"`
	// FollowUp, when set, offers a button that marks that follow-up of the
	// incident done.
	FollowUp int `json:"followup,omitempty"`
}

// Body is the plain text of a message without its heading line: what a door
// that shows the heading apart puts under it.
func (m Message) Body() string {
	if _, rest, ok := strings.Cut(m.Text, "\n"); ok {
		return rest
	}
	return m.Text
}

// Heading is the first line of every post: "INC-12 · Identified · <title>".
func (c Card) Heading() string {
	return fmt.Sprintf("%s · %s · %s", c.Ref, c.Status.Title(), c.Title)
}

// Facts is the line of fields under a summary: impact, components, commander
// and duration so far.
func (c Card) Facts() string {
	comps := "none named"
	if len(c.Components) > 0 {
		comps = strings.Join(c.Components, ", ")
	}
	commander := "unassigned"
	if u := c.Roles[Commander]; u != "" {
		commander = c.Person(u)
	}
	facts := fmt.Sprintf("Impact: %s · Components: %s · Commander: %s · Duration so far: %s",
		c.Impact, comps, commander, FormatDuration(c.Duration))
	if c.NextUpdate != "" {
		facts += " · Next update by " + c.NextUpdate
	}
	return facts
}

// UserText writes a user reference for plain text: "@alex" stays as it is, a
// platform ID becomes "@U123".
func UserText(ref string) string {
	if strings.HasPrefix(ref, "@") {
		return ref
	}
	return "@" + ref
}

// newCard takes the card of inc as it stood at asOf.
func newCard(inc *Incident, asOf time.Time) Card {
	return Card{
		Ref:        inc.Ref(),
		Number:     inc.Number,
		Title:      inc.Title,
		Status:     inc.Status,
		Impact:     inc.Impact,
		Components: inc.Components,
		Roles:      inc.Roles,
		Duration:   inc.Duration(asOf),
		Next:       fsm.Allowed(inc.Status),
		Private:    inc.Private,
		Names:      inc.Names,
	}
}

// entryMessage is the post of one timeline entry; moved tells whether the
// entry opened the incident or changed its status.
func entryMessage(card Card, e Entry, loc *time.Location, moved bool) Message {
	return Message{
		Kind:  MessageEntry,
		Card:  card,
		Entry: &e,
		When:  e.At.In(loc).Format(entryLayout),
		Text:  fmt.Sprintf("%s\n%s\n%s", card.Heading(), entryLine(e, loc), e.Message),
		Moved: moved,
	}
}

// summaryMessage is the broadcast root as it should read now.
func summaryMessage(card Card) Message {
	return Message{Kind: MessageSummary, Card: card, Text: card.Heading() + "\n" + card.Facts()}
}

// noticeMessage tells the incident channel about a change of its fields.
func noticeMessage(card Card, text string) Message {
	return Message{Kind: MessageNotice, Card: card, Text: card.Heading() + "\n" + text}
}

// Color is the colour posts about an incident in a status wear, as RGB:
// investigating red, identified orange, monitoring yellow, resolved green,
// postmortem grey. Both chat platforms show the same.
func Color(s fsm.Status) int {
	switch s {
	case fsm.Investigating:
		return 0xE01E5A
	case fsm.Identified:
		return 0xF2952F
	case fsm.Monitoring:
		return 0xECB22E
	case fsm.Resolved:
		return 0x2EB67D
	}
	return 0x868686
}

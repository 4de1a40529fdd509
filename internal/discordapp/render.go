package discordapp

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
)

// Discord's limits on what one message may hold.
const (
	descriptionLimit = 4096
	contentLimit     = 2000
	embedsLimit      = 6000 // all embeds of a message together
	chunk            = 4000 // what one message carries of a long text
)

// snowflake matches Discord user IDs, the only references rendered as mentions.
var snowflake = regexp.MustCompile(`^[0-9]{15,21}$`)

// noPings is sent with every message: Discord parses no mention in it, so
// "@everyone" or "<@&role>" typed by a responder pings no one. users lists
// the deliberate exceptions (someone just given a role).
func noPings(users ...string) *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: users}
}

func mention(ref string) string {
	if snowflake.MatchString(ref) {
		return "<@" + ref + ">"
	}
	return ref
}

// message is a rendered post: its embeds (one per chunk of a long text, to
// be sent as separate messages after the first) and, in the incident
// channel, the buttons of the next moves.
type message struct {
	// Content carries the one deliberate mention (someone just given a
	// role): Discord notifies no one mentioned in an embed.
	Content    string                       `json:"content,omitempty"`
	Embeds     []*discordgo.MessageEmbed    `json:"embeds"`
	Components []discordgo.MessageComponent `json:"components,omitempty"`
	Mention    string                       `json:"mention,omitempty"`
}

// maskedLink escapes the brackets of Markdown's masked links, so that
// "[Reset password](https://…)" typed by a responder shows as typed instead
// of as a link whose target readers cannot see.
var maskedLink = strings.NewReplacer("[", `\[`, "]", `\]`)

// render lays out a message. inChannel adds the buttons responders need.
func render(m bot.Message, inChannel bool) message {
	c := m.Card
	e := &discordgo.MessageEmbed{Title: bot.Clip(c.Heading(), 256), Color: bot.Color(c.Status)}
	var rest string
	switch m.Kind {
	case bot.MessageEntry:
		if m.Entry != nil {
			e.Description, rest = split(fmt.Sprintf("**%s** · %s\n%s", m.Entry.Status, m.When, m.Entry.Message), chunk)
			e.Timestamp = m.Entry.At.UTC().Format("2006-01-02T15:04:05Z")
		}
		e.Fields = fields(c)
	case bot.MessageSummary:
		e.Fields = fields(c)
		e.Footer = &discordgo.MessageEmbedFooter{Text: "Every update is in the thread of this message."}
	case bot.MessageNotice:
		e.Description, rest = split(m.Body(), chunk)
	case bot.MessageDraft:
		e.Title = bot.Clip("Postmortem draft · "+c.Ref, 256)
		e.Description, rest = split(m.Text, chunk)
		e.Footer = &discordgo.MessageEmbedFooter{Text: "Edit it, then publish with /incident postmortem body:<text>"}
	}
	out := message{Embeds: []*discordgo.MessageEmbed{e}}
	for rest != "" {
		var part string
		part, rest = split(rest, chunk)
		out.Embeds = append(out.Embeds, &discordgo.MessageEmbed{Description: part, Color: e.Color})
	}
	for _, em := range out.Embeds {
		em.Title, em.Description = maskedLink.Replace(em.Title), maskedLink.Replace(em.Description)
		for _, f := range em.Fields {
			f.Value = maskedLink.Replace(f.Value)
		}
	}
	if snowflake.MatchString(m.Mention) {
		out.Mention, out.Content = m.Mention, mention(m.Mention)+" "+m.MentionNote
	}
	if m.Snooze && inChannel {
		out.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: bot.SnoozeLabel(), Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("snooze:%d", c.Number)},
		}}}
	}
	if m.FollowUp > 0 && inChannel {
		out.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: bot.FollowUpDoneLabel(m.FollowUp), Style: discordgo.SuccessButton, CustomID: fmt.Sprintf("followup:%d:%d", c.Number, m.FollowUp)},
		}}}
	}
	if inChannel && (m.Kind == bot.MessageEntry || m.Kind == bot.MessageSummary) {
		out.Components = buttons(c)
	}
	return out
}

func fields(c bot.Card) []*discordgo.MessageEmbedField {
	commander := "unassigned"
	if u := c.Roles[bot.Commander]; u != "" {
		commander = mention(u)
	}
	components := "none named"
	if len(c.Components) > 0 {
		components = bot.Clip(strings.Join(c.Components, ", "), 1024)
	}
	return []*discordgo.MessageEmbedField{
		{Name: "Impact", Value: string(c.Impact), Inline: true},
		{Name: "Components", Value: components, Inline: true},
		{Name: "Commander", Value: commander, Inline: true},
		{Name: "Duration so far", Value: bot.FormatDuration(c.Duration), Inline: true},
	}
}

// buttons offers the moves the lifecycle allows, and an update.
func buttons(c bot.Card) []discordgo.MessageComponent {
	var row discordgo.ActionsRow
	for _, mv := range c.Next {
		row.Components = append(row.Components, discordgo.Button{Label: bot.MoveLabel(mv), Style: discordgo.PrimaryButton, CustomID: moveID(c, mv.To)})
	}
	row.Components = append(row.Components, discordgo.Button{Label: bot.AddUpdateLabel, Style: discordgo.SecondaryButton, CustomID: moveID(c, c.Status)})
	return []discordgo.MessageComponent{row}
}

// moveID is a move button's custom ID: "move:<number>:<from>:<to>".
func moveID(c bot.Card, to fsm.Status) string {
	return fmt.Sprintf("move:%d:%s:%s", c.Number, c.Status, to)
}

// maxModalRows is how many inputs a Discord modal holds.
const maxModalRows = 5

// modal lays out a form; its custom ID carries what the submission needs.
// Discord refuses a modal of more than five inputs: optional ones past the
// fifth are left out, and the command's options still offer them.
func modal(f *bot.Form) *discordgo.InteractionResponseData {
	var rows []discordgo.MessageComponent
	for _, field := range f.Fields {
		if len(rows) == maxModalRows && field.Optional {
			continue
		}
		style, placeholder := discordgo.TextInputShort, field.Placeholder
		if field.Multiline {
			style = discordgo.TextInputParagraph
		}
		switch {
		case len(field.Choices) > 0:
			placeholder = strings.Join(field.Choices, ", ")
		case field.Checkbox:
			placeholder = "yes or no (no when left empty)"
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
			CustomID: field.ID, Label: bot.Clip(field.Label, 45), Style: style, Placeholder: bot.Clip(placeholder, 100),
			Value: bot.Clip(field.Value, 4000), Required: !field.Optional, MaxLength: min(max(field.MaxLength, 1), 4000),
		}}})
	}
	return &discordgo.InteractionResponseData{
		CustomID: fmt.Sprintf("form:%s:%d:%s", f.Kind, f.Incident, f.Status), Title: bot.Clip(f.Title, 45), Components: rows,
	}
}

// split cuts s after at most n characters, at a line break when one is near.
func split(s string, n int) (head, rest string) {
	if utf8.RuneCountInString(s) <= n {
		return s, ""
	}
	head = string([]rune(s)[:n])
	if i := strings.LastIndexByte(head, '\n'); i > n/2 {
		head = head[:i+1]
	}
	return head, s[len(head):]
}

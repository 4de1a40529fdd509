package slackapp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
)

// sectionLimit is Block Kit's limit on a section's text.
const sectionLimit = 3000

// escaper makes user text inert in Slack mrkdwn: "<!channel>", "<!here>" and
// "<@U123>" typed by a responder become plain text that pings no one.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// userID matches Slack user IDs, the only references rendered as mentions.
var userID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// mention renders a user reference: a Slack user ID as a real mention (the
// bot's own, deliberate pings), anything else as escaped text.
func mention(ref string) string {
	if userID.MatchString(ref) {
		return "<@" + ref + ">"
	}
	return escape(ref)
}

// post is a rendered message: the text shown in notifications and above the
// attachment, and the attachment coloured by status that holds the blocks.
type post struct {
	Text        string             `json:"text"`
	Attachments []slack.Attachment `json:"attachments"`
}

func (p post) options() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(p.Text, false), slack.MsgOptionAttachments(p.Attachments...), slack.MsgOptionDisableLinkUnfurl()}
}

// render lays out a message. inChannel adds what only responders need: the
// buttons for the next moves.
func render(m bot.Message, inChannel bool) post {
	c := m.Card
	var blocks []slack.Block
	switch m.Kind {
	case bot.MessageEntry:
		if m.Entry != nil {
			blocks = append(blocks, contextBlock(fmt.Sprintf("*%s* · %s", m.Entry.Status, m.When)))
			blocks = append(blocks, sections(m.Entry.Message)...)
		}
		blocks = append(blocks, facts(c))
	case bot.MessageSummary:
		blocks = append(blocks, facts(c), contextBlock("Every update is in the thread of this message."))
	case bot.MessageNotice:
		blocks = append(blocks, sections(m.Body())...)
		if userID.MatchString(m.Mention) {
			// The one deliberate ping: the person just given a role, or the
			// one who speaks to stakeholders when they are waiting.
			blocks = append(blocks, contextBlock(mention(m.Mention)+" "+escape(m.MentionNote)))
		}
		if m.Snooze && inChannel {
			blocks = append(blocks, slack.NewActionBlock("snooze", slack.NewButtonBlockElement(actionSnooze, strconv.Itoa(c.Number),
				slack.NewTextBlockObject(slack.PlainTextType, bot.SnoozeLabel(), false, false))))
		}
		if m.FollowUp > 0 && inChannel {
			blocks = append(blocks, slack.NewActionBlock("followup", slack.NewButtonBlockElement(actionFollowUpDone, fmt.Sprintf("%d:%d", c.Number, m.FollowUp),
				slack.NewTextBlockObject(slack.PlainTextType, bot.FollowUpDoneLabel(m.FollowUp), false, false))))
		}
	case bot.MessageDraft:
		blocks = append(blocks, contextBlock(fmt.Sprintf("Postmortem draft. Edit it, then publish with `/incident postmortem %s <body>`.", c.Ref)))
		blocks = append(blocks, sections(m.Text)...)
	}
	if inChannel && (m.Kind == bot.MessageEntry || m.Kind == bot.MessageSummary) {
		blocks = append(blocks, buttons(c))
	}
	return post{
		Text: escape(c.Heading()),
		Attachments: []slack.Attachment{{
			Color:    fmt.Sprintf("#%06X", bot.Color(c.Status)),
			Fallback: escape(m.Text),
			Blocks:   slack.Blocks{BlockSet: blocks},
		}},
	}
}

// facts is the section of fields every update carries.
func facts(c bot.Card) slack.Block {
	commander := "unassigned"
	if u := c.Roles[bot.Commander]; u != "" {
		commander = escape(c.Person(u)) // named, not mentioned: every post carries it
	}
	components := "none named"
	if len(c.Components) > 0 {
		components = escape(strings.Join(c.Components, ", "))
	}
	field := func(label, value string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, "*"+label+"*\n"+value, false, true)
	}
	return slack.NewSectionBlock(nil, []*slack.TextBlockObject{
		field("Impact", string(c.Impact)),
		field("Components", bot.Clip(components, 1900)),
		field("Commander", commander),
		field("Duration so far", bot.FormatDuration(c.Duration)),
	}, nil)
}

// buttons offers the moves the lifecycle allows from here, and an update.
func buttons(c bot.Card) slack.Block {
	var els []slack.BlockElement
	for _, mv := range c.Next {
		els = append(els, slack.NewButtonBlockElement(actionMove, moveValue(c, mv.To), slack.NewTextBlockObject(slack.PlainTextType, bot.MoveLabel(mv), false, false)))
	}
	els = append(els, slack.NewButtonBlockElement(actionMove, moveValue(c, c.Status), slack.NewTextBlockObject(slack.PlainTextType, bot.AddUpdateLabel, false, false)))
	return slack.NewActionBlock("moves", els...)
}

func contextBlock(mrkdwn string) slack.Block {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false))
}

// sections escapes user text and splits it into sections within Block Kit's
// limit, at line breaks where it can. The text objects are verbatim, so
// Slack links no names and parses no mentions in them.
func sections(raw string) []slack.Block {
	var blocks []slack.Block
	var part strings.Builder
	size, lastBreak := 0, -1
	flush := func(upto int) {
		text := part.String()
		if upto >= 0 {
			text = text[:upto]
		}
		if strings.TrimSpace(text) != "" {
			blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil))
		}
		rest := part.String()[len(text):]
		part.Reset()
		part.WriteString(rest)
		size, lastBreak = utf8.RuneCountInString(rest), -1
	}
	for _, r := range raw {
		e := escape(string(r))
		if size+utf8.RuneCountInString(e) > sectionLimit {
			if lastBreak > 0 {
				flush(lastBreak)
			} else {
				flush(-1)
			}
		}
		part.WriteString(e)
		size += utf8.RuneCountInString(e)
		if r == '\n' {
			lastBreak = part.Len()
		}
	}
	flush(-1)
	return blocks
}

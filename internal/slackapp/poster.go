package slackapp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
)

// Poster posts, threads and edits for the delivery loop, and opens incident
// channels. It never sleeps on a rate limit: the loop reschedules instead.
type Poster struct {
	api       *slack.Client
	broadcast string
	log       bot.Logger
}

var (
	_ bot.Poster        = (*Poster)(nil)
	_ bot.Editor        = (*Poster)(nil)
	_ bot.ChannelOpener = (*Poster)(nil)
	_ bot.Inviter       = (*Poster)(nil)
)

// Poster returns the door's Poster.
func (a *App) Poster() *Poster {
	return &Poster{api: a.opt.API, broadcast: a.opt.Broadcast, log: a.opt.Logger}
}

// metadataType marks incidentbot's posts; their payload carries the job's
// key, by which a retry finds a post that went out unannounced.
const metadataType = "incidentbot_post"

// Post posts a message, in a thread when p.Thread is set, and returns its ts.
// An entry that moved the incident also refreshes the channel's topic. When
// an earlier attempt may have gone out, it looks for it first: Slack has no
// idempotency key, but a post carries the job's key in its metadata.
func (p *Poster) Post(ctx context.Context, post bot.Post) (string, error) {
	inChannel := post.Channel != p.broadcast
	if post.Retry {
		ts, err := p.find(ctx, post)
		if err != nil || ts != "" {
			return ts, err
		}
	}
	opts := render(post.Message, inChannel).options()
	opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataType, EventPayload: map[string]any{"key": post.Key}}))
	if post.Thread != "" {
		opts = append(opts, slack.MsgOptionTS(post.Thread))
	}
	_, ts, err := p.api.PostMessageContext(ctx, post.Channel, opts...)
	if err != nil {
		return "", classify(err)
	}
	if inChannel && post.Message.Moved {
		p.topic(ctx, post.Channel, post.Message.Card)
	}
	return ts, nil
}

// maxReplyPages bounds how far a retry reads back into a thread for its
// earlier attempt: ten pages of a thousand replies.
const maxReplyPages = 10

// find looks where post goes for a message with its key and returns its ts,
// or "" when there is none. A thread is read to its end, since a reply made by
// an earlier attempt is among the newest; a channel's newest hundred are
// read. When Slack cannot be asked now, the error sends the job back to be
// retried rather than risk a post shown twice; when it refuses the look
// itself (a scope the app lacks), the post is made: shown twice beats never.
func (p *Poster) find(ctx context.Context, post bot.Post) (string, error) {
	var msgs []slack.Message
	var err error
	if post.Thread != "" {
		params := &slack.GetConversationRepliesParameters{ChannelID: post.Channel, Timestamp: post.Thread, Limit: 1000, IncludeAllMetadata: true}
		for range maxReplyPages {
			var page []slack.Message
			var more bool
			page, more, params.Cursor, err = p.api.GetConversationRepliesContext(ctx, params)
			msgs = append(msgs, page...)
			if err != nil || !more || params.Cursor == "" {
				break
			}
		}
	} else {
		var h *slack.GetConversationHistoryResponse
		h, err = p.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: post.Channel, Limit: 100, IncludeAllMetadata: true})
		if h != nil {
			msgs = h.Messages
		}
	}
	for _, m := range msgs {
		if m.Metadata.EventType == metadataType && m.Metadata.EventPayload["key"] == post.Key {
			return m.Timestamp, nil
		}
	}
	var refused slack.SlackErrorResponse
	switch {
	case errors.As(err, &refused):
		p.log.Warn("slack: cannot look for an earlier attempt; posting", "channel", post.Channel, "err", err)
	case err != nil:
		return "", classify(err)
	}
	return "", nil
}

// Edit replaces the broadcast root with the incident as it stands now.
func (p *Poster) Edit(ctx context.Context, e bot.Edit) error {
	_, _, _, err := p.api.UpdateMessageContext(ctx, e.Channel, e.Ref, render(e.Message, false).options()...)
	return classify(err)
}

// OpenChannel creates inc-<n>-<slug> (private for a private incident), with
// a suffix when the name is taken, invites the declarer and sets the topic. Only creating the channel can fail
// the job: a retry after a failed invite would open a second channel.
func (p *Poster) OpenChannel(ctx context.Context, o bot.Opening) (string, error) {
	base := channelName(o.Card.Number, o.Card.Title)
	var ch *slack.Channel
	var err error
	for i := 1; i <= 10; i++ {
		name := base
		if i > 1 {
			name = suffixed(base, i)
		}
		ch, err = p.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: o.Card.Private})
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != "name_taken" {
			break
		}
		if o.Retry && i == 1 {
			// The earlier attempt may have opened it and lost the answer:
			// take it, and still invite and set the topic it may not have.
			id, lookErr := p.channelNamed(ctx, name, o.Card.Private)
			if lookErr != nil {
				return "", lookErr
			}
			if id != "" {
				ch, err = &slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: id}}}, nil
				break
			}
		}
	}
	if err != nil {
		return "", classify(err)
	}
	if userID.MatchString(o.Invite) {
		if _, err := p.api.InviteUsersToConversationContext(ctx, ch.ID, o.Invite); err != nil {
			p.log.Warn("slack: inviting the declarer", "channel", ch.ID, "err", err)
		}
	}
	p.topic(ctx, ch.ID, o.Card)
	return ch.ID, nil
}

// channelNamed finds a channel by name among the workspace's channels.
// It returns "" when there is none, or when Slack refuses the look (then a
// new channel beats none); an error when Slack cannot be asked now, so the
// job is retried rather than open a second channel.
func (p *Poster) channelNamed(ctx context.Context, name string, private bool) (string, error) {
	kind := "public_channel"
	if private {
		kind = "private_channel" // listed to the bot, which is in every private channel it made
	}
	params := &slack.GetConversationsParameters{Types: []string{kind}, ExcludeArchived: true, Limit: 1000}
	for range 10 {
		chs, cursor, err := p.api.GetConversationsContext(ctx, params)
		var refused slack.SlackErrorResponse
		switch {
		case errors.As(err, &refused):
			p.log.Warn("slack: cannot look for a channel opened before; opening another", "name", name, "err", err)
			return "", nil
		case err != nil:
			return "", classify(err)
		}
		for _, c := range chs {
			if c.Name == name {
				return c.ID, nil
			}
		}
		if cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	return "", nil
}

// Invite brings someone given a role into a private incident's channel.
// Someone already in it is where they should be.
func (p *Poster) Invite(ctx context.Context, i bot.Invitation) error {
	if !userID.MatchString(i.User) {
		return nil // a name typed by hand: no one to invite
	}
	_, err := p.api.InviteUsersToConversationContext(ctx, i.Channel, i.User)
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "already_in_channel" {
		return nil
	}
	return classify(err)
}

// topic shows the incident's status line as the channel's topic; a failure
// only costs the topic, so it is logged, not retried.
func (p *Poster) topic(ctx context.Context, channel string, c bot.Card) {
	topic := fmt.Sprintf("%s · %s · impact %s", c.Ref, c.Status.Title(), c.Impact)
	if _, err := p.api.SetTopicOfConversationContext(ctx, channel, topic); err != nil {
		p.log.Warn("slack: setting the topic", "channel", channel, "err", err)
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// channelName is inc-<n>-<slug>: lowercase, dashes, at most 80 characters.
func channelName(n int, title string) string {
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(title), "-"), "-")
	name := fmt.Sprintf("inc-%d", n)
	if slug != "" {
		name += "-" + slug
	}
	return cut(name, 80)
}

// cut shortens a channel name to n bytes, at a dash when one is near.
func cut(name string, n int) string {
	if len(name) <= n {
		return name
	}
	name = name[:n]
	if i := strings.LastIndexByte(name, '-'); i > n-20 {
		name = name[:i]
	}
	return strings.TrimRight(name, "-")
}

// suffixed is name with "-<i>", still within 80 characters.
func suffixed(name string, i int) string {
	sfx := fmt.Sprintf("-%d", i)
	return cut(name, 80-len(sfx)) + sfx
}

// permanent are Slack errors that no retry mends.
var permanent = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "message_not_found": true,
	"invalid_auth": true, "account_inactive": true, "token_revoked": true, "not_authed": true,
	"missing_scope": true, "invalid_blocks": true, "msg_too_long": true, "no_text": true,
	"restricted_action": true, "cant_update_message": true, "thread_not_found": true,
}

// classify turns slack-go's errors into what the delivery loop acts on: a
// wait Slack asked for, a failure to give up on, or one to retry.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		return &bot.RetryAfterError{After: limited.RetryAfter, Err: err}
	}
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && permanent[se.Err]:
		return bot.PermanentError{Err: err}
	case errors.As(err, &se):
		return bot.RefusedError{Err: err} // Slack answered no: nothing went out
	}
	return err
}

package discordapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
)

// Poster posts, threads and edits for the delivery loop, and opens incident
// threads or channels. A rate limit is returned to the loop, never slept on.
type Poster struct {
	s         *discordgo.Session
	broadcast string
	channels  bool
	log       bot.Logger

	mu   sync.Mutex
	self string // the bot's user ID, let into the private channels it opens
}

var (
	_ bot.Poster        = (*Poster)(nil)
	_ bot.Editor        = (*Poster)(nil)
	_ bot.ChannelOpener = (*Poster)(nil)
	_ bot.Inviter       = (*Poster)(nil)
)

// Poster returns the door's Poster.
func (a *App) Poster() *Poster {
	return &Poster{s: a.opt.Session, broadcast: a.opt.Broadcast, channels: a.opt.Channels, log: a.opt.Logger}
}

// nonced is a message sent with a nonce Discord enforces: a retry of a post
// that went out, but whose answer was lost, returns the first message instead
// of showing it twice. discordgo's MessageSend has no field for it.
type nonced struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
}

// nonce derives Discord's at most 25 characters from a job's key.
func nonce(key string, part int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s#%d", key, part))
	return hex.EncodeToString(sum[:])[:25]
}

// Post posts a message and returns its ID. A reply under the broadcast root
// goes into the thread started from the root, started on first use.
func (p *Poster) Post(ctx context.Context, post bot.Post) (string, error) {
	channel := post.Channel
	if post.Thread != "" {
		channel = post.Thread // a thread started from a message shares its ID
	}
	m := render(post.Message, post.Channel != p.broadcast)
	id, err := p.send(ctx, channel, post.Key, m)
	if post.Thread != "" && isCode(err, discordgo.ErrCodeUnknownChannel) {
		if err := p.startThread(ctx, post.Channel, post.Thread, post.Message.Card); err != nil {
			return "", classify(err)
		}
		id, err = p.send(ctx, channel, post.Key, m)
	}
	return id, classify(err)
}

// send posts a rendered message: its first embed with the buttons, then one
// message for each further chunk of a long text.
func (p *Poster) send(ctx context.Context, channel, key string, m message) (string, error) {
	first := ""
	for i, e := range m.Embeds {
		ms := &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{e}, AllowedMentions: noPings()}
		if i == 0 {
			ms.Components, ms.Content = m.Components, m.Content
			if m.Mention != "" {
				ms.AllowedMentions = noPings(m.Mention)
			}
		}
		raw, err := p.s.RequestWithBucketID(http.MethodPost, discordgo.EndpointChannelMessages(channel),
			nonced{MessageSend: ms, Nonce: nonce(key, i), EnforceNonce: key != ""}, discordgo.EndpointChannelMessages(channel), discordgo.WithContext(ctx))
		if err != nil {
			return "", err
		}
		if i == 0 {
			var sent discordgo.Message
			if err := json.Unmarshal(raw, &sent); err != nil {
				return "", fmt.Errorf("discordapp: reading the posted message: %w", err)
			}
			first = sent.ID
		}
	}
	return first, nil
}

func (p *Poster) startThread(ctx context.Context, channel, messageID string, c bot.Card) error {
	_, err := p.s.MessageThreadStartComplex(channel, messageID, &discordgo.ThreadStart{Name: bot.Clip(c.Heading(), 100), AutoArchiveDuration: 10080}, discordgo.WithContext(ctx))
	if isCode(err, discordgo.ErrCodeThreadAlreadyCreatedForThisMessage) {
		return nil
	}
	return err
}

// Edit replaces the broadcast root with the incident as it stands now.
func (p *Poster) Edit(ctx context.Context, e bot.Edit) error {
	m := render(e.Message, false)
	embeds := m.Embeds[:1]
	_, err := p.s.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: e.Channel, ID: e.Ref, Embeds: &embeds, AllowedMentions: noPings()}, discordgo.WithContext(ctx))
	return classify(err)
}

// OpenChannel opens the incident's thread in the channel it was declared in
// (or a channel of its own, when so configured) and adds the declarer.
// Only opening can fail the job: a retry after a failed invite would open a
// second one.
func (p *Poster) OpenChannel(ctx context.Context, o bot.Opening) (string, error) {
	name := bot.Clip(fmt.Sprintf("%s %s", o.Card.Ref, o.Card.Title), 100)
	if o.Retry {
		// The earlier attempt may have opened it and lost the answer.
		id, err := p.opened(ctx, o, name)
		if err != nil || id != "" {
			return id, err
		}
	}
	var ch *discordgo.Channel
	var err error
	switch {
	case p.channels:
		data := discordgo.GuildChannelCreateData{Name: name, Type: discordgo.ChannelTypeGuildText, Topic: o.Card.Heading()}
		if o.Card.Private {
			if data.PermissionOverwrites, err = p.privately(ctx, o); err != nil {
				return "", err
			}
		}
		ch, err = p.s.GuildChannelCreateComplex(o.Workspace.ID, data, discordgo.WithContext(ctx))
	default:
		kind := discordgo.ChannelTypeGuildPublicThread
		if o.Card.Private {
			kind = discordgo.ChannelTypeGuildPrivateThread
		}
		ch, err = p.s.ThreadStartComplex(o.Origin, &discordgo.ThreadStart{Name: name, Type: kind, AutoArchiveDuration: 10080}, discordgo.WithContext(ctx))
	}
	if err != nil {
		return "", classify(err)
	}
	if !p.channels && snowflake.MatchString(o.Invite) {
		if err := p.s.ThreadMemberAdd(ch.ID, o.Invite, discordgo.WithContext(ctx)); err != nil {
			p.log.Warn("discord: adding the declarer to the thread", "thread", ch.ID, "err", err)
		}
	}
	return ch.ID, nil
}

// seeing is what someone let into a private incident channel may do there.
const seeing = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionReadMessageHistory

// privately keeps a new channel to the declarer and the bot: the server's
// everyone role (whose ID is the server's) may not see it.
func (p *Poster) privately(ctx context.Context, o bot.Opening) ([]*discordgo.PermissionOverwrite, error) {
	self, err := p.selfID(ctx)
	if err != nil {
		return nil, err
	}
	ows := []*discordgo.PermissionOverwrite{
		{ID: o.Workspace.ID, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel},
		{ID: self, Type: discordgo.PermissionOverwriteTypeMember, Allow: seeing | discordgo.PermissionManageChannels},
	}
	if snowflake.MatchString(o.Invite) {
		ows = append(ows, &discordgo.PermissionOverwrite{ID: o.Invite, Type: discordgo.PermissionOverwriteTypeMember, Allow: seeing})
	}
	return ows, nil
}

// selfID is the bot's own user ID, asked until Discord has told it once.
func (p *Poster) selfID(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.self == "" {
		u, err := p.s.User("@me", discordgo.WithContext(ctx))
		if err != nil {
			return "", classify(err)
		}
		p.self = u.ID
	}
	return p.self, nil
}

// Invite lets someone given a role into a private incident's thread or
// channel.
func (p *Poster) Invite(ctx context.Context, i bot.Invitation) error {
	if !snowflake.MatchString(i.User) {
		return nil // a name typed by hand: no one to let in
	}
	if p.channels {
		return classify(p.s.ChannelPermissionSet(i.Channel, i.User, discordgo.PermissionOverwriteTypeMember, seeing, 0, discordgo.WithContext(ctx)))
	}
	return classify(p.s.ThreadMemberAdd(i.Channel, i.User, discordgo.WithContext(ctx)))
}

// opened finds the thread or channel an earlier attempt opened for o, or
// returns "". When Discord cannot be asked now, the error sends the job back
// to be retried rather than open a second one; when it refuses the look
// (missing access), a new one beats none.
func (p *Poster) opened(ctx context.Context, o bot.Opening, name string) (string, error) {
	var chs []*discordgo.Channel
	var err error
	if p.channels {
		chs, err = p.s.GuildChannels(o.Workspace.ID, discordgo.WithContext(ctx))
	} else {
		var active *discordgo.ThreadsList
		if active, err = p.s.GuildThreadsActive(o.Workspace.ID, discordgo.WithContext(ctx)); err == nil {
			chs = active.Threads
		}
	}
	if err != nil {
		err = classify(err)
		var refused bot.PermanentError
		if errors.As(err, &refused) {
			p.log.Warn("discord: cannot look for a thread or channel opened before; opening another", "err", err)
			return "", nil
		}
		return "", err
	}
	for _, c := range chs {
		if c.Name == name && (p.channels || c.ParentID == o.Origin) {
			return c.ID, nil
		}
	}
	return "", nil
}

// isCode reports whether err is Discord's API error code.
func isCode(err error, code int) bool {
	var rest *discordgo.RESTError
	return errors.As(err, &rest) && rest.Message != nil && rest.Message.Code == code
}

// classify turns discordgo's errors into what the delivery loop acts on.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var limited *discordgo.RateLimitError
	if errors.As(err, &limited) && limited.RateLimit != nil && limited.TooManyRequests != nil {
		return &bot.RetryAfterError{After: limited.RetryAfter, Err: err}
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		switch code := rest.Response.StatusCode; {
		case code == http.StatusTooManyRequests:
			return err
		case code >= 400 && code < 500:
			// Unknown channel, missing access, a body Discord refuses: no
			// retry changes the answer.
			return bot.PermanentError{Err: err}
		}
	}
	return err
}

package chattest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// The message, thread and channel routes of the fake Discord.

// messageBody is what POST .../messages, interaction responses and
// follow-ups send; discordgo's MessageSend has no nonce fields, so a bot
// that wants them sends its own struct.
type messageBody struct {
	Content         string                            `json:"content"`
	Embeds          json.RawMessage                   `json:"embeds"`
	Components      json.RawMessage                   `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           json.RawMessage                   `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
	Reference       *discordgo.MessageReference       `json:"message_reference"`
	Flags           discordgo.MessageFlags            `json:"flags"`
}

// editBody is a PATCH: absent fields stay as they were.
type editBody struct {
	Content         *string                           `json:"content"`
	Embeds          json.RawMessage                   `json:"embeds"`
	Components      json.RawMessage                   `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

func (d *Discord) createMessage(w http.ResponseWriter, r *http.Request, p []string) {
	var b messageBody
	if !decode(w, r, &b) || !validMessage(w, &b) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.channel(p[0]) == nil && d.isMessage(p[0]) {
		// A message's ID names a channel only once a thread is started from
		// it: until then Discord knows no such channel.
		writeError(w, http.StatusNotFound, discordgo.ErrCodeUnknownChannel, "Unknown Channel")
		return
	}
	nonce := nonceText(b.Nonce)
	if b.EnforceNonce && nonce != "" {
		for _, m := range slices.Backward(d.byChannel[p[0]]) {
			if m.Nonce == nonce && d.now().Sub(m.created) < DiscordNonceWindow {
				writeJSON(w, http.StatusOK, m.wire())
				return
			}
		}
	}
	writeJSON(w, http.StatusOK, d.addMessage(p[0], &b).wire())
}

// validMessage answers Discord's errors for an empty or oversized message.
func validMessage(w http.ResponseWriter, b *messageBody) bool {
	switch {
	case b.Content == "" && isEmpty(b.Embeds) && isEmpty(b.Components):
		writeError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
	case len([]rune(b.Content)) > 2000 || len(nonceText(b.Nonce)) > 25:
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
	default:
		return true
	}
	return false
}

func isEmpty(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null" || s == "[]"
}

// nonceText renders a nonce sent as a JSON string or number.
func nonceText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if isEmpty(raw) {
		return ""
	}
	return string(raw)
}

// addMessage stores a new message. Call with d.mu held.
func (d *Discord) addMessage(channelID string, b *messageBody) *message {
	m := &message{
		DiscordMessage: DiscordMessage{
			ID: d.newID(), ChannelID: channelID, Content: b.Content, AllowedMentions: b.AllowedMentions,
			Nonce: nonceText(b.Nonce), EnforceNonce: b.EnforceNonce,
		},
		embeds: orEmpty(b.Embeds), nonce: b.Nonce, flags: b.Flags, created: d.now(),
		hidden: b.Flags&discordgo.MessageFlagsEphemeral != 0,
	}
	m.Components = orEmpty(b.Components)
	if b.Reference != nil {
		m.ReferenceID = b.Reference.MessageID
	}
	d.msgs[m.ID] = m
	d.byChannel[channelID] = append(d.byChannel[channelID], m)
	return m
}

func orEmpty(raw json.RawMessage) json.RawMessage {
	if isEmpty(raw) {
		return json.RawMessage("[]")
	}
	return slices.Clone(raw)
}

// edit applies a PATCH. Call with d.mu held.
func (d *Discord) edit(m *message, b *editBody) {
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.embeds = orEmpty(b.Embeds)
	}
	if b.Components != nil {
		m.Components = orEmpty(b.Components)
	}
	if b.AllowedMentions != nil {
		m.AllowedMentions = b.AllowedMentions
	}
	t := d.now()
	m.edited = &t
	m.Edits++
}

func (d *Discord) editMessage(w http.ResponseWriter, r *http.Request, p []string) {
	var b editBody
	if !decode(w, r, &b) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.msgs[p[1]]
	if m == nil || m.ChannelID != p[0] || m.hidden {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	d.edit(m, &b)
	writeJSON(w, http.StatusOK, m.wire())
}

// wire renders a message as Discord's API returns it.
func (m *message) wire() map[string]any {
	w := map[string]any{
		"id": m.ID, "type": 0, "channel_id": m.ChannelID, "author": botUser(), "content": m.Content,
		"timestamp": m.created, "edited_timestamp": m.edited, "embeds": m.embeds, "components": m.Components,
		"mentions": []any{}, "attachments": []any{}, "flags": m.flags,
	}
	if m.nonce != nil {
		w["nonce"] = m.nonce
	}
	if m.ReferenceID != "" {
		w["message_reference"] = map[string]string{"message_id": m.ReferenceID, "channel_id": m.ChannelID}
	}
	return w
}

// startThread serves both thread routes. A thread started from a message
// takes the message's ID, as on Discord, and is public; one started without
// a message is private unless the request says otherwise (API v9 default).
func (d *Discord) startThread(w http.ResponseWriter, r *http.Request, p []string) {
	var b discordgo.ThreadStart
	if !decode(w, r, &b) {
		return
	}
	if len(p) == 2 {
		b.Type = discordgo.ChannelTypeGuildPublicThread
	} else if b.Type == 0 {
		b.Type = discordgo.ChannelTypeGuildPrivateThread
	}
	if b.Name == "" || b.Type < discordgo.ChannelTypeGuildNewsThread || b.Type > discordgo.ChannelTypeGuildPrivateThread {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &DiscordChannel{Name: b.Name, ParentID: p[0], GuildID: DiscordGuildID, Type: b.Type, Thread: true}
	if parent := d.channel(p[0]); parent != nil {
		if parent.Thread {
			writeError(w, http.StatusBadRequest, 50024, "Cannot execute action on this channel type")
			return
		}
		c.GuildID = parent.GuildID
	}
	if len(p) == 1 {
		c.ID = d.newID()
	} else {
		m := d.msgs[p[1]]
		switch {
		case m == nil || m.ChannelID != p[0] || m.hidden:
			writeError(w, http.StatusNotFound, 10008, "Unknown Message")
			return
		case m.thread:
			writeError(w, http.StatusBadRequest, 160004, "A thread has already been created for this message")
			return
		}
		m.thread = true
		c.ID = m.ID
	}
	d.channels = append(d.channels, c)
	writeJSON(w, http.StatusCreated, c.wire())
}

func (d *Discord) createChannel(w http.ResponseWriter, r *http.Request, p []string) {
	var b discordgo.GuildChannelCreateData
	if !decode(w, r, &b) {
		return
	}
	if b.Name == "" || len(b.Name) > 100 {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &DiscordChannel{ID: d.newID(), Name: b.Name, ParentID: b.ParentID, GuildID: p[0], Topic: b.Topic, Type: b.Type}
	for _, o := range b.PermissionOverwrites {
		c.overwrite(o)
	}
	d.channels = append(d.channels, c)
	writeJSON(w, http.StatusCreated, c.wire())
}

func (d *Discord) addThreadMember(w http.ResponseWriter, r *http.Request, p []string) {
	d.changeChannel(w, p[0], true, func(c *DiscordChannel) {
		if !slices.Contains(c.Members, p[1]) {
			c.Members = append(c.Members, p[1])
		}
	})
}

// setPermission serves PUT /channels/{id}/permissions/{id}: one overwrite
// of a channel's permissions for a role or member.
func (d *Discord) setPermission(w http.ResponseWriter, r *http.Request, p []string) {
	var o discordgo.PermissionOverwrite
	if !decode(w, r, &o) {
		return
	}
	o.ID = p[1]
	d.changeChannel(w, p[0], false, func(c *DiscordChannel) { c.overwrite(&o) })
}

// changeChannel applies change to a created thread (thread set) or channel
// and answers 204, or answers Discord's error for an unknown channel or one
// of the other kind.
func (d *Discord) changeChannel(w http.ResponseWriter, id string, thread bool, change func(*DiscordChannel)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.channel(id)
	switch {
	case c == nil:
		writeError(w, http.StatusNotFound, 10003, "Unknown Channel")
	case c.Thread != thread:
		writeError(w, http.StatusBadRequest, 50024, "Cannot execute action on this channel type")
	default:
		change(c)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (c *DiscordChannel) overwrite(o *discordgo.PermissionOverwrite) {
	if c.Overwrites == nil {
		c.Overwrites = map[string]*discordgo.PermissionOverwrite{}
	}
	c.Overwrites[o.ID] = o
}

// channel finds a created channel or thread. Call with d.mu held.
func (d *Discord) channel(id string) *DiscordChannel {
	for _, c := range d.channels {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (c *DiscordChannel) wire() *discordgo.Channel {
	ch := &discordgo.Channel{ID: c.ID, GuildID: c.GuildID, Name: c.Name, Topic: c.Topic, Type: c.Type, ParentID: c.ParentID}
	if c.Thread {
		ch.OwnerID = DiscordAppID
		ch.ThreadMetadata = &discordgo.ThreadMetadata{AutoArchiveDuration: 1440}
	}
	return ch
}

// isMessage reports whether id is a message the fake holds. Callers hold d.mu.
func (d *Discord) isMessage(id string) bool {
	for _, msgs := range d.byChannel {
		for _, m := range msgs {
			if m.ID == id {
				return true
			}
		}
	}
	return false
}

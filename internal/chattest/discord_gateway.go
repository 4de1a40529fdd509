package chattest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// This file holds the side of the fake that interactions travel through:
// the gateway, interaction answers and follow-ups, and command registration.

// Routes of interaction answers, as named for Calls and FailNext.
const (
	routeCallback     = "POST /interactions/{id}/{token}/callback"
	routeEditOriginal = "PATCH /webhooks/{id}/{token}/messages/@original"
	routeFollowup     = "POST /webhooks/{id}/{token}"
)

// Responded is one answer of the bot to an interaction: a callback (Type
// set), an edit of the original response, or a follow-up. Route is named as
// for Calls; Body is the request as sent, for fields not broken out here.
type Responded struct {
	Route, InteractionID string
	Type                 discordgo.InteractionResponseType
	Content              string
	Embeds               []*discordgo.MessageEmbed
	Components           json.RawMessage
	AllowedMentions      *discordgo.MessageAllowedMentions
	Flags                discordgo.MessageFlags
	MessageID            string // the message shown or edited, if any
	Body                 json.RawMessage
	Files                []DiscordFile // attached to a follow-up, sent as multipart
}

// DiscordFile is a file attached to a message.
type DiscordFile struct {
	Name, Content string
}

type interaction struct {
	id, token, channelID string
	sourceID             string // the message whose component was used
	original             string // the message of the first response
	acked                bool
}

type gatewayConn struct {
	ws  *websocket.Conn
	mu  sync.Mutex // gorilla allows one writer at a time
	seq int64
}

// send writes a gateway payload; op 0 dispatches carry a sequence and type.
func (c *gatewayConn) send(op int, typ string, data any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := map[string]any{"op": op, "d": data, "s": nil, "t": nil}
	if op == 0 {
		c.seq++
		p["s"], p["t"] = c.seq, typ
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(p)
}

// getGateway sends discordgo to the fake's WebSocket: it dials whatever URL
// GET /gateway returns, with its own Dialer rather than Session.Client.
func (d *Discord) getGateway(w http.ResponseWriter, r *http.Request, _ []string) {
	url := "ws" + strings.TrimPrefix(d.srv.URL, "http") // discordgo appends /?v=9&encoding=json
	writeJSON(w, http.StatusOK, map[string]any{"url": url, "shards": 1, "session_start_limit": map[string]int{
		"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1,
	}})
}

// serveGateway speaks the gateway protocol as discordgo's Open expects it:
// HELLO, then READY (or RESUMED) once IDENTIFY (or RESUME) carries the
// token, and an ACK for every heartbeat. A wrong token closes with 4004.
func (d *Discord) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	c := &gatewayConn{ws: ws}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.setConn(c, false)
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.conns, c)
		d.notify()
		d.mu.Unlock()
	}()
	if c.send(10, "", map[string]int{"heartbeat_interval": 1000}) != nil {
		return
	}
	for {
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if ws.ReadJSON(&p) != nil {
			return
		}
		switch p.Op {
		case 1:
			err = c.send(11, "", nil)
		case 2, 6:
			var id struct{ Token string }
			_ = json.Unmarshal(p.D, &id)
			if strings.TrimPrefix(id.Token, "Bot ") != DiscordToken {
				msg := websocket.FormatCloseMessage(4004, "Authentication failed.")
				_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
				return
			}
			if p.Op == 6 {
				err = c.send(0, "RESUMED", map[string]any{})
			} else {
				err = c.send(0, "READY", map[string]any{
					"v": 9, "session_id": "chattest-session", "user": botUser(),
					"application": map[string]any{"id": DiscordAppID, "flags": 0},
					"guilds":      []any{map[string]any{"id": DiscordGuildID, "unavailable": true}},
				})
			}
			d.mu.Lock()
			d.setConn(c, true)
			d.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// setConn records a connection and whether it is ready. Call with d.mu held.
func (d *Discord) setConn(c *gatewayConn, ready bool) {
	d.conns[c] = ready
	d.notify()
}

// notify wakes everyone waiting for a gateway change. Call with d.mu held.
func (d *Discord) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// readyConns waits until at least one session has identified.
func (d *Discord) readyConns(ctx context.Context) ([]*gatewayConn, error) {
	for {
		var ready []*gatewayConn
		d.mu.Lock()
		for c, ok := range d.conns {
			if ok {
				ready = append(ready, c)
			}
		}
		changed := d.changed
		d.mu.Unlock()
		if len(ready) > 0 {
			return ready, nil
		}
		select {
		case <-changed:
		case <-d.done:
			return nil, errors.New("chattest: fake Discord closed")
		case <-ctx.Done():
			return nil, fmt.Errorf("chattest: no gateway session identified: %w", ctx.Err())
		}
	}
}

// GatewayConnected waits until a session has identified on the gateway and
// been sent READY, or ctx ends.
func (d *Discord) GatewayConnected(ctx context.Context) error {
	_, err := d.readyConns(ctx)
	return err
}

// SendInteraction registers i (see RegisterInteraction) and dispatches it as
// INTERACTION_CREATE to every identified session, waiting for one if needed.
func (d *Discord) SendInteraction(ctx context.Context, i *discordgo.Interaction) error {
	d.RegisterInteraction(i)
	raw, err := EncodeInteraction(i)
	if err != nil {
		return err
	}
	conns, err := d.readyConns(ctx)
	for _, c := range conns {
		err = errors.Join(err, c.send(0, "INTERACTION_CREATE", json.RawMessage(raw)))
	}
	return err
}

// EncodeInteraction writes i as Discord sends it. discordgo leaves a modal
// submission's inputs out when it encodes one (its field is json:"-"), so
// they are written here.
func EncodeInteraction(i *discordgo.Interaction) ([]byte, error) {
	raw, err := json.Marshal(i)
	if err != nil || i.Type != discordgo.InteractionModalSubmit {
		return raw, err
	}
	data, _ := i.Data.(discordgo.ModalSubmitInteractionData)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m["data"] = map[string]any{"custom_id": data.CustomID, "components": data.Components}
	return json.Marshal(m)
}

// RegisterInteraction fills i's empty ID, Token and AppID and makes the fake
// accept answers to it: one callback (a second is Discord's 400 40060), then
// edits of @original and follow-ups. Answers to unregistered interactions
// get 404 10062 or 10015. Register interactions that a test posts to an
// HTTP interactions endpoint; the fake cannot see an answer given in the
// HTTP response, so there the first edit of @original creates the message.
func (d *Discord) RegisterInteraction(i *discordgo.Interaction) *discordgo.Interaction {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i.ID == "" {
		i.ID = d.newID()
	}
	if i.Token == "" {
		i.Token = "chattest-token-" + i.ID
	}
	if i.AppID == "" {
		i.AppID = DiscordAppID
	}
	it := &interaction{id: i.ID, token: i.Token, channelID: i.ChannelID}
	if i.Message != nil {
		it.sourceID = i.Message.ID
	}
	d.interactions[i.ID] = it
	return i
}

// InteractionResponses returns the bot's answers to interactions, in order.
func (d *Discord) InteractionResponses() []Responded {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := slices.Clone(d.responses)
	for i := range out {
		out[i].Embeds = clone[[]*discordgo.MessageEmbed](out[i].Embeds)
		out[i].AllowedMentions = clone[*discordgo.MessageAllowedMentions](out[i].AllowedMentions)
	}
	return out
}

// answering finds the interaction an answer is for: by interaction ID and
// token (callback) or application ID and token (webhooks). When there is
// none it writes Discord's error. Call with d.mu held.
func (d *Discord) answering(w http.ResponseWriter, route string, p []string) *interaction {
	if route == routeCallback {
		if it := d.interactions[p[0]]; it != nil && it.token == p[1] {
			return it
		}
		writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return nil
	}
	for _, it := range d.interactions {
		if p[0] == DiscordAppID && it.token == p[1] {
			return it
		}
	}
	writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	return nil
}

// record keeps an answer. Call with d.mu held.
func (d *Discord) record(route string, it *interaction, typ discordgo.InteractionResponseType, raw json.RawMessage, b *messageBody, msgID string) {
	d.responses = append(d.responses, Responded{
		Route: route, InteractionID: it.id, Type: typ, Content: b.Content,
		Embeds: clone[[]*discordgo.MessageEmbed](b.Embeds), Components: slices.Clone(b.Components),
		AllowedMentions: b.AllowedMentions, Flags: b.Flags, MessageID: msgID, Body: raw,
	})
}

// interactionCallback serves the first answer. A message response (4) is
// posted to the interaction's channel; a deferred one (5) stays invisible
// until @original is edited; an update (6, 7) targets the component's message.
func (d *Discord) interactionCallback(w http.ResponseWriter, r *http.Request, p []string) {
	var raw json.RawMessage
	if !decode(w, r, &raw) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	it := d.answering(w, routeCallback, p)
	if it == nil {
		return
	}
	var resp struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                   `json:"data"`
	}
	var b messageBody
	var e editBody
	_ = json.Unmarshal(raw, &resp)
	_ = json.Unmarshal(resp.Data, &b)
	_ = json.Unmarshal(resp.Data, &e)
	if it.acked {
		writeError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	switch resp.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		if !validMessage(w, &b) {
			return
		}
		it.original = d.addMessage(it.channelID, &b).ID
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		m := d.addMessage(it.channelID, &b)
		m.hidden, it.original = true, m.ID
	case discordgo.InteractionResponseUpdateMessage, discordgo.InteractionResponseDeferredMessageUpdate:
		if m := d.msgs[it.sourceID]; m != nil {
			it.original = m.ID
			if resp.Type == discordgo.InteractionResponseUpdateMessage {
				d.edit(m, &e)
			}
		}
	}
	it.acked = true
	d.record(routeCallback, it, resp.Type, raw, &b, it.original)
	w.WriteHeader(http.StatusNoContent)
}

// editOriginal edits the first response; the first edit of a deferred
// response fills it, which readers do not see as an edit.
func (d *Discord) editOriginal(w http.ResponseWriter, r *http.Request, p []string) {
	var raw json.RawMessage
	if !decode(w, r, &raw) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	it := d.answering(w, routeEditOriginal, p)
	if it == nil {
		return
	}
	var b messageBody
	var e editBody
	_ = json.Unmarshal(raw, &b)
	_ = json.Unmarshal(raw, &e)
	m := d.msgs[it.original]
	if m == nil {
		m = d.addMessage(it.channelID, &b)
		it.original = m.ID
	} else {
		fill := m.hidden && m.flags&discordgo.MessageFlagsEphemeral == 0
		d.edit(m, &e)
		if fill {
			m.hidden, m.Edits, m.edited = false, 0, nil
		}
	}
	d.record(routeEditOriginal, it, 0, raw, &b, m.ID)
	writeJSON(w, http.StatusOK, m.wire())
}

// followup posts a further message; Discord answers 204 unless ?wait=true.
// Files come as multipart, the message as its payload_json field.
func (d *Discord) followup(w http.ResponseWriter, r *http.Request, p []string) {
	var raw json.RawMessage
	var files []DiscordFile
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		var ok bool
		if raw, files, ok = decodeMultipart(w, r); !ok {
			return
		}
	} else if !decode(w, r, &raw) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	it := d.answering(w, routeFollowup, p)
	if it == nil {
		return
	}
	var b messageBody
	_ = json.Unmarshal(raw, &b)
	if !validMessage(w, &b) {
		return
	}
	m := d.addMessage(it.channelID, &b)
	d.record(routeFollowup, it, 0, raw, &b, m.ID)
	d.responses[len(d.responses)-1].Files = files
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, m.wire())
}

// Commands returns the command set of the last bulk overwrite, global or guild.
func (d *Discord) Commands() []*discordgo.ApplicationCommand {
	d.mu.Lock()
	defer d.mu.Unlock()
	return clone[[]*discordgo.ApplicationCommand](d.commands[d.lastScope])
}

// CommandsFor returns the commands last written for a guild, or the global
// ones when guildID is "".
func (d *Discord) CommandsFor(guildID string) []*discordgo.ApplicationCommand {
	d.mu.Lock()
	defer d.mu.Unlock()
	return clone[[]*discordgo.ApplicationCommand](d.commands[guildID])
}

func (d *Discord) overwriteCommands(w http.ResponseWriter, r *http.Request, p []string) {
	var cmds []*discordgo.ApplicationCommand
	if !decode(w, r, &cmds) {
		return
	}
	if p[0] != DiscordAppID {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	guild := ""
	if len(p) > 1 {
		guild = p[1]
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	// Discord keeps the ID of a command whose name survives an overwrite.
	old := map[string]string{}
	for _, c := range clone[[]*discordgo.ApplicationCommand](d.commands[guild]) {
		old[c.Name] = c.ID
	}
	for _, c := range cmds {
		if c.Name == "" {
			writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
			return
		}
		if c.ID = old[c.Name]; c.ID == "" {
			c.ID = d.newID()
		}
		c.ApplicationID, c.GuildID, c.Version = DiscordAppID, guild, d.newID()
		if c.Type == 0 {
			c.Type = discordgo.ChatApplicationCommand
		}
	}
	raw, _ := json.Marshal(cmds)
	d.commands[guild], d.lastScope = raw, guild
	writeJSON(w, http.StatusOK, json.RawMessage(raw))
}

// NewDiscordKey returns a fresh Ed25519 public key for an HTTP interactions
// endpoint and a function that signs a request as Discord does: the hex
// signature of timestamp+body, for the X-Signature-Ed25519 header.
func NewDiscordKey(tb testing.TB) (pub ed25519.PublicKey, sign func(timestamp string, body []byte) string) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatalf("chattest: generate key: %v", err)
	}
	return pub, func(timestamp string, body []byte) string {
		return hex.EncodeToString(ed25519.Sign(priv, append([]byte(timestamp), body...)))
	}
}

// SlashInteraction builds "/incident sub opts..." as used by user (an ID,
// also the username) in DiscordChannelID of DiscordGuildID. Option types
// follow the Go values: string, bool, int (sent as float64, as decoded JSON
// would be) and float64; anything else is sent as its fmt.Sprint string.
// Options are sorted by name. ID and Token are left for RegisterInteraction.
func SlashInteraction(sub string, opts map[string]any, user string) *discordgo.Interaction {
	var options []*discordgo.ApplicationCommandInteractionDataOption
	for _, name := range slices.Sorted(maps.Keys(opts)) {
		o := &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString}
		switch v := opts[name].(type) {
		case string:
			o.Value = v
		case bool:
			o.Type, o.Value = discordgo.ApplicationCommandOptionBoolean, v
		case int:
			o.Type, o.Value = discordgo.ApplicationCommandOptionInteger, float64(v)
		case float64:
			o.Type, o.Value = discordgo.ApplicationCommandOptionNumber, v
		default:
			o.Value = fmt.Sprint(v)
		}
		options = append(options, o)
	}
	return &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, AppID: DiscordAppID,
		GuildID: DiscordGuildID, ChannelID: DiscordChannelID, Locale: discordgo.EnglishUS,
		Member: &discordgo.Member{User: &discordgo.User{ID: user, Username: user}, GuildID: DiscordGuildID},
		Data: discordgo.ApplicationCommandInteractionData{
			ID: "400000000000000004", Name: "incident", CommandType: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{
				Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: options,
			}},
		},
	}
}

// decodeMultipart reads a message sent with files: payload_json and
// files[n].
func decodeMultipart(w http.ResponseWriter, r *http.Request) (json.RawMessage, []DiscordFile, bool) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return nil, nil, false
	}
	raw := json.RawMessage(r.FormValue("payload_json"))
	if !json.Valid(raw) {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return nil, nil, false
	}
	var files []DiscordFile
	for i := 0; ; i++ {
		f, h, err := r.FormFile(fmt.Sprintf("files[%d]", i))
		if err != nil {
			break
		}
		content, _ := io.ReadAll(f)
		f.Close()
		files = append(files, DiscordFile{Name: h.Filename, Content: string(content)})
	}
	return raw, files, true
}

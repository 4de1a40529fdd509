package chattest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

const channel = "123456789012345678"

func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// sendWithNonce posts the way a bot must with discordgo v0.29.0, whose
// MessageSend has no nonce fields.
func sendWithNonce(t *testing.T, s *discordgo.Session, content, nonce string) *discordgo.Message {
	t.Helper()
	body := struct {
		*discordgo.MessageSend
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}{&discordgo.MessageSend{Content: content, AllowedMentions: noMentions()}, nonce, true}
	endpoint := discordgo.EndpointChannelMessages(channel)
	raw, err := s.RequestWithBucketID("POST", endpoint, body, endpoint)
	if err != nil {
		t.Fatalf("send with nonce: %v", err)
	}
	var m discordgo.Message
	if err := m.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	return &m
}

func restCode(t *testing.T, err error) (status, code int) {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("got %T %v, want *discordgo.RESTError", err, err)
	}
	if re.Message == nil {
		return re.Response.StatusCode, -1
	}
	return re.Response.StatusCode, re.Message.Code
}

func TestDiscordMessages(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)

	embed := &discordgo.MessageEmbed{Title: "INC-1", Description: "Database down", Color: 0xff0000}
	first, err := s.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{embed}, AllowedMentions: noMentions(),
	})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if _, err := s.ChannelMessageSend(channel, "no mentions field"); err != nil {
		t.Fatalf("send: %v", err)
	}
	a := sendWithNonce(t, s, "declared", "inc-1-declared")
	b := sendWithNonce(t, s, "declared", "inc-1-declared")
	if a.ID != b.ID {
		t.Errorf("same enforced nonce gave messages %s and %s, want one", a.ID, b.ID)
	}
	content := "INC-1 resolved"
	if _, err := s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: first.ID, Channel: channel, Content: &content}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	_, err = s.ChannelMessageEdit(channel, "999", "x")
	if status, code := restCode(t, err); status != 404 || code != 10008 {
		t.Errorf("edit unknown: got %d/%d, want 404/10008", status, code)
	}

	got := d.Messages(channel)
	want := []chattest.DiscordMessage{
		{ID: first.ID, ChannelID: channel, Content: content, Components: []byte("[]"), Edits: 1, AllowedMentions: noMentions(),
			Embeds: []*discordgo.MessageEmbed{{Type: "rich", Title: "INC-1", Description: "Database down", Color: 0xff0000}}},
		{ID: got[1].ID, ChannelID: channel, Content: "no mentions field", Components: []byte("[]"), Embeds: []*discordgo.MessageEmbed{}},
		{ID: a.ID, ChannelID: channel, Content: "declared", Components: []byte("[]"), Embeds: []*discordgo.MessageEmbed{},
			AllowedMentions: noMentions(), Nonce: "inc-1-declared", EnforceNonce: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
	if got[0].AllowedMentions.Parse == nil {
		t.Error("allowed_mentions.parse was sent as [] but recorded as absent")
	}
}

func TestDiscordNonceWindow(t *testing.T) {
	d := chattest.NewDiscord(t)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	d.SetClock(func() time.Time { return now })
	s := d.Session(t, chattest.DiscordToken)
	a := sendWithNonce(t, s, "hello", "n1")
	d.SetClock(func() time.Time { return now.Add(chattest.DiscordNonceWindow) })
	if b := sendWithNonce(t, s, "hello", "n1"); b.ID == a.ID {
		t.Errorf("nonce still deduplicated after DiscordNonceWindow")
	}
	if got := len(d.Messages(channel)); got != 2 {
		t.Errorf("got %d messages, want 2", got)
	}
}

func TestDiscordChannels(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)

	inc, err := s.GuildChannelCreate(chattest.DiscordGuildID, "inc-1-db-down", discordgo.ChannelTypeGuildText)
	if err != nil {
		t.Fatalf("create channel: %v", err)
	}
	thread, err := s.ThreadStart(inc.ID, "INC-1 updates", discordgo.ChannelTypeGuildPublicThread, 1440)
	if err != nil {
		t.Fatalf("thread start: %v", err)
	}
	if err := s.ThreadMemberAdd(thread.ID, "555"); err != nil {
		t.Fatalf("thread member add: %v", err)
	}
	m, err := s.ChannelMessageSend(channel, "INC-2 declared")
	if err != nil {
		t.Fatal(err)
	}
	fromMsg, err := s.MessageThreadStartComplex(channel, m.ID, &discordgo.ThreadStart{Name: "INC-2"})
	if err != nil {
		t.Fatalf("message thread start: %v", err)
	}
	if fromMsg.ID != m.ID || !fromMsg.IsThread() {
		t.Errorf("thread from message: got ID %s thread %v, want ID %s and a thread", fromMsg.ID, fromMsg.IsThread(), m.ID)
	}
	_, err = s.MessageThreadStartComplex(channel, m.ID, &discordgo.ThreadStart{Name: "again"})
	if status, code := restCode(t, err); status != 400 || code != 160004 {
		t.Errorf("second thread: got %d/%d, want 400/160004", status, code)
	}

	want := []chattest.DiscordChannel{
		{ID: inc.ID, Name: "inc-1-db-down", GuildID: chattest.DiscordGuildID, Type: discordgo.ChannelTypeGuildText},
		{ID: thread.ID, Name: "INC-1 updates", ParentID: inc.ID, GuildID: chattest.DiscordGuildID, Type: discordgo.ChannelTypeGuildPublicThread, Thread: true, Members: []string{"555"}},
		{ID: m.ID, Name: "INC-2", ParentID: channel, GuildID: chattest.DiscordGuildID, Type: discordgo.ChannelTypeGuildPublicThread, Thread: true},
	}
	if diff := cmp.Diff(want, d.Channels()); diff != "" {
		t.Errorf("Channels (-want +got):\n%s", diff)
	}
}

func TestDiscordCommands(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)
	cmd := []*discordgo.ApplicationCommand{{Name: "incident", Description: "Run incidents", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "declare", Description: "Declare"},
	}}}

	global, err := s.ApplicationCommandBulkOverwrite(chattest.DiscordAppID, "", cmd)
	if err != nil || len(global) != 1 || global[0].ID == "" {
		t.Fatalf("global overwrite: %v %+v", err, global)
	}
	guild, err := s.ApplicationCommandBulkOverwrite(chattest.DiscordAppID, chattest.DiscordGuildID, cmd)
	if err != nil || len(guild) != 1 || guild[0].GuildID != chattest.DiscordGuildID {
		t.Fatalf("guild overwrite: %v %+v", err, guild)
	}
	if got := d.Commands(); len(got) != 1 || got[0].GuildID != chattest.DiscordGuildID {
		t.Errorf("Commands: got %+v, want the guild set", got)
	}
	if got := d.CommandsFor(""); len(got) != 1 || got[0].ID != global[0].ID || got[0].Options[0].Name != "declare" {
		t.Errorf("CommandsFor(\"\"): got %+v, want the global set", got)
	}
}

func TestDiscordFailures(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)
	const route = "POST /channels/{id}/messages"

	d.FailNext(route, 1, http.StatusTooManyRequests, 250*time.Millisecond)
	_, err := s.ChannelMessageSend(channel, "x")
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 250*time.Millisecond {
		t.Errorf("429: got %T %v, want *discordgo.RateLimitError retrying after 250ms", err, err)
	}

	d.FailNext(route, 1, http.StatusInternalServerError, 0)
	_, err = s.ChannelMessageSend("42", "x")
	if status, _ := restCode(t, err); status != 500 {
		t.Errorf("500: got status %d", status)
	}

	d.DelayNext(route, 1, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.ChannelMessageSend("43", "x", discordgo.WithContext(ctx)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed: got %v, want the context's deadline", err)
	}

	wrong := d.Session(t, "wrong")
	_, err = wrong.ChannelMessageSend(channel, "x")
	if status, code := restCode(t, err); status != 401 || code != 0 {
		t.Errorf("wrong token: got %d/%d, want 401/0", status, code)
	}

	if got := d.Calls(route); got != 4 {
		t.Errorf("Calls(%q) = %d, want 4", route, got)
	}
	if got := len(d.Messages(channel)) + len(d.Messages("42")); got != 0 {
		t.Errorf("failed sends left %d messages", got)
	}
}

func TestDiscordGatewayWrongToken(t *testing.T) {
	d := chattest.NewDiscord(t)
	err := d.Session(t, "wrong").Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4004 {
		t.Errorf("Open with a wrong token: got %v, want close 4004", err)
	}
	if got := d.Calls("GET /gateway"); got != 1 {
		t.Errorf("Calls(GET /gateway) = %d, want 1", got)
	}
}

// TestDiscordGateway opens one real session: Close sleeps a second.
func TestDiscordGateway(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)
	errs := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		sub := ic.ApplicationCommandData().Options[0]
		err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: "Declared: " + sub.Options[0].StringValue(), AllowedMentions: noMentions(),
			},
		})
		if err == nil {
			_, err = s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "only you", Flags: discordgo.MessageFlagsEphemeral})
		}
		errs <- err
	})
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.GatewayConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if s.State.User.ID != chattest.DiscordAppID {
		t.Errorf("READY user: got %q", s.State.User.ID)
	}

	i := chattest.SlashInteraction("declare", map[string]any{"title": "DB down"}, "555")
	if err := d.SendInteraction(ctx, i); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if err != nil {
			t.Fatalf("handler: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("INTERACTION_CREATE never reached the handler")
	}

	got := d.InteractionResponses()
	if len(got) != 2 || got[0].InteractionID != i.ID || got[0].Type != discordgo.InteractionResponseChannelMessageWithSource ||
		got[0].Content != "Declared: DB down" || got[0].AllowedMentions == nil || got[1].Content != "only you" {
		t.Errorf("InteractionResponses: got %+v", got)
	}
	msgs := d.Messages(chattest.DiscordChannelID)
	if len(msgs) != 1 || msgs[0].Content != "Declared: DB down" {
		t.Errorf("channel shows %+v, want only the public response", msgs)
	}
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if status, code := restCode(t, err); status != 400 || code != 40060 {
		t.Errorf("second callback: got %d/%d, want 400/40060", status, code)
	}
}

func TestDiscordKey(t *testing.T) {
	pub, sign := chattest.NewDiscordKey(t)
	body := []byte(`{"type":1}`)
	r := httptest.NewRequest("POST", "/interactions", bytes.NewReader(body))
	r.Header.Set("X-Signature-Timestamp", "1700000000")
	r.Header.Set("X-Signature-Ed25519", sign("1700000000", body))
	if !discordgo.VerifyInteraction(r, pub) {
		t.Error("VerifyInteraction rejected a signed request")
	}
	r = httptest.NewRequest("POST", "/interactions", bytes.NewReader(body))
	r.Header.Set("X-Signature-Timestamp", "1700000001")
	r.Header.Set("X-Signature-Ed25519", sign("1700000000", body))
	if discordgo.VerifyInteraction(r, pub) {
		t.Error("VerifyInteraction accepted a signature for another timestamp")
	}
}

// TestDiscordInteractionAnswers answers a registered interaction without a
// gateway, as a bot behind an HTTP interactions endpoint would.
func TestDiscordInteractionAnswers(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)
	i := d.RegisterInteraction(chattest.SlashInteraction("status", map[string]any{"id": 7, "public": true}, "555"))
	if got := i.ApplicationCommandData().Options[0].Options[0].IntValue(); got != 7 {
		t.Errorf("IntValue of option id = %d, want 7", got)
	}

	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatalf("deferred: %v", err)
	}
	if got := d.Messages(chattest.DiscordChannelID); len(got) != 0 {
		t.Errorf("deferred response visible before its edit: %+v", got)
	}
	for _, content := range []string{"INC-7 is open", "INC-7 is resolved"} {
		if _, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content}); err != nil {
			t.Fatalf("edit original: %v", err)
		}
	}
	if _, err := s.FollowupMessageCreate(i, false, &discordgo.WebhookParams{Content: "details"}); err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	got := d.Messages(chattest.DiscordChannelID)
	if len(got) != 2 || got[0].Content != "INC-7 is resolved" || got[0].Edits != 1 || got[1].Content != "details" {
		t.Errorf("channel shows %+v, want the filled response edited once, then the follow-up", got)
	}

	err := s.InteractionRespond(&discordgo.Interaction{ID: i.ID, Token: "other"}, &discordgo.InteractionResponse{Type: 5})
	if status, code := restCode(t, err); status != 404 || code != 10062 {
		t.Errorf("wrong token: got %d/%d, want 404/10062", status, code)
	}
	_, err = s.FollowupMessageCreate(&discordgo.Interaction{AppID: chattest.DiscordAppID, Token: "other"}, true, &discordgo.WebhookParams{Content: "x"})
	if status, code := restCode(t, err); status != 404 || code != 10015 {
		t.Errorf("unknown webhook: got %d/%d, want 404/10015", status, code)
	}
	if got := d.Calls("PATCH /webhooks/{id}/{token}/messages/@original"); got != 2 {
		t.Errorf("Calls(edit original) = %d, want 2", got)
	}
}

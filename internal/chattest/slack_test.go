package chattest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

func newSlackClient(t *testing.T) (*chattest.Slack, *slack.Client) {
	t.Helper()
	f := chattest.NewSlack(t)
	return f, slack.New(chattest.SlackBotToken, slack.OptionAPIURL(f.URL))
}

// wantSlackError fails unless err is the Slack API error code.
func wantSlackError(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr slack.SlackErrorResponse
	if !errors.As(err, &apiErr) || apiErr.Err != code {
		t.Fatalf("err = %v (%T), want slack.SlackErrorResponse{Err: %q}", err, err, code)
	}
}

func TestSlackAuthTest(t *testing.T) {
	_, api := newSlackClient(t)
	got, err := api.AuthTestContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.TeamID != "T0001" || got.UserID != "UBOT" || got.BotID != "BBOT" {
		t.Errorf("auth.test = %+v, want team T0001, user UBOT, bot BBOT", got)
	}
}

func TestSlackPostThreadUpdate(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	blocks := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*INC-1* open", false, false), nil, nil)
	ch, root, err := api.PostMessageContext(ctx, "C123",
		slack.MsgOptionText("INC-1 <opened>", true), slack.MsgOptionBlocks(blocks), slack.MsgOptionLinkNames(true))
	if err != nil {
		t.Fatal(err)
	}
	if ch != "C123" {
		t.Errorf("channel = %q, want C123", ch)
	}
	_, reply, err := api.PostMessageContext(ctx, "C123", slack.MsgOptionText("update 1", false), slack.MsgOptionTS(root))
	if err != nil {
		t.Fatal(err)
	}
	_, _, text, err := api.UpdateMessageContext(ctx, "C123", root, slack.MsgOptionText("INC-1 resolved", false))
	if err != nil {
		t.Fatal(err)
	}
	if text != "INC-1 resolved" {
		t.Errorf("update text = %q", text)
	}

	msgs := f.Messages("C123")
	if len(msgs) != 2 {
		t.Fatalf("Messages = %+v, want root and reply", msgs)
	}
	got := msgs[0]
	if got.TS != root || got.Text != "INC-1 resolved" || got.Edits != 1 || got.ThreadTS != "" {
		t.Errorf("root = %+v, want ts %s, edited text, 1 edit", got, root)
	}
	if !strings.Contains(string(got.Blocks), "*INC-1* open") {
		t.Errorf("root blocks = %s, want the section kept by an update without blocks", got.Blocks)
	}
	if msgs[0].Raw.Get("link_names") != "" {
		t.Errorf("Raw after update = %v, want the update's fields", msgs[0].Raw)
	}
	thread := f.Thread("C123", root)
	if len(thread) != 1 || thread[0].TS != reply || thread[0].ThreadTS != root || thread[0].Text != "update 1" {
		t.Errorf("Thread = %+v, want the one reply %s", thread, reply)
	}

	_, first, _ := api.PostMessageContext(ctx, "C123", slack.MsgOptionText("a & b", true), slack.MsgOptionLinkNames(true))
	last := f.Messages("C123")[2]
	if last.TS != first || last.Text != "a &amp; b" || last.Raw.Get("link_names") != "true" || last.Raw.Has("token") {
		t.Errorf("escaped post = %+v, want escaped text and link_names, no token", last)
	}
}

func TestSlackAttachments(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	card := func(color, text string) slack.MsgOption {
		return slack.MsgOptionAttachments(slack.Attachment{Color: color, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, text, false, false)),
		}}})
	}
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("INC-2", false), card("#FF0000", "*Investigating*"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("INC-2", false), card("#00FF00", "*Resolved*")); err != nil {
		t.Fatal(err)
	}
	got := f.Messages("C1")[0]
	if a := string(got.Attachments); !strings.Contains(a, "#00FF00") || !strings.Contains(a, "*Resolved*") || strings.Contains(a, "Investigating") {
		t.Errorf("attachments after edit = %s, want only the resolved card", a)
	}
	if got.Blocks != nil || got.Edits != 1 {
		t.Errorf("message = %+v, want no blocks and 1 edit", got)
	}
	// An update that sends nothing to show changes nothing.
	_, _, _, err = api.UpdateMessageContext(ctx, "C1", ts)
	wantSlackError(t, err, "no_text")
}

func TestSlackPostErrors(t *testing.T) {
	_, api := newSlackClient(t)
	ctx := t.Context()
	_, root, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("root", false))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(root))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"ThreadNotFound", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false), slack.MsgOptionTS("1.000001"))
			return err
		}, "thread_not_found"},
		{"ThreadOnReply", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false), slack.MsgOptionTS(reply))
			return err
		}, "thread_not_found"},
		{"ChannelNotFound", func() error {
			_, _, err := api.PostMessageContext(ctx, "general", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"NoText", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1")
			return err
		}, "no_text"},
		{"MessageNotFound", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "C1", "1.000009", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"UnknownMethod", func() error {
			_, err := api.GetUserInfoContext(ctx, "U1")
			return err
		}, "unknown_method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantSlackError(t, tt.call(), tt.want) })
	}
}

func TestSlackAuth(t *testing.T) {
	f := chattest.NewSlack(t)
	for token, want := range map[string]string{"xoxb-wrong": "invalid_auth", chattest.SlackAppToken: "not_allowed_token_type"} {
		api := slack.New(token, slack.OptionAPIURL(f.URL))
		_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false))
		wantSlackError(t, err, want)
	}
	if got := len(f.Messages("C1")); got != 0 {
		t.Errorf("%d messages posted with bad tokens", got)
	}
}

func TestSlackTimestampsUnique(t *testing.T) {
	f, api := newSlackClient(t)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	format := regexp.MustCompile(`^\d{10}\.\d{6}$`)
	seen := map[string]bool{}
	for _, m := range f.Messages("C1") {
		if !format.MatchString(m.TS) || seen[m.TS] {
			t.Errorf("ts %q is malformed or repeated", m.TS)
		}
		seen[m.TS] = true
	}
	if len(seen) != 50 || f.Calls("chat.postMessage") != 50 {
		t.Errorf("%d distinct ts, %d calls, want 50 and 50", len(seen), f.Calls("chat.postMessage"))
	}
}

func TestSlackChannels(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1-db-down"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U1", "U2", "U1"); err != nil {
		t.Fatal(err)
	}
	_, err = api.InviteUsersToConversationContext(ctx, ch.ID, "U2")
	wantSlackError(t, err, "already_in_channel")
	got, err := api.SetTopicOfConversationContext(ctx, ch.ID, "SEV1: db down")
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic.Value != "SEV1: db down" || got.ID != ch.ID {
		t.Errorf("setTopic returned %+v", got)
	}
	if _, _, _, err := api.JoinConversationContext(ctx, ch.ID); err != nil {
		t.Fatal(err)
	}
	_, err = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1-db-down"})
	wantSlackError(t, err, "name_taken")
	f.AddChannel("C0LD", "general")
	_, err = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "general"})
	wantSlackError(t, err, "name_taken")

	want := []chattest.SlackChannel{{ID: ch.ID, Name: "inc-1-db-down", Topic: "SEV1: db down", Members: []string{"U1", "U2"}}}
	if diff := cmp.Diff(f.Channels(), want); diff != "" {
		t.Errorf("Channels (-got +want):\n%s", diff)
	}
	if !strings.HasPrefix(ch.ID, "C") || ch.Name != "inc-1-db-down" {
		t.Errorf("created %+v", ch)
	}
}

func TestSlackChannelNames(t *testing.T) {
	_, api := newSlackClient(t)
	for name, want := range map[string]string{
		"":                      "invalid_name_required",
		strings.Repeat("a", 81): "invalid_name_maxlength",
		"Inc-1":                 "invalid_name_specials",
		"inc 1":                 "invalid_name_specials",
		"inc.1":                 "invalid_name_specials",
	} {
		_, err := api.CreateConversationContext(t.Context(), slack.CreateConversationParams{ChannelName: name})
		wantSlackError(t, err, want)
	}
	if _, err := api.CreateConversationContext(t.Context(), slack.CreateConversationParams{ChannelName: strings.Repeat("a_-9", 20)}); err != nil {
		t.Errorf("80-character name: %v", err)
	}
}

func TestSlackViews(t *testing.T) {
	f, api := newSlackClient(t)
	view := slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      slack.NewTextBlockObject(slack.PlainTextType, "Declare", false, false),
		CallbackID: "declare",
		Blocks:     slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}},
	}
	resp, err := api.OpenViewContext(t.Context(), "trigger-9", view)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.ID, "V") || resp.CallbackID != "declare" {
		t.Errorf("views.open answered %+v", resp.View)
	}
	view.CallbackID = "declare2"
	if _, err := api.UpdateViewContext(t.Context(), view, "", "", resp.ID); err != nil {
		t.Fatal(err)
	}
	got := f.Views()
	if len(got) != 1 || got[0].ID != resp.ID || got[0].TriggerID != "trigger-9" || got[0].View.CallbackID != "declare2" || got[0].Updates != 1 {
		t.Errorf("Views = %+v", got)
	}
}

func TestSlackFailures(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	post := func() error {
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
		return err
	}
	f.FailNext("chat.postMessage", 1, http.StatusTooManyRequests, 1500*time.Millisecond)
	f.FailNext("chat.postMessage", 1, http.StatusTooManyRequests, 0)
	f.FailNext("chat.postMessage", 1, http.StatusInternalServerError, 0)

	var limited *slack.RateLimitedError
	if err := post(); !errors.As(err, &limited) || limited.RetryAfter != 2*time.Second {
		t.Errorf("first post: %v (%T), want *slack.RateLimitedError{RetryAfter: 2s}", err, err)
	}
	var status slack.StatusCodeError
	if err := post(); !errors.As(err, &status) || status.Code != http.StatusTooManyRequests {
		t.Errorf("second post: %v (%T), want slack.StatusCodeError{Code: 429}", err, err)
	}
	if err := post(); !errors.As(err, &status) || status.Code != http.StatusInternalServerError {
		t.Errorf("third post: %v (%T), want slack.StatusCodeError{Code: 500}", err, err)
	}
	if err := post(); err != nil {
		t.Errorf("fourth post: %v", err)
	}
	if got := len(f.Messages("C1")); got != 1 || f.Calls("chat.postMessage") != 4 {
		t.Errorf("%d messages from %d calls, want 1 from 4", got, f.Calls("chat.postMessage"))
	}

	f.SlowNext("chat.postMessage", 1, time.Minute)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, _, err := api.PostMessageContext(short, "C1", slack.MsgOptionText("x", false)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow post: %v, want context.DeadlineExceeded", err)
	}
}

// TestSlackHold: a held call is answered only once released, and then in
// full.
func TestSlackHold(t *testing.T) {
	f, api := newSlackClient(t)
	release := f.Hold()
	posted := make(chan error, 1)
	go func() {
		_, _, err := api.PostMessage("C1", slack.MsgOptionText("held", false))
		posted <- err
	}()
	bottest.Eventually(t, 5*time.Second, "the call reaching the fake", func() bool { return f.Calls("chat.postMessage") == 1 })
	select {
	case err := <-posted:
		t.Fatalf("a held call was answered: %v", err)
	default:
	}
	if got := len(f.Messages("C1")); got != 0 {
		t.Errorf("%d messages while held, want none", got)
	}
	release()
	if err := <-posted; err != nil || len(f.Messages("C1")) != 1 {
		t.Errorf("after release: %v, %d messages; want the post made", err, len(f.Messages("C1")))
	}
}

func TestSlackSocketMode(t *testing.T) {
	f := chattest.NewSlack(t)
	api := slack.New(chattest.SlackBotToken, slack.OptionAppLevelToken(chattest.SlackAppToken), slack.OptionAPIURL(f.URL))
	// A short ping interval proves the fake's pings keep the connection alive.
	client := socketmode.New(api, socketmode.OptionPingInterval(1500*time.Millisecond))
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Go(func() { _ = client.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				switch evt.Type {
				case socketmode.EventTypeSlashCommand:
					cmd := evt.Data.(slack.SlashCommand)
					text := fmt.Sprintf("%s %s %s accepts=%t", cmd.Command, cmd.Text, cmd.TriggerID, evt.Request.AcceptsResponsePayload)
					_ = client.Ack(*evt.Request, map[string]string{"text": text})
				case socketmode.EventTypeInteractive:
					_ = client.Ack(*evt.Request)
				}
			}
		}
	})

	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := f.SocketConnected(wait); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	ack, err := f.SendSlashCommand(wait, slack.SlashCommand{Command: "/incident", Text: "declare db down", UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(ack, &got); err != nil || !regexp.MustCompile(`^/incident declare db down trigger-\d+ accepts=true$`).MatchString(got["text"]) {
		t.Errorf("ack = %s (%v), want the command echoed with a trigger ID", ack, err)
	}
	ack, err = f.SendInteraction(wait, json.RawMessage(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"ack"}]}`))
	if err != nil || ack != nil {
		t.Errorf("interaction ack = %s, %v; want nil payload", ack, err)
	}
	if n := f.Calls("apps.connections.open"); n != 1 {
		t.Errorf("apps.connections.open called %d times, want 1 (no reconnect)", n)
	}
	if err := f.SocketConnected(wait); err != nil {
		t.Errorf("after the exchange: %v", err)
	}

	// An ack of an envelope the fake never sent is a client bug SocketConnected reports.
	if err := client.Ack(socketmode.Request{EnvelopeID: "bogus"}); err != nil {
		t.Fatal(err)
	}
	for f.SocketConnected(wait) == nil && wait.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if err := f.SocketConnected(wait); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("SocketConnected after a bogus ack = %v, want an error naming it", err)
	}
}

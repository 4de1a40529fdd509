package chattest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

// clientTimeout is shorter than any FaultSlowAfter hold in these tests.
const clientTimeout = 250 * time.Millisecond

// hungUp reports the transport error of a connection closed without an answer.
func hungUp(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && errors.Is(err, io.EOF) && !ue.Timeout()
}

// timedOut reports the error of an http.Client whose Timeout fired.
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && errors.Is(err, context.DeadlineExceeded)
}

func slackStatus(code int) func(error) bool {
	return func(err error) bool {
		var se slack.StatusCodeError
		return errors.As(err, &se) && se.Code == code
	}
}

func TestSlackChaos(t *testing.T) {
	tests := []struct {
		kind   chattest.Fault
		want   func(error) bool
		posted int
	}{
		{chattest.Fault429WithRetryAfter, func(err error) bool {
			var rl *slack.RateLimitedError
			return errors.As(err, &rl) && rl.RetryAfter == time.Second
		}, 0},
		{chattest.Fault429Bare, slackStatus(http.StatusTooManyRequests), 0},
		{chattest.Fault500, slackStatus(http.StatusInternalServerError), 0},
		{chattest.FaultResetBefore, hungUp, 0},
		{chattest.FaultResetAfter, hungUp, 1},
		{chattest.FaultSlowAfter, timedOut, 1},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			f := chattest.NewSlack(t)
			api := slack.New(chattest.SlackBotToken, slack.OptionAPIURL(f.URL),
				slack.OptionHTTPClient(&http.Client{Timeout: clientTimeout}))
			ctx := t.Context()
			f.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{tt.kind}, Delay: time.Minute})
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("INC-1 declared", false),
				slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "post", EventPayload: map[string]any{"key": "k1"}}))
			if !tt.want(err) {
				t.Errorf("post: %v (%T), want the %v error", err, err, tt.kind)
			}
			if got := len(f.Messages("C1")); got != tt.posted {
				t.Errorf("%d messages recorded, want %d", got, tt.posted)
			}
			if diff := cmp.Diff(map[chattest.Fault]int{tt.kind: 1}, f.Faults()); diff != "" {
				t.Errorf("Faults (-want +got):\n%s", diff)
			}
			if got := f.Calls("chat.postMessage"); got != 1 {
				t.Errorf("Calls = %d, want 1: neither slack-go nor net/http retries a POST", got)
			}
			// Reads are left alone, so the poster can look for its post.
			h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true})
			if err != nil {
				t.Fatalf("history: %v", err)
			}
			if len(h.Messages) != tt.posted || tt.posted == 1 && h.Messages[0].Metadata.EventPayload["key"] != "k1" {
				t.Errorf("history = %+v, want %d message(s) carrying key k1", h.Messages, tt.posted)
			}
		})
	}
}

func TestSlackChaosSelection(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	post := func() error {
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
		return err
	}
	f.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{chattest.Fault500}, Only: []string{"chat.update"}})
	if err := post(); err != nil {
		t.Errorf("post outside Only: %v", err)
	}
	f.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{chattest.Fault500}})
	if _, err := api.AuthTestContext(ctx); err != nil {
		t.Errorf("auth.test, which changes nothing: %v", err)
	}
	f.FailNext("chat.postMessage", 1, http.StatusTooManyRequests, 0)
	if err := post(); !slackStatus(http.StatusTooManyRequests)(err) {
		t.Errorf("FailNext under chaos: %v, want its 429 first", err)
	}
	if err := post(); !slackStatus(http.StatusInternalServerError)(err) {
		t.Errorf("after FailNext: %v, want chaos's 500", err)
	}
	f.SetChaos(chattest.Chaos{})
	if err := post(); err != nil {
		t.Errorf("chaos off: %v", err)
	}
	if diff := cmp.Diff(map[chattest.Fault]int{chattest.Fault500: 1}, f.Faults()); diff != "" {
		t.Errorf("Faults (-want +got):\n%s", diff)
	}
}

// TestSlackChaosSeed runs the same calls twice with one seed: the same
// calls fail the same way.
func TestSlackChaosSeed(t *testing.T) {
	run := func() ([]string, map[chattest.Fault]int) {
		f := chattest.NewSlack(t)
		api := slack.New(chattest.SlackBotToken, slack.OptionAPIURL(f.URL), slack.OptionHTTPClient(&http.Client{Timeout: clientTimeout}))
		f.SetChaos(chattest.Chaos{Rate: 0.5, Seed: 42, Delay: time.Minute})
		var outcomes []string
		for range 30 {
			_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false))
			outcomes = append(outcomes, errorKind(err))
		}
		return outcomes, f.Faults()
	}
	first, firstFaults := run()
	second, secondFaults := run()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("outcomes differ between runs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(firstFaults, secondFaults); diff != "" {
		t.Errorf("Faults differ between runs (-first +second):\n%s", diff)
	}
	n := 0
	for _, c := range firstFaults {
		n += c
	}
	if n < 5 || n > 25 || len(firstFaults) < 3 {
		t.Errorf("Faults = %v, want about 15 of several kinds at rate 0.5", firstFaults)
	}
}

// TestSlackChaosConcurrent checks the books under concurrent posters: every
// post either failed doing nothing or is recorded exactly once.
func TestSlackChaosConcurrent(t *testing.T) {
	f := chattest.NewSlack(t)
	api := slack.New(chattest.SlackBotToken, slack.OptionAPIURL(f.URL), slack.OptionHTTPClient(&http.Client{Timeout: clientTimeout}))
	f.SetChaos(chattest.Chaos{Rate: 0.5, Seed: 7, Delay: time.Minute})
	const n = 40
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false)); err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	faults := f.Faults()
	failed := 0
	for _, c := range faults {
		failed += c
	}
	done := faults[chattest.FaultResetAfter] + faults[chattest.FaultSlowAfter]
	if got, want := len(f.Messages("C1")), int(ok.Load())+done; got != want {
		t.Errorf("%d messages, want %d: %d answered, %d done unanswered (Faults %v)", got, want, ok.Load(), done, faults)
	}
	if int(ok.Load())+failed != n || f.Calls("chat.postMessage") != n {
		t.Errorf("%d answered + %d faults, %d calls; want %d each", ok.Load(), failed, f.Calls("chat.postMessage"), n)
	}
}

// errorKind names an error without its details, which carry ports.
func errorKind(err error) string {
	var rl *slack.RateLimitedError
	var se slack.StatusCodeError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &rl):
		return "rate limited"
	case errors.As(err, &se):
		return se.Status
	case timedOut(err):
		return "timeout"
	case hungUp(err):
		return "hung up"
	}
	return err.Error()
}

func TestDiscordChaos(t *testing.T) {
	rateLimited := func(after time.Duration) func(error) bool {
		return func(err error) bool {
			var rl *discordgo.RateLimitError
			return errors.As(err, &rl) && rl.RetryAfter == after
		}
	}
	tests := []struct {
		kind   chattest.Fault
		want   func(error) bool
		posted int
	}{
		{chattest.Fault429WithRetryAfter, rateLimited(time.Second), 0},
		// Discord's 429 always has a body, which discordgo reads: no
		// Retry-After header only shows as retry_after 0.
		{chattest.Fault429Bare, rateLimited(0), 0},
		{chattest.Fault500, func(err error) bool {
			var re *discordgo.RESTError
			return errors.As(err, &re) && re.Response.StatusCode == http.StatusInternalServerError
		}, 0},
		{chattest.FaultResetBefore, hungUp, 0},
		{chattest.FaultResetAfter, hungUp, 1},
		{chattest.FaultSlowAfter, timedOut, 1},
	}
	const route = "POST /channels/{id}/messages"
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			d := chattest.NewDiscord(t)
			s := d.Session(t, chattest.DiscordToken)
			s.Client.Timeout = clientTimeout
			d.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{tt.kind}, Only: []string{route}, Delay: time.Minute})
			_, err := s.ChannelMessageSend(channel, "INC-1 declared")
			if !tt.want(err) {
				t.Errorf("send: %v (%T), want the %v error", err, err, tt.kind)
			}
			if got := len(d.Messages(channel)); got != tt.posted {
				t.Errorf("%d messages recorded, want %d", got, tt.posted)
			}
			if diff := cmp.Diff(map[chattest.Fault]int{tt.kind: 1}, d.Faults()); diff != "" {
				t.Errorf("Faults (-want +got):\n%s", diff)
			}
			if got := d.Calls(route); got != 1 {
				t.Errorf("Calls = %d, want 1", got)
			}
			if _, err := s.GuildThreadsActive(chattest.DiscordGuildID); err != nil {
				t.Errorf("a route outside Only: %v", err)
			}
		})
	}
}

func TestDiscordChaosSelection(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)
	d.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{chattest.Fault500}})
	if _, err := s.GuildThreadsActive(chattest.DiscordGuildID); err != nil {
		t.Errorf("a GET under chaos without Only: %v", err)
	}
	if _, err := s.GuildChannelCreate(chattest.DiscordGuildID, "inc-1", discordgo.ChannelTypeGuildText); err == nil {
		t.Error("a POST under chaos at rate 1 went through")
	}
	d.DelayNext("POST /channels/{id}/messages", 1, time.Millisecond)
	if _, err := s.ChannelMessageSend(channel, "x"); err != nil {
		t.Errorf("DelayNext under chaos: %v, want it served as queued", err)
	}
	d.SetChaos(chattest.Chaos{})
	if _, err := s.ChannelMessageSend(channel, "y"); err != nil {
		t.Errorf("chaos off: %v", err)
	}
	if diff := cmp.Diff(map[chattest.Fault]int{chattest.Fault500: 1}, d.Faults()); diff != "" {
		t.Errorf("Faults (-want +got):\n%s", diff)
	}
}

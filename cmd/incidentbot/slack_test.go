package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/slackapp"
)

const slackSecret = "e2e-signing-secret"

// slackRun is the real run() serving Slack against the fake, on a real Redis
// when INCIDENTBOT_TEST_REDIS_URL is set, else on a miniredis server.
type slackRun struct {
	t    *testing.T
	fake *chattest.Slack
	addr string
	team string // a team of its own, so runs on a shared Redis never meet
	n    int
}

func startSlack(t *testing.T, org string, db int) *slackRun {
	t.Helper()
	redisURL := redisFor(t, db)
	s := &slackRun{t: t, fake: chattest.NewSlack(t), addr: freeAddr(t), team: "T" + rand.Text()[:8]}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"incidentbot", "serve"}, env(map[string]string{
			"INCIDENTBOT_ADDR": s.addr, "INCIDENTBOT_ORG": org, "REDIS_URL": redisURL,
			"SLACK_BOT_TOKEN": chattest.SlackBotToken, "SLACK_SIGNING_SECRET": slackSecret,
			"SLACK_BROADCAST_CHANNEL": "C0BROADCAST", "SLACK_API_URL": s.fake.URL,
		}), strings.NewReader(""), io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	waitFor(t, "http://"+s.addr+"/readyz", http.StatusOK)
	return s
}

// command sends a slash command signed as Slack signs it and returns the
// ephemeral answer.
func (s *slackRun) command(channel, text string) string {
	s.t.Helper()
	return s.commandAs("U0ALEX", channel, text)
}

// commandAs is command typed by user, whose Slack name is their ID in
// lower case without "U0".
func (s *slackRun) commandAs(user, channel, text string) string {
	s.t.Helper()
	s.n++
	name := strings.ToLower(strings.TrimPrefix(user, "U0"))
	body := url.Values{"team_id": {s.team}, "channel_id": {channel}, "user_id": {user}, "user_name": {name}, "command": {"/incident"},
		"text": {text}, "trigger_id": {s.team + "." + strconv.Itoa(s.n)}}.Encode()
	req, _ := http.NewRequest("POST", "http://"+s.addr+"/slack/commands", strings.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackapp.Sign(slackSecret, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("%q: HTTP %d, %v", text, resp.StatusCode, err)
	}
	return unescape(answer.Text)
}

// unescape reads Slack's entities back, as a Slack client shows them.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

func TestSlackEndToEnd(t *testing.T) {
	s := startSlack(t, "Acme", 1)
	if got := s.command("C0GENERAL", "declare Checkout fails --impact major"); !strings.HasPrefix(got, "Declared INC-1: Checkout fails") {
		t.Fatalf("declare answered %q", got)
	}
	bottest.Eventually(t, 10*time.Second, "the incident channel and the broadcast root", func() bool {
		return len(s.fake.Channels()) == 1 && len(s.fake.Messages("C0BROADCAST")) == 2 && len(s.fake.Messages(s.fake.Channels()[0].ID)) == 1
	})
	ch := s.fake.Channels()[0]
	if got := s.command(ch.ID, "identified A bad deploy"); got != "INC-1 is now identified (was investigating)." {
		t.Errorf("identified answered %q", got)
	}
	bottest.Eventually(t, 10*time.Second, "the update in the channel, the thread and the root", func() bool {
		b := s.fake.Messages("C0BROADCAST")
		return len(s.fake.Messages(ch.ID)) == 2 && len(b) == 3 && b[0].Edits == 1
	})
	root := s.fake.Messages("C0BROADCAST")[0]
	var order []string
	for _, m := range s.fake.Thread("C0BROADCAST", root.TS) {
		order = append(order, m.Text)
	}
	if len(order) != 2 || !strings.Contains(order[0], "Investigating") || !strings.Contains(order[1], "Identified") {
		t.Errorf("the thread reads %q, want the declaration then the identification", order)
	}
	time.Sleep(200 * time.Millisecond) // nothing more may arrive
	if got := s.fake.Calls("chat.postMessage"); got != 5 {
		t.Errorf("%d posts, want each of the 5 once", got)
	}
	if got := s.fake.Calls("chat.update"); got != 1 {
		t.Errorf("%d edits of the root, want 1", got)
	}
}

// TestSlackReplaysSeedLikeTheConsole: the seed's commands, sent as signed
// slash commands, end in the very report the console prints.
func TestSlackReplaysSeedLikeTheConsole(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed-replay.txt")
	if err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	if err := run(context.Background(), []string{"incidentbot", "console"}, env(map[string]string{"INCIDENTBOT_ORG": "Customer.io"}),
		bytes.NewReader(seed), &console, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := lastReport(t, console.String())

	s := startSlack(t, "Customer.io", 2)
	var got string
	channel := "C0GENERAL"
	lines := bufio.NewScanner(bytes.NewReader(seed))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		got = s.command(channel, strings.TrimPrefix(lines.Text(), "/incident "))
		if strings.Contains(got, "There is no") || strings.Contains(got, "No incident") {
			t.Fatalf("%q answered %q", lines.Text(), got)
		}
		if channel == "C0GENERAL" {
			// Responders carry on in the incident channel once it opens.
			bottest.Eventually(t, 10*time.Second, "the incident channel", func() bool { return len(s.fake.Channels()) == 1 })
			channel = s.fake.Channels()[0].ID
		}
	}
	if got != want {
		t.Errorf("Slack's report differs from the console's:\n--- slack\n%s\n--- console\n%s", got, want)
	}
	checkSeedMetrics(t, s.addr, bytes.Count(seed, []byte("\n")))
}

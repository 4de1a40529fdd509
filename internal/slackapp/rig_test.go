package slackapp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
	"github.com/incidentbot/incidentbot/internal/slackapp"
)

const (
	secret    = "test-signing-secret"
	broadcast = "C0BROADCAST"
	general   = "C0GENERAL"
)

var workspace = bot.Workspace{Platform: bot.Slack, ID: chattest.SlackTeamID}

// rig is the Slack door on the embedded Redis, talking to the fake Slack,
// with the delivery loop running.
type rig struct {
	t     testing.TB
	fake  *chattest.Slack
	store *redisstore.Store
	svc   *bot.Service
	app   *slackapp.App
	srv   *httptest.Server
	n     int
}

func newRig(t testing.TB) *rig { return newRigOf(t, rigSettings{deliver: true}) }

// newRigWith is newRig with reminders after cadence running.
func newRigWith(t *testing.T, cadence map[bot.Impact]time.Duration) *rig {
	return newRigOf(t, rigSettings{deliver: true, cadence: cadence})
}

// rigSettings vary a rig: with delivery running or not, reminders after
// cadence, the service's clock.
type rigSettings struct {
	deliver bool
	cadence map[bot.Impact]time.Duration
	clock   bot.Clock
}

func newRigOf(t testing.TB, set rigSettings) *rig {
	t.Helper()
	cadence := set.cadence
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := redistest.Open(t, "")
	fake := chattest.NewSlack(t)
	svc := bot.NewService(bot.Options{Store: st, Org: "Acme", Broadcast: map[bot.Platform]string{bot.Slack: broadcast}, Cadence: cadence, Clock: set.clock})
	api := slack.New(chattest.SlackBotToken, slack.OptionAPIURL(fake.URL), slack.OptionAppLevelToken(chattest.SlackAppToken))
	app := slackapp.New(slackapp.Options{Service: svc, API: api, Verifier: slackapp.Verifier{Secret: secret}, Broadcast: broadcast})
	d := bot.NewDelivery(bot.DeliveryOptions{
		Outbox: st, Posters: map[bot.Platform]bot.Poster{bot.Slack: app.Poster()},
		Sweep: 10 * time.Millisecond, BaseDelay: 20 * time.Millisecond,
	})
	if set.deliver {
		go d.Run(ctx)
		go svc.RunReminders(ctx)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /slack/commands", app.Commands())
	mux.Handle("POST /slack/interactions", app.Interactions())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &rig{t: t, fake: fake, store: st, svc: svc, app: app, srv: srv}
}

// signed sends body to path signed as Slack signs it, at time at.
func (r *rig) signed(path, body string, at time.Time) *http.Response {
	r.t.Helper()
	req, _ := http.NewRequest("POST", r.srv.URL+path, strings.NewReader(body))
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackapp.Sign(secret, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// commandBody is a slash command's form body as Slack sends it.
func (r *rig) commandBody(channel, text string) string {
	r.n++
	return url.Values{
		"team_id": {chattest.SlackTeamID}, "channel_id": {channel}, "user_id": {"U0ALEX"}, "user_name": {"alex"},
		"command": {"/incident"}, "text": {text}, "trigger_id": {"trigger-" + strconv.Itoa(r.n)},
	}.Encode()
}

// command runs a slash command over HTTP and returns the ephemeral answer.
func (r *rig) command(channel, text string) string {
	r.t.Helper()
	resp := r.signed("/slack/commands", r.commandBody(channel, text), time.Now())
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("%q: HTTP %d", text, resp.StatusCode)
	}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) == 0 {
		return ""
	}
	var answer ephemeralAnswer
	if err := json.Unmarshal(raw, &answer); err != nil || answer.ResponseType != "ephemeral" {
		r.t.Fatalf("%q answered %s, want an ephemeral message", text, raw)
	}
	return answer.Text
}

// settle waits until every queued post is delivered.
func (r *rig) settle() {
	r.t.Helper()
	bottest.WaitDelivered(r.t, r.store, workspace)
}

// incidentChannel is the one channel the bot created.
func (r *rig) incidentChannel() chattest.SlackChannel {
	r.t.Helper()
	chs := r.fake.Channels()
	if len(chs) != 1 {
		r.t.Fatalf("channels created: %+v, want one", chs)
	}
	return chs[0]
}

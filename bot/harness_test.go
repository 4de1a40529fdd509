package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// harness is a Service on the embedded Redis with a clock the test moves.
type harness struct {
	t      *testing.T
	svc    *bot.Service
	store  *redisstore.Store
	clock  *bottest.Clock
	poster *bottest.Poster
	ws     bot.Workspace
	opt    bot.Options
	// channel is where commands are typed; C1 unless a test moves.
	channel string
}

// newHarness starts at now with org "Acme" and a Slack broadcast channel.
func newHarness(t *testing.T, now time.Time) *harness {
	t.Helper()
	st := redistest.Open(t, "")
	h := &harness{t: t, store: st, clock: bottest.NewClock(now), poster: &bottest.Poster{}, ws: bot.Workspace{Platform: bot.Slack, ID: "T1"}, channel: "C1"}
	h.opt = bot.Options{Store: st, Clock: h.clock, Org: "Acme", Broadcast: map[bot.Platform]string{bot.Slack: "C-BROADCAST"}}
	h.svc = bot.NewService(h.opt)
	return h
}

// do runs a command typed in h.channel that must succeed.
func (h *harness) do(line string) bot.Reply {
	h.t.Helper()
	return bottest.MustHandle(h.t, h.svc, h.ws, h.channel, line)
}

// fail runs a command that must fail and returns its error.
func (h *harness) fail(line string) error {
	h.t.Helper()
	_, err := h.svc.Handle(context.Background(), bot.Request{Workspace: h.ws, Channel: h.channel, Actor: "@tester", Text: line, RequestID: bottest.RequestID()})
	if err == nil {
		h.t.Fatalf("%q succeeded, want an error", line)
	}
	return err
}

// deliver drains the outbox into the recording poster.
func (h *harness) deliver() []bottest.Call {
	h.t.Helper()
	d := bot.NewDelivery(bot.DeliveryOptions{Outbox: h.store, Posters: map[bot.Platform]bot.Poster{bot.Slack: h.poster}})
	bottest.Drain(h.t, h.store, d, h.ws, "test")
	return h.poster.Calls()
}

// at parses an RFC 3339 time or fails the test.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	bottest.Golden(t, name, []byte(got))
}

// find reads incident n of the harness's workspace.
func (h *harness) find(n int) bot.Incident {
	h.t.Helper()
	return bottest.MustFind(h.t, h.store, h.ws, n)
}

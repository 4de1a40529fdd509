package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// TestOutboxCommand: parked posts are listed, sent back to their lanes, or
// purged by an operator, and replay and purge want a workspace named.
func TestOutboxCommand(t *testing.T) {
	vars := map[string]string{"REDIS_URL": redisFor(t, 11)}
	ctx := context.Background()
	st := redistest.Open(t, vars["REDIS_URL"])
	ws := bot.Workspace{Platform: bot.Slack, ID: "TOUTBOX"}
	svc := bot.NewService(bot.Options{Store: st})
	if _, err := svc.Handle(ctx, bot.Request{Workspace: ws, Channel: "C1", Actor: "U0ALEX", Text: "declare Parked post", RequestID: "outbox-1"}); err != nil {
		t.Fatal(err)
	}
	l, ok, err := st.Take(ctx, &bot.Taking{Workspace: ws, Owner: "test", Lease: time.Minute})
	if err != nil || !ok {
		t.Fatalf("take: %v, %v", ok, err)
	}
	if _, _, err := st.Park(ctx, l, "channel_not_found", nil); err != nil {
		t.Fatal(err)
	}
	outbox := func(args ...string) (string, error) {
		var out strings.Builder
		err := run(ctx, append([]string{"incidentbot", "outbox"}, args...), env(vars), strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	list, err := outbox("list")
	if err != nil || strings.Count(list, "\n") != 1 || !strings.Contains(list, `"reason":"channel_not_found"`) || !strings.Contains(list, `"incident":1`) {
		t.Fatalf("outbox list: %q, %v", list, err)
	}
	if other, _ := outbox("list", "--incident", "2"); other != "" {
		t.Errorf("outbox list --incident 2: %q, want nothing", other)
	}
	for _, verb := range []string{"replay", "purge"} {
		if _, err := outbox(verb); err == nil || !strings.Contains(err.Error(), "needs --workspace") {
			t.Errorf("outbox %s without a workspace: %v", verb, err)
		}
	}
	before, _ := st.Backlog(ctx, ws)
	if got, err := outbox("replay", "--workspace", "slack:TOUTBOX", "--incident", "1"); err != nil || got != "Sent 1 parked post(s) back to their lanes.\n" {
		t.Fatalf("outbox replay: %q, %v", got, err)
	}
	after, _ := st.Backlog(ctx, ws)
	if after.Parked != 0 || after.Queued != before.Queued+1 {
		t.Errorf("backlog %+v after the replay, %+v before; want the post queued again", after, before)
	}
	if got, err := outbox("purge", "--workspace", "slack:TOUTBOX"); err != nil || got != "Deleted 0 parked post(s).\n" {
		t.Errorf("outbox purge with nothing parked: %q, %v", got, err)
	}
	if _, err := outbox("unpark"); err == nil {
		t.Error("outbox unpark succeeded")
	}
}

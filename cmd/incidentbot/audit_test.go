package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

// TestAuditCommand: `incidentbot audit` prints the trail as JSON lines an
// operator can filter, by workspace and time.
func TestAuditCommand(t *testing.T) {
	vars := map[string]string{"REDIS_URL": redisFor(t, 10)}
	script := "declare Checkout fails\nupdate Still looking\n"
	if err := run(context.Background(), []string{"incidentbot", "console"}, env(vars), strings.NewReader(script), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	audit := func(args ...string) ([]bot.AuditRecord, error) {
		var out strings.Builder
		err := run(context.Background(), append([]string{"incidentbot", "audit"}, args...), env(vars), strings.NewReader(""), &out, io.Discard)
		var recs []bot.AuditRecord
		lines := bufio.NewScanner(strings.NewReader(out.String()))
		for lines.Scan() {
			var r bot.AuditRecord
			if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
				t.Fatalf("not a JSON line: %q", lines.Text())
			}
			recs = append(recs, r)
		}
		return recs, err
	}
	for _, args := range [][]string{nil, {"--workspace", "console:local"}, {"--since", "2000-01-01T00:00:00Z"}} {
		recs, err := audit(args...)
		if err != nil || len(recs) != 2 || recs[0].Command != bot.CmdDeclare || recs[1].Command != bot.CmdUpdate || recs[1].Platform != bot.Console {
			t.Errorf("audit %v: %+v, %v; want the declaration and the update", args, recs, err)
		}
	}
	if recs, err := audit("--since", "2999-01-01T00:00:00Z"); err != nil || len(recs) != 0 {
		t.Errorf("audit from 2999: %+v, %v; want nothing", recs, err)
	}
	if recs, err := audit("--workspace", "slack:T0NONE"); err != nil || len(recs) != 0 {
		t.Errorf("audit of a workspace without a trail: %+v, %v; want nothing", recs, err)
	}
	for _, bad := range [][]string{{"--since", "yesterday"}, {"--workspace", "local"}, {"extra"}} {
		if _, err := audit(bad...); err == nil {
			t.Errorf("audit %v succeeded", bad)
		}
	}
}

// TestServeWarnsWithoutResponders: a chat door without a list of
// responders lets every member change every incident, and serving says so
// once.
func TestServeWarnsWithoutResponders(t *testing.T) {
	fake := chattest.NewSlack(t)
	addr := freeAddr(t)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"incidentbot", "serve"}, env(map[string]string{
			"INCIDENTBOT_ADDR": addr, "SLACK_BOT_TOKEN": chattest.SlackBotToken, "SLACK_SIGNING_SECRET": slackSecret, "SLACK_API_URL": fake.URL,
		}), strings.NewReader(""), io.Discard, logs)
	}()
	waitFor(t, "http://"+addr+"/readyz", http.StatusOK)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "every member may change every incident; set SLACK_RESPONDERS"); n != 1 {
		t.Errorf("the warning was logged %d times, want once:\n%s", n, logs.String())
	}
}

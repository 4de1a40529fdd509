package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
)

// TestStatsCommand: after the seed replay, incidentbot stats gives the
// seed's durations, from the declaration at 17:25:40: identified after
// 1h 8m, mitigated after 4h 22m, resolved after 4h 32m, and an impact
// window of 4h 46m from --started 17:12.
func TestStatsCommand(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed-replay.txt")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"REDIS_URL": redisFor(t, 12), "INCIDENTBOT_ORG": "Customer.io"}
	if err := run(context.Background(), []string{"incidentbot", "console"}, env(vars), bytes.NewReader(seed), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	stats := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := run(context.Background(), append([]string{"incidentbot", "stats", "--since", "3650d"}, args...), env(vars), nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	table := stats()
	for _, want := range []string{
		"major             1  1h 8m / 1h 8m     4h 22m / 4h 22m   4h 32m / 4h 32m   4h 46m / 4h 46m",
		"all               1  1h 8m / 1h 8m     4h 22m / 4h 22m   4h 32m / 4h 32m   4h 46m / 4h 46m",
		"Most often affected: Data Processing (1), Message Sending (1), User Interface (1)",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("stats lacks %q:\n%s", want, table)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(stats("--format", "csv"))).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][0] != "major" || rows[1][2] != "4100" || rows[1][6] != "16350" {
		t.Errorf("csv: %v, %v", rows, err)
	}
	var js bot.Stats
	if err := json.Unmarshal([]byte(stats("--format", "json")), &js); err != nil || len(js.Rows) != 2 || js.Rows[0].Incidents != 1 {
		t.Errorf("json: %+v, %v", js, err)
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"incidentbot", "stats", "--format", "xml"}, env(vars), nil, &out, io.Discard); err == nil {
		t.Error("stats --format xml succeeded")
	}
}

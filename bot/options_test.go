package bot_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
)

// TestParseOptionsMatchesParse: a command given as typed options is the very
// command the text grammar reads from the same words.
func TestParseOptionsMatchesParse(t *testing.T) {
	for _, tc := range []struct {
		line    string
		command string
		opts    map[string]string
	}{
		{`declare Checkout fails --impact major --components "Payments, API" --message "Cards fail." --at 2025-10-30T17:25:40Z --started "2025-10-30 17:12"`,
			"declare", map[string]string{"title": "Checkout fails", "impact": "major", "components": "Payments, API", "message": "Cards fail.", "at": "2025-10-30T17:25:40Z", "started": "2025-10-30 17:12"}},
		{"identified INC-4 The cause", "identified", map[string]string{"incident": "INC-4", "message": "The cause"}},
		{`update "500 errors are back"`, "update", map[string]string{"message": "500 errors are back"}},
		{"postmortem #2", "postmortem", map[string]string{"incident": "#2"}},
		{"postmortem #2 The body --at 2025-11-06T22:31:00Z", "postmortem", map[string]string{"incident": "2", "body": "The body", "at": "2025-11-06T22:31:00Z"}},
		{"show", "show", nil},
		{"list --all", "list", map[string]string{"all": "true"}},
		{"impact INC-3 critical", "impact", map[string]string{"incident": "INC-3", "impact": "critical"}},
		{`components "DB, Cache"`, "components", map[string]string{"components": "DB, Cache"}},
		{"assign comms <@123456>", "assign", map[string]string{"role": "comms", "user": "<@123456>"}},
		{"help resolved", "help", map[string]string{"command": "resolved"}},
		{"resolve It is over", "resolve", map[string]string{"message": "It is over"}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			want, err := bot.Parse(tc.line, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			got, err := bot.ParseOptions(tc.command, tc.opts, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-Parse +ParseOptions):\n%s", diff)
			}
		})
	}
}

func TestParseOptionsErrors(t *testing.T) {
	for _, tc := range []struct {
		command string
		opts    map[string]string
		want    string
	}{
		{"escalate", nil, "There is no /incident escalate."},
		{"identified", map[string]string{"incident": "INC-x", "message": "m"}, `"INC-x" is not an incident reference; write one like INC-12.`},
		{"identified", nil, "/incident identified needs a message for the timeline"},
		{"declare", map[string]string{"title": "T", "impact": "huge"}, `--impact must be none, minor, major or critical, not "huge".`},
		{"update", map[string]string{"message": "m", "at": "yesterday"}, `Could not read the time "yesterday" of --at.`},
		{"assign", map[string]string{"role": "boss", "user": "@a"}, `The role must be commander, comms or scribe, not "boss".`},
	} {
		_, err := bot.ParseOptions(tc.command, tc.opts, time.UTC)
		if got := bot.ErrorMessage(err); len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
			t.Errorf("%s %v: got %q, want it to start %q", tc.command, tc.opts, got, tc.want)
		}
	}
}

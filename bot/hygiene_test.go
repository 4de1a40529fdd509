package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// TestInputHygiene: what responders type loses what changes how it reads
// without showing, before anything is kept.
func TestInputHygiene(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		title, msg string // what is kept; want is "" when refused
		refusal    string
	}{
		{"BidiOverrideTitle", "declare Pay\u202Ements\u202C down", "Payments down", "", ""},
		{"IsolatesTitle", "declare \u2066API\u2069 slow", "API slow", "", ""},
		{"ZeroWidthTitle", "declare Lo\u200Bgins\u200C fail\uFEFF", "Logins fail", "", ""},
		{"ControlTitle", "declare \"Disk\x07 full\x1b[2J\"", "Disk full[2J", "", ""},
		{"EmojiJoinerKept", "declare 👩\u200D💻 tooling down", "👩\u200D💻 tooling down", "", ""},
		{"MessageKeepsLines", "update \"line one\nline\ttwo\u202E\x00\"", "", "line one\nline\ttwo", ""},
		{"InvisibleTitle", "declare \u200B\u202E\u2066", "", "", "The title has no visible characters. Give the incident a title people can read."},
		{"InvisibleMessage", "update \"\u200B\u200B\"", "", "", "The message has no visible characters. Write what stakeholders should read."},
		{"AtBefore2000", "update Late --at 1999-12-31T23:59:00Z", "", "", `The time "1999-12-31T23:59:00Z" of --at is before 2000; write the date in full, for example 2025-10-30 17:25.`},
		{"AtZeroTime", "update Late --at 0001-01-01T00:00:00Z", "", "", `The time "0001-01-01T00:00:00Z" of --at is before 2000; write the date in full, for example 2025-10-30 17:25.`},
		{"StartedBefore2000", "declare Old --started 1970-01-01 00:00", "", "", `The time "1970-01-01 00:00" of --started is before 2000; write the date in full, for example 2025-10-30 17:25.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := bot.Parse(tc.line, time.UTC)
			if tc.refusal != "" {
				if err == nil || bot.ErrorMessage(err) != tc.refusal {
					t.Fatalf("Parse(%q) = %v\nwant refusal %q", tc.line, err, tc.refusal)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.line, err)
			}
			if c.Name == bot.CmdDeclare && c.Text != tc.title || c.Name != bot.CmdDeclare && c.Text != tc.msg {
				t.Errorf("Parse(%q) kept %q", tc.line, c.Text)
			}
		})
	}
}

// TestComponentCountStopsAtLimit: a list far over the limit is refused
// without splitting all of it first.
func TestComponentCountStopsAtLimit(t *testing.T) {
	var names strings.Builder
	for i := range 9634 {
		fmt.Fprintf(&names, "c%d,", i)
	}
	line := `components "` + names.String() + `"`
	_, err := bot.Parse(line, time.UTC)
	if err == nil || !strings.Contains(bot.ErrorMessage(err), "the limit is 25") {
		t.Fatalf("9,634 components: %v, want the limit", err)
	}
	allocs := testing.AllocsPerRun(5, func() { bot.Parse(line, time.UTC) })
	if allocs > 200 {
		t.Errorf("refusing 9,634 components made %.0f allocations; counting should stop at the limit", allocs)
	}
}

package bot_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
)

// parseCommandNames is every command Parse may return.
var parseCommandNames = []bot.Name{
	bot.CmdDeclare, bot.CmdInvestigating, bot.CmdIdentified, bot.CmdMonitoring,
	bot.CmdResolved, bot.CmdUpdate, bot.CmdPostmortem, bot.CmdShow, bot.CmdList,
	bot.CmdImpact, bot.CmdComponents, bot.CmdAssign, bot.CmdVisibility, bot.CmdAudit, bot.CmdSnooze, bot.CmdFollowUp, bot.CmdFollowUps, bot.CmdStats, bot.CmdHelp,
}

// parseSeedLines returns the command lines of the seed incident replay.
func parseSeedLines(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed-replay.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) < 2 {
		tb.Fatalf("seed-replay.txt holds %d lines", len(lines))
	}
	return lines
}

// TestParseSeedReplay parses every line of the seed incident as typed.
func TestParseSeedReplay(t *testing.T) {
	want := []bot.Name{
		bot.CmdDeclare, bot.CmdUpdate, bot.CmdIdentified,
		bot.CmdUpdate, bot.CmdUpdate, bot.CmdUpdate, bot.CmdUpdate, bot.CmdUpdate, bot.CmdUpdate,
		bot.CmdMonitoring, bot.CmdResolved, bot.CmdPostmortem, bot.CmdShow,
	}
	var got []bot.Name
	for i, line := range parseSeedLines(t) {
		cmd, err := bot.Parse(line, time.UTC)
		if err != nil {
			t.Errorf("line %d %q: %v", i+1, clipForLog(line), err)
			continue
		}
		checkParsedCommand(t, line, cmd)
		got = append(got, cmd.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("command names differ (-want +got):\n%s", diff)
	}
}

func FuzzParse(f *testing.F) {
	for _, line := range parseSeedLines(f) {
		f.Add(line)
	}
	for _, line := range []string{
		"",
		"/incident",
		`"`, `'`, "“", "”", "‘", "’", `""`, "“”",
		"update ”", "update ‘", `update "`, "update “we’re on it”", "update ‘it’s fine’",
		`declare "unterminated --impact major`,
		"declare “Checkout down” —impact major —components ‘API, Web’ —message “On it”",
		"update -- --", "update —", "update – –at", "update --- ---", "update --=x", "list —all", "list --all=",
		"declare x --at 2025-10-30 17:25:40 --started=2025-10-30T17:00:00+02:00",
		"update --at 2025-10-30 17:25",
		"assign 12 commander <@U123|alex>", "assign comms <@!123>", "assign scribe @",
		"help /resolve", "help declare now",
		`components ""`, "components " + strings.Repeat("a,", 30),
		"\u00a0/incident\u00a0update\u00a0non-breaking spaces",
		"update line\u2028separator\u2029and\u0085next",
		"update 日本語のメッセージ 🚒 ça va",
		"update \xff\xfe invalid \xe2\x80",
		"\"a\nb\"",
		"help \"a\nb\"",
		"declare " + strings.Repeat("x", 200),
		"update " + strings.Repeat("é ", 2000),
		"postmortem " + strings.Repeat("# ", 7000),
		"resolved INC-0012 all clear",
		"update 503 errors are back",
	} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, err := bot.Parse(line, time.UTC)
		if err != nil {
			checkParseError(t, line, err)
		} else {
			checkParsedCommand(t, line, got)
		}

		// The leading /incident is optional: adding it changes nothing.
		if fields := strings.Fields(line); len(fields) == 0 || !strings.EqualFold(fields[0], "/incident") {
			checkParsesAlike(t, line, "/incident "+line)
		}
		// Trailing spaces are never part of a word.
		checkParsesAlike(t, line, line+" \t")
	})
}

// checkParsesAlike fails when two lines that mean the same parse differently.
func checkParsesAlike(t *testing.T, line, other string) {
	t.Helper()
	got, err := bot.Parse(other, time.UTC)
	want, wantErr := bot.Parse(line, time.UTC)
	if bot.ErrorMessage(err) != bot.ErrorMessage(wantErr) {
		t.Fatalf("Parse(%q) refused with\n %q\nbut Parse(%q) with\n %q", other, bot.ErrorMessage(err), line, bot.ErrorMessage(wantErr))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Parse(%q) differs from Parse(%q) (-want +got):\n%s", other, line, diff)
	}
}

// checkParseError checks what every refusal of Parse has by design.
func checkParseError(t *testing.T, line string, err error) {
	t.Helper()
	var e *bot.Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%q) = %v (%T), want a *bot.Error", line, err, err)
	}
	if code := bot.ErrorCode(err); code != bot.EINVALID {
		t.Errorf("Parse(%q): code %q, want %q", line, code, bot.EINVALID)
	}
	msg := bot.ErrorMessage(err)
	if msg == "" {
		t.Fatalf("Parse(%q): empty error message", line)
	}
	// User text quoted back is clipped, so the sentence does not grow with
	// the line.
	if len(msg) > 1024 {
		t.Errorf("Parse(%q): error message is %d bytes long: %q", line, len(msg), msg)
	}
	// The parser writes no line breaks of its own; one is only ever the
	// responder's own, echoed back.
	for _, nl := range []string{"\n", "\r"} {
		if strings.Contains(msg, nl) && !strings.Contains(line, nl) {
			t.Errorf("Parse(%q): error message has a line break: %q", line, msg)
		}
	}
	// A sentence ends with a full stop; a usage error ends with a usage line.
	if !strings.HasSuffix(msg, ".") && !endsWithUsage(msg) {
		t.Errorf("Parse(%q): error message ends neither with a full stop nor a usage line: %q", line, msg)
	}
}

func endsWithUsage(msg string) bool {
	for _, n := range parseCommandNames {
		if strings.HasSuffix(msg, " Usage: "+bot.Usage(n)) {
			return true
		}
	}
	return false
}

// checkParsedCommand checks what every command Parse returns has by design:
// a known name, trimmed text within the limits, and zero in every field the
// command does not take.
func checkParsedCommand(t *testing.T, line string, c bot.Command) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("Parse(%q) = %+v: "+format, append([]any{clipForLog(line), c}, args...)...)
	}
	known := false
	for _, n := range parseCommandNames {
		known = known || c.Name == n
	}
	if !known {
		fail("unknown command name %q", c.Name)
		return
	}
	takes := func(names ...bot.Name) bool {
		for _, n := range names {
			if c.Name == n {
				return true
			}
		}
		return false
	}
	status := takes(bot.CmdInvestigating, bot.CmdIdentified, bot.CmdMonitoring, bot.CmdResolved, bot.CmdUpdate)

	if strings.TrimFunc(c.Text, unicode.IsSpace) != c.Text {
		fail("Text %q has surrounding space", c.Text)
	}
	n := utf8.RuneCountInString(c.Text)
	switch {
	case c.Name == bot.CmdDeclare:
		// No title at all asks for the declare form, but not with flags given.
		flagged := c.Impact != "" || c.HasComponents || c.Message != "" || !c.At.IsZero() || !c.Started.IsZero()
		if c.Text == "" && flagged || n > bot.MaxTitle {
			fail("title of %d runes", n)
		}
		if strings.Join(strings.Fields(c.Text), " ") != c.Text {
			fail("title %q has runs of space", c.Text)
		}
	case status:
		if c.Text == "" || n > bot.MaxMessage {
			fail("message of %d runes", n)
		}
	case c.Name == bot.CmdFollowUp && c.Verb == "add":
		if c.Text == "" || n > bot.MaxMessage {
			fail("follow-up of %d runes", n)
		}
	case c.Name == bot.CmdPostmortem:
		if n > bot.MaxPostmortem {
			fail("body of %d runes", n)
		}
	default:
		if c.Text != "" {
			fail("Text set")
		}
	}

	if c.Message != "" && !takes(bot.CmdDeclare) {
		fail("Message set")
	}

	// Input hygiene: nothing that changes how text reads without showing.
	lines := !takes(bot.CmdDeclare) // a title is one line; messages keep theirs
	if r, ok := hidden(c.Text, lines); ok {
		fail("Text keeps %U", r)
	}
	if r, ok := hidden(c.Message, true); ok {
		fail("Message keeps %U", r)
	}
	for _, name := range append([]string{c.UserName}, c.Components...) {
		if r, ok := hidden(name, false); ok {
			fail("a name keeps %U", r)
		}
	}
	if c.Since < 0 || c.Since != 0 && c.Name != bot.CmdStats {
		fail("Since %v", c.Since)
	}
	if c.Next < 0 || c.Next != 0 && !takes(bot.CmdInvestigating, bot.CmdIdentified, bot.CmdMonitoring, bot.CmdUpdate) {
		fail("Next %v", c.Next)
	}
	if (c.Snooze != 0 || c.SnoozeOff) != (c.Name == bot.CmdSnooze) || c.Snooze != 0 && c.SnoozeOff {
		fail("Snooze %v, off %v", c.Snooze, c.SnoozeOff)
	}
	for _, t := range []time.Time{c.At, c.Started} {
		if !t.IsZero() && t.Year() < 2000 {
			fail("a time before 2000: %v", t)
		}
	}
	if strings.TrimFunc(c.Message, unicode.IsSpace) != c.Message || utf8.RuneCountInString(c.Message) > bot.MaxMessage {
		fail("Message %q untrimmed or too long", clipForLog(c.Message))
	}

	if c.Ref < 0 || c.Ref > 999999999 || (c.Ref != 0 && takes(bot.CmdDeclare, bot.CmdList, bot.CmdHelp)) {
		fail("Ref %d", c.Ref)
	}

	switch _, ok := bot.ParseImpact(string(c.Impact)); {
	case c.Name == bot.CmdImpact && !ok:
		fail("impact %q", c.Impact)
	case c.Impact != "" && (!ok || !takes(bot.CmdDeclare, bot.CmdImpact)):
		fail("Impact %q set", c.Impact)
	}

	if c.HasComponents != takes(bot.CmdComponents) && !(c.HasComponents && c.Name == bot.CmdDeclare) {
		fail("HasComponents %t", c.HasComponents)
	}
	if len(c.Components) > 0 && !c.HasComponents {
		fail("Components without HasComponents")
	}
	if len(c.Components) > bot.MaxComponents {
		fail("%d components", len(c.Components))
	}
	for i, name := range c.Components {
		if name == "" || strings.Join(strings.Fields(name), " ") != name || utf8.RuneCountInString(name) > bot.MaxComponentName {
			fail("component %q", name)
		}
		for _, other := range c.Components[:i] {
			if strings.EqualFold(name, other) {
				fail("component %q twice", name)
			}
		}
	}

	if !c.At.IsZero() && (c.At.Location() != time.UTC || !(status || takes(bot.CmdDeclare, bot.CmdPostmortem))) {
		fail("At %v", c.At)
	}
	if !c.Started.IsZero() && (c.Started.Location() != time.UTC || c.Name != bot.CmdDeclare) {
		fail("Started %v", c.Started)
	}
	if c.All && c.Name != bot.CmdList {
		fail("All set")
	}

	if c.Name == bot.CmdAssign {
		if _, ok := bot.ParseRole(string(c.Role)); !ok || c.User == "" {
			fail("role %q, user %q", c.Role, c.User)
		}
	} else if c.Role != "" || c.User != "" && !(c.Name == bot.CmdFollowUp && c.Verb == "add") {
		fail("Role or User set")
	}
	if c.Topic != "" && (c.Name != bot.CmdHelp || bot.Usage(c.Topic) == "") {
		fail("Topic %q", c.Topic)
	}

	if utf8.ValidString(line) {
		for _, s := range append([]string{c.Text, c.Message, c.User}, c.Components...) {
			if !utf8.ValidString(s) {
				fail("invalid UTF-8 %q from a valid line", s)
			}
		}
	}
}

// hidden returns the first rune of s that input hygiene takes out: bidi
// controls, zero-width characters outside emoji, control characters (but
// newline and tab when lines is set).
func hidden(s string, lines bool) (rune, bool) {
	prev := rune(0)
	for _, r := range s {
		switch {
		case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', r == '\u200B', r == '\u200E', r == '\u200F', r == '\uFEFF':
			return r, true
		case r == '\u200D' && !unicode.Is(unicode.So, prev) && prev != '\uFE0F' && !(prev >= 0x1F3FB && prev <= 0x1F3FF):
			return r, true
		case (r == '\n' || r == '\t') && lines:
		case unicode.IsControl(r):
			return r, true
		}
		prev = r
	}
	return 0, false
}

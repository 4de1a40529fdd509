package bot_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// TestSeedReplay replays the commands of a real incident and checks the status
// report against the text its readers saw.
func TestSeedReplay(t *testing.T) {
	h := newHarness(t, at(t, "2026-01-05T09:00:00Z"))
	h.opt.Org = "Customer.io"
	h.svc = bot.NewService(h.opt)
	report := h.replaySeed(func(string) bool { return true })
	seed, err := os.ReadFile("testdata/seed-incident.txt")
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSeed(t, report, string(seed), []string{"Data Processing", "Message Sending", "User Interface"})
	golden(t, "report-seed.golden", report)
}

// replaySeed types the seed's commands that keep says to keep, in the
// incident channel once it is open, and returns the last reply.
func (h *harness) replaySeed(keep func(line string) bool) string {
	h.t.Helper()
	f, err := os.Open("testdata/seed-replay.txt")
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	var last string
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		if !keep(lines.Text()) {
			continue
		}
		last = h.do(lines.Text()).Text
		if h.channel == "C1" {
			// Once the incident channel is open, responders type there.
			h.deliver()
			h.channel = "inc-1"
		}
	}
	return last
}

// checkAgainstSeed compares a report with the seed's text piece by piece: the
// seed lists no components under their heading, the report does.
func checkAgainstSeed(t *testing.T, report, seed string, components []string) {
	t.Helper()
	got := strings.Split(report, "\n")
	want := strings.Split(seed, "\n")
	if len(got) < 4 || len(want) < 4 {
		t.Fatalf("report too short:\n%s", report)
	}
	for i, what := range []string{"organisation line", "title", "summary sentence", "components heading"} {
		if got[i] != want[i] {
			t.Errorf("%s:\n got %q\nwant %q", what, got[i], want[i])
		}
	}
	if diff := cmp.Diff(components, got[4:4+len(components)]); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[4:], got[4+len(components):]); diff != "" {
		t.Errorf("timeline differs from the seed (-seed +report):\n%s", diff)
	}
}

func TestSummaryComponents(t *testing.T) {
	base := bot.Incident{
		Lifecycle: fsm.Lifecycle{Status: fsm.Resolved, ResolvedAt: at(t, "2024-03-03T10:52:59Z")}, Impact: bot.ImpactMajor,
		DeclaredAt: at(t, "2024-03-03T10:00:00Z"),
	}
	for _, tc := range []struct {
		name       string
		components []string
		want       string
	}{
		{"None", nil, "Acme experienced a major incident on March 3, 2024, lasting 52m."},
		{"One", []string{"API"}, "Acme experienced a major incident on March 3, 2024 affecting API, lasting 52m."},
		{"Two", []string{"API", "Web"}, "Acme experienced a major incident on March 3, 2024 affecting API and Web, lasting 52m."},
		{"Three", []string{"API", "Web", "Email"}, "Acme experienced a major incident on March 3, 2024 affecting API and Web and 1 more component, lasting 52m."},
		{"Five", []string{"API", "Web", "Email", "SMS", "Push"}, "Acme experienced a major incident on March 3, 2024 affecting API and Web and 3 more components, lasting 52m."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inc := base
			inc.Components = tc.components
			got := bot.Summary("Acme", &inc, time.Time{}, time.UTC)
			want := tc.want + " The incident has been resolved; the full update timeline is below."
			if got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestSummaryImpact(t *testing.T) {
	for _, tc := range []struct {
		impact bot.Impact
		want   string
	}{
		{bot.ImpactNone, "Acme experienced an incident on"},
		{bot.ImpactMinor, "Acme experienced a minor incident on"},
		{bot.ImpactMajor, "Acme experienced a major incident on"},
		{bot.ImpactCritical, "Acme experienced a critical incident on"},
	} {
		t.Run(string(tc.impact), func(t *testing.T) {
			inc := bot.Incident{Lifecycle: fsm.Lifecycle{Status: fsm.Postmortem, ResolvedAt: at(t, "2025-10-30T18:00:00Z")}, Impact: tc.impact, DeclaredAt: at(t, "2025-10-30T17:00:00Z")}
			if got := bot.Summary("Acme", &inc, time.Time{}, time.UTC); !strings.HasPrefix(got, tc.want+" October 30, 2025, lasting 1h.") {
				t.Errorf("got %q, want it to start %q", got, tc.want)
			}
		})
	}
}

func TestSummaryOpenLongAndReopened(t *testing.T) {
	h := newHarness(t, at(t, "2025-10-30T17:00:00Z"))
	h.do(`declare Queue backlog --impact critical --components "Ingest, Search"`)
	h.clock.Advance(69*time.Minute + 59*time.Second)
	open := "Acme is experiencing a critical incident affecting Ingest and Search, ongoing for 1h 9m. The latest update is at the end of the timeline below."
	if got := summaryLine(t, h.do("show")); got != open {
		t.Errorf("open:\n got %q\nwant %q", got, open)
	}

	h.clock.Advance(26*time.Hour - 5*time.Minute) // 1d 3h 4m 59s after declaring
	h.do("resolved Drained")
	h.clock.Advance(3 * time.Hour)
	resolved := "Acme experienced a critical incident on October 30, 2025 affecting Ingest and Search, lasting 1d 3h 4m. The incident has been resolved; the full update timeline is below."
	if got := summaryLine(t, h.do("show INC-1")); got != resolved {
		t.Errorf("over a day:\n got %q\nwant %q", got, resolved)
	}

	h.do("investigating INC-1 It is back")
	reopened := "Acme is experiencing a critical incident affecting Ingest and Search, ongoing for 1d 6h 4m. The latest update is at the end of the timeline below."
	if got := summaryLine(t, h.do("show INC-1")); got != reopened {
		t.Errorf("reopened:\n got %q\nwant %q", got, reopened)
	}
	h.clock.Advance(30 * time.Minute)
	h.do("resolved INC-1 For good this time")
	h.clock.Advance(time.Hour)
	// Lasting runs to the latest resolution, not the first.
	again := "Acme experienced a critical incident on October 30, 2025 affecting Ingest and Search, lasting 1d 6h 34m. The incident has been resolved; the full update timeline is below."
	if got := summaryLine(t, h.do("show INC-1")); got != again {
		t.Errorf("resolved again:\n got %q\nwant %q", got, again)
	}
	inc := h.find(1)
	if first := inc.Milestones[fsm.Resolved]; !first.Equal(at(t, "2025-10-31T20:04:59Z")) {
		t.Errorf("the resolved milestone is %s; it must stay the first resolution", first)
	}
}

func summaryLine(t *testing.T, r bot.Reply) string {
	t.Helper()
	lines := strings.Split(r.Text, "\n")
	if len(lines) < 3 {
		t.Fatalf("not a report: %q", r.Text)
	}
	return lines[2]
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0m"},
		{59 * time.Second, "0m"},
		{52*time.Minute + 59*time.Second, "52m"},
		{time.Hour, "1h"},
		{4*time.Hour + 32*time.Minute + 30*time.Second, "4h 32m"},
		{27*time.Hour + 4*time.Minute, "1d 3h 4m"},
		{48 * time.Hour, "2d"},
		{24*time.Hour + 5*time.Minute, "1d 5m"},
		{-time.Minute, "0m"},
	} {
		if got := bot.FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func BenchmarkReport1000Entries(b *testing.B) {
	inc := bot.Incident{Number: 1, Title: "Big", Impact: bot.ImpactMajor, Components: []string{"A", "B", "C"},
		Lifecycle:  fsm.Lifecycle{Status: fsm.Resolved, ResolvedAt: time.Date(2025, 10, 31, 17, 0, 0, 0, time.UTC)},
		DeclaredAt: time.Date(2025, 10, 30, 17, 0, 0, 0, time.UTC)}
	entries := make([]bot.Entry, 1000)
	for i := range entries {
		entries[i] = bot.Entry{Seq: i + 1, Kind: bot.KindUpdate, Status: fsm.Identified, At: inc.DeclaredAt.Add(time.Duration(i) * time.Minute),
			Message: "We are continuing to work on a fix for this issue."}
	}
	r := bot.Report{Org: "Acme", Incident: inc, Timeline: entries, Location: time.UTC}
	b.ReportAllocs()
	for b.Loop() {
		if len(r.String()) == 0 {
			b.Fatal("empty report")
		}
	}
}

// TestLongReportKeepsLatest: a report too long for the platforms keeps the
// newest updates and says how many older ones it left out.
func TestLongReportKeepsLatest(t *testing.T) {
	h := newHarness(t, at(t, "2025-10-30T17:00:00Z"))
	h.do("declare A long one")
	for i := range 300 {
		h.clock.Advance(time.Minute)
		h.do(fmt.Sprintf("update Step %d of a long night", i))
	}
	report := h.do("show").Text
	if n := utf8.RuneCountInString(report); n > bot.MaxReportChars {
		t.Errorf("the report is %d characters, over %d", n, bot.MaxReportChars)
	}
	if !strings.HasSuffix(report, "Step 299 of a long night") || !strings.Contains(report, "earlier updates are left out here") {
		t.Errorf("the report does not end with the latest update, or hides that it left some out:\n%s", report)
	}
}

// longIncident is a service with an incident of n updates, typed one a
// minute, on the embedded Redis; opt.Store and opt.Clock are filled in.
func longIncident(tb testing.TB, n int, opt bot.Options) (*bot.Service, bot.Workspace, bot.Store) {
	tb.Helper()
	st := redistest.Open(tb, "")
	clock := bottest.NewClock(at(tb, "2025-10-30T17:00:00Z"))
	opt.Store, opt.Clock, opt.Org = st, clock, "Acme"
	svc := bot.NewService(opt)
	ws := bot.Workspace{Platform: bot.Slack, ID: "T1"}
	bottest.LongIncident(tb, svc, clock, ws, "C1", n)
	return svc, ws, st
}

// TestShowOfTenThousandUpdates: a 10,000-update incident's report has the
// first update, how many are left out, and the newest, read in one round
// trip of the timeline's two ends; the whole report, every update in it, is
// the file doors send after it. With a status page, the report points
// there instead.
func TestShowOfTenThousandUpdates(t *testing.T) {
	svc, ws, st := longIncident(t, 10000, bot.Options{})
	reply := bottest.MustHandle(t, svc, ws, "C1", "show")
	golden(t, "report-ten-thousand.golden", reply.Text)
	if reply.Full != 1 {
		t.Fatalf("the reply names %d for its whole report, want INC-1", reply.Full)
	}
	file, err := svc.FullReport(context.Background(), ws, reply.Full)
	if err != nil {
		t.Fatal(err)
	}
	steps := strings.Count(file.Text, " of a long night")
	if file.Name != "INC-1-report.txt" || steps != 10000 || strings.Contains(file.Text, "left out") ||
		!strings.HasSuffix(file.Text, "Step 9999 of a long night") {
		t.Errorf("whole report %q has %d of 10000 updates, or says some are left out, or does not end with the newest", file.Name, steps)
	}

	paged := bot.NewService(bot.Options{Store: st, Org: "Acme", StatusURL: "https://status.example.com/"})
	reply = bottest.MustHandle(t, paged, ws, "C1", "show")
	want := " earlier updates are left out here; every one is at https://status.example.com/incidents/" + bot.IncidentID(ws, 1) + ")"
	if !strings.Contains(reply.Text, want) || reply.Full != 0 {
		t.Errorf("with a status page, the report does not point there (want %q), or a file is sent too (%d):\n%s", want, reply.Full, reply.Text)
	}
}

// BenchmarkShowOfTenThousandUpdates: a show costs about what a short one
// does, however long the incident grew.
func BenchmarkShowOfTenThousandUpdates(b *testing.B) {
	svc, ws, _ := longIncident(b, 10000, bot.Options{})
	b.ReportAllocs()
	for b.Loop() {
		bottest.MustHandle(b, svc, ws, "C1", "show")
	}
}

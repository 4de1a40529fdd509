package console_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/console"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// runConsole types script into a console on the embedded Redis, with the
// delivery loop running, and returns what it printed.
func runConsole(t *testing.T, script string) string {
	t.Helper()
	ctx, st, poster, _ := deliveringConsole(t)
	var out strings.Builder
	c := &console.Console{
		Service: bot.NewService(bot.Options{Store: st, Org: "Acme"}),
		Outbox:  st, Poster: poster, In: strings.NewReader(script), Out: &out, Actor: "@ana",
	}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// deliveringConsole is the embedded Redis with the console's delivery loop
// running until the test ends.
func deliveringConsole(t *testing.T) (context.Context, *redisstore.Store, *console.Poster, *bot.Delivery) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := redistest.Open(t, "")
	poster := &console.Poster{}
	d := bot.NewDelivery(bot.DeliveryOptions{Outbox: st, Posters: map[bot.Platform]bot.Poster{bot.Console: poster}, Sweep: 5 * time.Millisecond})
	go d.Run(ctx)
	return ctx, st, poster, d
}

func TestConsolePrintsRepliesThenPosts(t *testing.T) {
	got := runConsole(t, `
# a comment, and blank lines, are skipped

/incident declare Logins fail --message "Users cannot log in."
identified Expired certificate
/incident fly away
`)
	wantInOrder := []string{
		"Declared INC-1: Logins fail",
		"[#console] This console is now the channel of INC-1.",
		"[#console]\nINC-1 · Investigating · Logins fail\n- investigating ",
		"Users cannot log in.",
		"INC-1 is now identified (was investigating).",
		"[#console]\nINC-1 · Identified · Logins fail\n- identified ",
		"Expired certificate",
		"There is no /incident fly.",
	}
	rest := got
	for _, w := range wantInOrder {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q after what came before:\n%s", w, got)
		}
		rest = rest[i+len(w):]
	}
	if strings.Contains(got, "comment") {
		t.Errorf("a comment line was handled:\n%s", got)
	}
}

// TestConsoleFollowsLatestIncident: the console is the channel of the
// incident declared last, so commands without a reference go there.
func TestConsoleFollowsLatestIncident(t *testing.T) {
	got := runConsole(t, "declare First\ndeclare Second\nresolved Done\nshow INC-1\n")
	if !strings.Contains(got, "INC-2 is now resolved") {
		t.Errorf("resolved went elsewhere than INC-2:\n%s", got)
	}
	if !strings.Contains(got, "Acme is experiencing an incident") {
		t.Errorf("INC-1 should still be open:\n%s", got)
	}
}

func TestIsTerminal(t *testing.T) {
	if console.IsTerminal(strings.NewReader("")) {
		t.Error("a string reader is not a terminal")
	}
}

// TestLiveConsoleShowsRemindersAsTheyFallDue: between commands, a live
// console prints the posts nobody typed a command for.
func TestLiveConsoleShowsRemindersAsTheyFallDue(t *testing.T) {
	ctx, st, poster, d := deliveringConsole(t)
	svc := bot.NewService(bot.Options{Store: st, Cadence: map[bot.Impact]time.Duration{bot.ImpactNone: time.Second}, Queued: d.Wake})
	in, typed := io.Pipe()
	out := &lockedBuffer{}
	c := &console.Console{Service: svc, Outbox: st, Poster: poster, In: in, Out: out, Actor: "@ana", Live: true}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	io.WriteString(typed, "declare Quiet one\n")
	go svc.RunReminders(ctx)
	bottest.Eventually(t, 20*time.Second, "a reminder printed without a command", func() bool { return strings.Contains(out.String(), "No update for") })
	typed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLongShowWritesWholeReport: a show that leaves updates out says where
// the whole report, every update in it, was written.
func TestLongShowWritesWholeReport(t *testing.T) {
	ctx, st, poster, _ := deliveringConsole(t)
	var script strings.Builder
	script.WriteString("declare A long one\n")
	for i := range 120 {
		fmt.Fprintf(&script, "update Step %d of a long night, with enough words in it to fill the report quickly\n", i)
	}
	script.WriteString("show\n")
	var out strings.Builder
	dir := t.TempDir()
	c := &console.Console{
		Service: bot.NewService(bot.Options{Store: st, Org: "Acme"}),
		Outbox:  st, Poster: poster, In: strings.NewReader(script.String()), Out: &out, Actor: "@ana", ReportDir: dir,
	}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "incidentbot-INC-1-report.txt")
	if !strings.Contains(out.String(), "earlier updates are left out here; the whole report follows as a file.)") ||
		!strings.Contains(out.String(), "The whole report, every update in it, is in "+path) {
		t.Fatalf("the console does not say where the whole report is:\n%s", out.String()[max(0, out.Len()-2000):])
	}
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(whole), " of a long night"); n != 120 {
		t.Errorf("the whole report holds %d of 120 updates", n)
	}
}

package bottest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

var requests atomic.Int64

// RequestID returns a request ID no other call returns.
func RequestID() string { return fmt.Sprintf("req-%d", requests.Add(1)) }

// MustHandle runs a command line that must succeed, as typed in channel, and
// returns the reply.
func MustHandle(tb testing.TB, s *bot.Service, ws bot.Workspace, channel, line string) bot.Reply {
	tb.Helper()
	r, err := s.Handle(context.Background(), bot.Request{Workspace: ws, Channel: channel, Actor: "@tester", Text: line, RequestID: RequestID()})
	if err != nil {
		tb.Fatalf("%q: %v", line, err)
	}
	return r
}

// MustTimeline returns an incident's timeline or fails the test.
func MustTimeline(tb testing.TB, st bot.Store, ws bot.Workspace, number int) []bot.Entry {
	tb.Helper()
	entries, err := st.Timeline(context.Background(), ws, number)
	if err != nil {
		tb.Fatalf("timeline of INC-%d: %v", number, err)
	}
	return entries
}

// MustFind returns incident number of ws or fails the test.
func MustFind(tb testing.TB, st bot.Store, ws bot.Workspace, number int) bot.Incident {
	tb.Helper()
	f, err := st.Find(context.Background(), bot.Lookup{Workspace: ws, Number: number, RequestID: RequestID()})
	if err != nil || f.Incident == nil {
		tb.Fatalf("find INC-%d: %+v, %v", number, f, err)
	}
	return *f.Incident
}

// LongIncident declares INC-1 in ws through svc, then adds n updates typed
// one a minute on clock: "Step <i> of a long night".
func LongIncident(tb testing.TB, svc *bot.Service, clock *Clock, ws bot.Workspace, channel string, n int) {
	tb.Helper()
	MustHandle(tb, svc, ws, channel, "declare A long one --impact major")
	for i := range n {
		clock.Advance(time.Minute)
		MustHandle(tb, svc, ws, channel, fmt.Sprintf("update Step %d of a long night", i))
	}
}

package chattest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"
)

// Chaos makes a share of a fake's calls misbehave at random, reproducibly,
// for fault-injection tests; set it with Slack.SetChaos or Discord.SetChaos.
// The zero Chaos misbehaves never.
type Chaos struct {
	// Rate is the share of calls (0 to 1) that misbehave, among the calls
	// Only names.
	Rate float64
	// Seed seeds the random source, so a run can be repeated; SetChaos
	// restarts the source.
	Seed int64
	// Kinds are the faults to draw from, uniformly; every Fault when empty.
	Kinds []Fault
	// Only names the calls that may misbehave: Slack method names
	// ("chat.postMessage") or Discord routes ("POST /channels/{id}/messages").
	// When empty, every call that changes something may: Slack's chat.*,
	// conversations.* and views.* writes, and any Discord route but a GET.
	Only []string
	// Delay is how long FaultSlowAfter holds the answer; 3 s when zero.
	Delay time.Duration
}

// Fault is a way a call misbehaves under Chaos.
type Fault int

// The faults Chaos draws from. Those that do the call first leave the caller
// unsure whether it happened: the case an exactly-once poster must handle.
const (
	// Fault429WithRetryAfter answers 429 with Retry-After: 1, doing nothing.
	Fault429WithRetryAfter Fault = iota
	// Fault429Bare answers 429 without Retry-After, doing nothing.
	Fault429Bare
	// Fault500 answers 500, doing nothing.
	Fault500
	// FaultResetBefore closes the connection without answering or doing anything.
	FaultResetBefore
	// FaultResetAfter does the call, then closes the connection without answering.
	FaultResetAfter
	// FaultSlowAfter does the call, then holds the answer for Chaos.Delay, so
	// that a client's timeout fires first; a client that waits gets it.
	FaultSlowAfter
)

var allFaults = []Fault{Fault429WithRetryAfter, Fault429Bare, Fault500, FaultResetBefore, FaultResetAfter, FaultSlowAfter}

// String names the fault without its prefix, as subtests and logs show it.
func (f Fault) String() string {
	names := []string{"429WithRetryAfter", "429Bare", "500", "ResetBefore", "ResetAfter", "SlowAfter"}
	if f < 0 || int(f) >= len(names) {
		return fmt.Sprintf("Fault(%d)", int(f))
	}
	return names[f]
}

// chaos is a fake's Chaos and what it drew; the fake's mutex guards it.
type chaos struct {
	cfg    Chaos
	rng    *rand.Rand
	counts map[Fault]int // drawn faults, kept across SetChaos
}

// set replaces the configuration and restarts the random source. An unknown
// Fault in Kinds is a bug in the test, so it panics rather than run a
// different experiment than the one written.
func (c *chaos) set(cfg Chaos) {
	for _, f := range cfg.Kinds {
		if !slices.Contains(allFaults, f) {
			panic(fmt.Sprintf("chattest: SetChaos: unknown %v", f))
		}
	}
	cfg.Kinds, cfg.Only = slices.Clone(cfg.Kinds), slices.Clone(cfg.Only)
	c.cfg = cfg
	c.rng = rand.New(rand.NewPCG(uint64(cfg.Seed), 0))
}

// draw decides whether the call named name misbehaves, and how, counting
// the fault it picks; changes reports whether the call changes anything,
// which decides when Only is empty.
func (c *chaos) draw(name string, changes bool) (Fault, bool) {
	if c.rng == nil || c.cfg.Rate <= 0 {
		return 0, false
	}
	if len(c.cfg.Only) > 0 && !slices.Contains(c.cfg.Only, name) || len(c.cfg.Only) == 0 && !changes {
		return 0, false
	}
	if c.rng.Float64() >= c.cfg.Rate {
		return 0, false
	}
	kinds := c.cfg.Kinds
	if len(kinds) == 0 {
		kinds = allFaults
	}
	f := kinds[c.rng.IntN(len(kinds))]
	if c.counts == nil {
		c.counts = map[Fault]int{}
	}
	c.counts[f]++
	return f, true
}

func (c *chaos) faults() map[Fault]int {
	out := map[Fault]int{}
	maps.Copy(out, c.counts)
	return out
}

// hold is how long FaultSlowAfter holds its answer.
func (c *chaos) hold() time.Duration {
	if c.cfg.Delay > 0 {
		return c.cfg.Delay
	}
	return 3 * time.Second
}

// chaosCall serves one call that draw picked to misbehave.
type chaosCall struct {
	fault  Fault
	hold   time.Duration   // for FaultSlowAfter
	done   <-chan struct{} // closed when the fake shuts down
	refuse func(w http.ResponseWriter, status int, retryAfter time.Duration)
	serve  http.HandlerFunc // does the call
}

func (c chaosCall) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch c.fault {
	case Fault429WithRetryAfter:
		c.refuse(w, http.StatusTooManyRequests, time.Second)
	case Fault429Bare:
		c.refuse(w, http.StatusTooManyRequests, 0)
	case Fault500:
		c.refuse(w, http.StatusInternalServerError, 0)
	case FaultResetBefore:
		hangUp(w, r)
	case FaultResetAfter:
		c.serve(httptest.NewRecorder(), r)
		hangUp(w, r)
	case FaultSlowAfter:
		rec := httptest.NewRecorder()
		c.serve(rec, r)
		if !wait(r.Context(), c.done, c.hold) {
			return
		}
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// hangUp closes the connection without a word. The body is read first, so
// the client sees the close (EOF) rather than a reset for unread data.
func hangUp(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server then closes the connection itself
	}
	_ = conn.Close()
}

// wait sleeps for d and reports true, or false as soon as the client gives
// up or the fake shuts down.
func wait(ctx context.Context, done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-done:
		return false
	}
}

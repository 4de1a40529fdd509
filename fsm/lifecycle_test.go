package fsm_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/fsm"
)

// cell is what one event does in one status: refused, kept (an update), or
// moved to a status, and which fields of the lifecycle that changes.
type cell struct {
	to      string // "refused", "stays", or the status moved to
	changes string // the fields changed, space-separated, in Lifecycle order
}

var (
	refused = cell{"refused", ""}
	stays   = cell{"stays", ""}
)

// lifecycle is the README's diagram written out by hand, so that a change
// to the machine must be made twice, on purpose. Each status starts as the
// shortest path left it: investigating reached first, then the status
// itself (and resolved on the way to postmortem).
var lifecycle = map[fsm.Status]map[fsm.Event]cell{
	fsm.Investigating: {
		fsm.Declare: refused, fsm.Investigate: stays, fsm.Update: stays, fsm.Draft: refused, fsm.Publish: refused,
		fsm.Identify: {"identified", "status milestones"},
		fsm.Monitor:  {"monitoring", "status milestones"},
		fsm.Resolve:  {"resolved", "status milestones resolved_at"},
	},
	fsm.Identified: {
		fsm.Declare: refused, fsm.Identify: stays, fsm.Update: stays, fsm.Draft: refused, fsm.Publish: refused,
		fsm.Investigate: {"investigating", "status"},
		fsm.Monitor:     {"monitoring", "status milestones"},
		fsm.Resolve:     {"resolved", "status milestones resolved_at"},
	},
	fsm.Monitoring: {
		fsm.Declare: refused, fsm.Monitor: stays, fsm.Update: stays, fsm.Draft: refused, fsm.Publish: refused,
		fsm.Investigate: {"investigating", "status"},
		fsm.Identify:    {"identified", "status milestones"},
		fsm.Resolve:     {"resolved", "status milestones resolved_at"},
	},
	fsm.Resolved: {
		fsm.Declare: refused, fsm.Identify: refused, fsm.Monitor: refused,
		fsm.Resolve: stays, fsm.Update: stays, fsm.Draft: stays,
		fsm.Investigate: {"investigating", "status resolved_at"}, // a reopen
		fsm.Publish:     {"postmortem", "status milestones"},
	},
	fsm.Postmortem: {
		fsm.Declare: refused, fsm.Investigate: refused, fsm.Identify: refused, fsm.Monitor: refused,
		fsm.Resolve: refused, fsm.Update: refused,
		fsm.Draft: stays, fsm.Publish: stays, // an amendment
	},
}

var (
	t0 = time.Date(2025, 10, 30, 17, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Hour)
	t2 = t1.Add(time.Hour)
)

// reached is the lifecycle of an incident that came to st by the shortest
// path: declared at t0, st (and resolved on the way to postmortem) at t1.
func reached(st fsm.Status) fsm.Lifecycle {
	lc := fsm.Declared(t0)
	lc.Status = st
	lc.Milestones[st] = t1
	if st == fsm.Postmortem || st == fsm.Resolved {
		lc.Milestones[fsm.Resolved] = t1
		lc.ResolvedAt = t1
	}
	return lc
}

func TestLifecycleTable(t *testing.T) {
	for _, from := range fsm.Statuses() {
		for _, ev := range fsm.Events() {
			want, ok := lifecycle[from][ev]
			if !ok {
				t.Fatalf("the table has no cell for %s in %s", ev, from)
			}
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				before := reached(from)
				m, err := fsm.Restore(before)
				if err != nil {
					t.Fatal(err)
				}
				step, err := m.Fire(ev, t2)
				after := m.Lifecycle()
				got := cell{changes: changed(before, after)}
				var refusal *fsm.RefusedError
				switch {
				case errors.As(err, &refusal):
					got.to = "refused"
					if diff := cmp.Diff(fsm.Allowed(from), refusal.Allowed); diff != "" {
						t.Errorf("the refusal lists other moves than Allowed (-want +got):\n%s", diff)
					}
				case err != nil:
					t.Fatal(err)
				case !step.Moved():
					got.to = "stays"
				default:
					got.to = string(step.To)
				}
				if got != want {
					t.Errorf("%s in %s: got %+v, want %+v", ev, from, got, want)
				}
				if got.to != "refused" && got.to != "stays" && after.Milestones[step.To].IsZero() {
					t.Errorf("a move into %s left no milestone", step.To)
				}
			})
		}
	}
}

// changed names the fields of the lifecycle that differ.
func changed(a, b fsm.Lifecycle) string {
	var names []string
	if a.Status != b.Status {
		names = append(names, "status")
	}
	if !cmp.Equal(a.Milestones, b.Milestones) {
		names = append(names, "milestones")
	}
	if !a.ResolvedAt.Equal(b.ResolvedAt) {
		names = append(names, "resolved_at")
	}
	return strings.Join(names, " ")
}

func TestAllowedFollowsTheTable(t *testing.T) {
	for _, from := range fsm.Statuses() {
		var want []fsm.Status
		for _, to := range fsm.Statuses() {
			for _, c := range lifecycle[from] {
				if c.to == string(to) {
					want = append(want, to)
				}
			}
		}
		var got []fsm.Status
		for _, m := range fsm.Allowed(from) {
			got = append(got, m.To)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Allowed(%s) (-want +got):\n%s", from, diff)
		}
	}
}

func TestRefusalNamesReasons(t *testing.T) {
	m, _ := fsm.Restore(reached(fsm.Resolved))
	_, err := m.Fire(fsm.Identify, t2)
	var refusal *fsm.RefusedError
	if !errors.As(err, &refusal) {
		t.Fatalf("got %v, want a refusal", err)
	}
	if got, want := fsm.JoinMoves(refusal.Allowed), "investigating (reopen), postmortem"; got != want {
		t.Errorf("JoinMoves = %q, want %q", got, want)
	}
	if got, want := fsm.JoinMoves(fsm.Allowed(fsm.Monitoring)), "investigating (fix failed), identified, resolved"; got != want {
		t.Errorf("from monitoring: %q, want %q", got, want)
	}
}

func TestRestoreRefusesUnknownStatuses(t *testing.T) {
	for _, st := range []fsm.Status{"", "closed", "Resolved"} {
		if _, err := fsm.Restore(fsm.Lifecycle{Status: st}); err == nil {
			t.Errorf("Restore(%q) accepted a status that is not one", st)
		}
		if got := fsm.Allowed(st); got != nil {
			t.Errorf("Allowed(%q) = %v, want none", st, got)
		}
	}
}

func TestDeclared(t *testing.T) {
	got := fsm.Declared(t0)
	want := fsm.Lifecycle{Status: fsm.Investigating, Milestones: map[fsm.Status]time.Time{fsm.Investigating: t0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Declared (-want +got):\n%s", diff)
	}
}

// TestReopenKeepsMilestones resolves, reopens and resolves again: the first
// entries into each status stay, the resolution is the latest.
func TestReopenKeepsMilestones(t *testing.T) {
	m, _ := fsm.Restore(fsm.Declared(t0))
	at := t0
	for _, ev := range []fsm.Event{fsm.Identify, fsm.Resolve, fsm.Investigate, fsm.Identify, fsm.Update, fsm.Resolve, fsm.Update} {
		at = at.Add(10 * time.Minute)
		if _, err := m.Fire(ev, at); err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
	}
	lc := m.Lifecycle()
	for st, want := range map[fsm.Status]time.Time{
		fsm.Investigating: t0, fsm.Identified: t0.Add(10 * time.Minute), fsm.Resolved: t0.Add(20 * time.Minute),
	} {
		if got := lc.Milestones[st]; !got.Equal(want) {
			t.Errorf("milestone %s = %v, want the first entry %v", st, got, want)
		}
	}
	if want := t0.Add(60 * time.Minute); !lc.ResolvedAt.Equal(want) {
		t.Errorf("ResolvedAt = %v, want the second resolution %v, untouched by the note after it", lc.ResolvedAt, want)
	}
}

// TestFireDoesNotAlterWhatItRestored keeps the lifecycle a command read
// intact: a re-planned command starts from it again.
func TestFireDoesNotAlterWhatItRestored(t *testing.T) {
	lc := fsm.Declared(t0)
	m, _ := fsm.Restore(lc)
	if _, err := m.Fire(fsm.Resolve, t1); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fsm.Declared(t0), lc); diff != "" {
		t.Errorf("the restored lifecycle changed (-want +got):\n%s", diff)
	}
}

// TestLifecycleProperties fires random events at increasing times and checks
// what must hold after every one, whatever the sequence.
func TestLifecycleProperties(t *testing.T) {
	for seed := range uint64(500) {
		rng := rand.New(rand.NewPCG(seed, 1))
		m, _ := fsm.Restore(fsm.Declared(t0))
		var lastResolve time.Time // the latest move into resolved no reopen followed
		at := t0
		for range 30 {
			at = at.Add(time.Duration(1+rng.IntN(90)) * time.Minute)
			ev := fsm.Events()[rng.IntN(len(fsm.Events()))]
			before := m.Lifecycle()
			step, err := m.Fire(ev, at)
			after := m.Lifecycle()
			if err != nil {
				if diff := cmp.Diff(before, after); diff != "" {
					t.Fatalf("seed %d: refused %s changed the lifecycle:\n%s", seed, ev, diff)
				}
				continue
			}
			switch {
			case step.Moved() && step.To == fsm.Resolved:
				lastResolve = at
			case step.Moved() && step.To.Open():
				lastResolve = time.Time{}
			}
			if !after.ResolvedAt.Equal(lastResolve) {
				t.Fatalf("seed %d: after %s at %v ResolvedAt = %v, want %v", seed, ev, at, after.ResolvedAt, lastResolve)
			}
			if after.Status.Open() != after.ResolvedAt.IsZero() {
				t.Fatalf("seed %d: %s with ResolvedAt %v", seed, after.Status, after.ResolvedAt)
			}
			for st, first := range before.Milestones {
				if !after.Milestones[st].Equal(first) {
					t.Fatalf("seed %d: %s moved the milestone of %s", seed, ev, st)
				}
			}
		}
	}
}

// TestMachinesFireIndependently runs many incidents' lifecycles at once, as
// concurrent commands do: the looplab machines they borrow in turn must
// carry nothing from one incident to another.
func TestMachinesFireIndependently(t *testing.T) {
	paths := [][]fsm.Event{
		{fsm.Identify, fsm.Monitor, fsm.Resolve},
		{fsm.Resolve, fsm.Investigate, fsm.Update},
		{fsm.Monitor, fsm.Resolve, fsm.Publish},
	}
	want := []fsm.Status{fsm.Resolved, fsm.Investigating, fsm.Postmortem}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := (g + i) % len(paths)
				m, _ := fsm.Restore(fsm.Declared(t0))
				for _, ev := range paths[p] {
					if _, err := m.Fire(ev, t1); err != nil {
						t.Errorf("path %d, %s: %v", p, ev, err)
						return
					}
				}
				if got := m.Lifecycle().Status; got != want[p] {
					t.Errorf("path %d ended in %s, want %s", p, got, want[p])
					return
				}
			}
		})
	}
	wg.Wait()
}

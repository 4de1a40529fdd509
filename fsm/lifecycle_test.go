package fsm_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/fsm"
)

// want is PRODUCT.md section 2 written out again by hand, so that a change to
// the table in code must be made twice, on purpose.
var want = map[fsm.Status]map[fsm.Status]bool{
	fsm.Investigating: {fsm.Investigating: true, fsm.Identified: true, fsm.Monitoring: true, fsm.Resolved: true, fsm.Postmortem: false},
	fsm.Identified:    {fsm.Investigating: true, fsm.Identified: true, fsm.Monitoring: true, fsm.Resolved: true, fsm.Postmortem: false},
	fsm.Monitoring:    {fsm.Investigating: true, fsm.Identified: true, fsm.Monitoring: true, fsm.Resolved: true, fsm.Postmortem: false},
	fsm.Resolved:      {fsm.Investigating: true, fsm.Identified: false, fsm.Monitoring: false, fsm.Resolved: true, fsm.Postmortem: true},
	fsm.Postmortem:    {fsm.Investigating: false, fsm.Identified: false, fsm.Monitoring: false, fsm.Resolved: false, fsm.Postmortem: true},
}

func TestNextEveryPair(t *testing.T) {
	for _, from := range fsm.Statuses() {
		for _, to := range fsm.Statuses() {
			t.Run(string(from)+"_to_"+string(to), func(t *testing.T) {
				err := fsm.Next(from, to)
				if got := err == nil; got != want[from][to] {
					t.Fatalf("Next(%s, %s) = %v, want allowed=%v", from, to, err, want[from][to])
				}
				if err == nil {
					return
				}
				var refused *fsm.RefusedError
				if !errors.As(err, &refused) {
					t.Fatalf("Next(%s, %s) error %T, want *RefusedError", from, to, err)
				}
				if diff := cmp.Diff(fsm.Allowed(from), refused.Allowed); diff != "" {
					t.Errorf("refusal lists other moves than Allowed (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestAllowedMatchesTable(t *testing.T) {
	for _, from := range fsm.Statuses() {
		var wantTo []fsm.Status
		for _, to := range fsm.Statuses() {
			if to != from && want[from][to] {
				wantTo = append(wantTo, to)
			}
		}
		var got []fsm.Status
		for _, m := range fsm.Allowed(from) {
			got = append(got, m.To)
		}
		if diff := cmp.Diff(wantTo, got); diff != "" {
			t.Errorf("Allowed(%s) (-want +got):\n%s", from, diff)
		}
	}
}

func TestRefusalNamesReasons(t *testing.T) {
	err := fsm.Next(fsm.Resolved, fsm.Identified)
	var refused *fsm.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("got %v, want a refusal", err)
	}
	if got, want := fsm.JoinMoves(refused.Allowed), "investigating (reopen), postmortem"; got != want {
		t.Errorf("JoinMoves = %q, want %q", got, want)
	}
}

func TestNextRejectsUnknownStatuses(t *testing.T) {
	for _, tc := range []struct{ from, to fsm.Status }{
		{"", fsm.Identified},
		{"closed", fsm.Resolved},
		{fsm.Resolved, "closed"},
	} {
		err := fsm.Next(tc.from, tc.to)
		var refused *fsm.RefusedError
		if err == nil || errors.As(err, &refused) {
			t.Errorf("Next(%q, %q) = %v, want a plain error", tc.from, tc.to, err)
		}
	}
}

func TestParseAndTitle(t *testing.T) {
	for _, s := range fsm.Statuses() {
		got, err := fsm.Parse(string(s))
		if err != nil || got != s {
			t.Errorf("Parse(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := fsm.Parse("Resolved"); err == nil {
		t.Error("Parse(Resolved) accepted a capitalised word")
	}
	if got := fsm.Monitoring.Title(); got != "Monitoring" {
		t.Errorf("Title = %q", got)
	}
}

package fsm_test

import (
	"encoding/json"
	"testing"

	"github.com/incidentbot/incidentbot/fsm"
)

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

// TestMovesReadBothSpellings: moves are stored in posts still queued, so a
// move written by an earlier version ({"To": ..., "Reason": ...}) still
// reads, and a move without a reason is written without one.
func TestMovesReadBothSpellings(t *testing.T) {
	for _, raw := range []string{`{"To":"investigating","Reason":"reopen"}`, `{"to":"investigating","reason":"reopen"}`} {
		var m fsm.Move
		if err := json.Unmarshal([]byte(raw), &m); err != nil || m != (fsm.Move{To: fsm.Investigating, Reason: "reopen"}) {
			t.Errorf("%s read as %+v, %v", raw, m, err)
		}
	}
	if b, _ := json.Marshal(fsm.Move{To: fsm.Resolved}); string(b) != `{"to":"resolved"}` {
		t.Errorf("a move without a reason is written %s", b)
	}
}

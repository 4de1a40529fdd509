package fsm_test

import (
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

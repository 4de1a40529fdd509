package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// TestStatsInChat: /incident stats gives the durations of the incidents
// declared within its look-back, private ones left out.
func TestStatsInChat(t *testing.T) {
	h := newHarness(t, start)
	h.do("declare Slow checkout --impact major --components Payments")
	h.clock.Advance(20 * time.Minute)
	h.do("identified INC-1 A cache")
	h.clock.Advance(20 * time.Minute)
	h.do("monitoring INC-1 Flushed")
	h.clock.Advance(20 * time.Minute)
	h.do("resolved INC-1 Fine")
	h.do("declare Secret matter --impact critical --components Vault --private")
	got := h.do("stats").Text
	for _, want := range []string{
		"major             1  20m / 20m         40m / 40m         1h / 1h           1h / 1h",
		"Most often affected: Payments (1)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stats lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "critical") || strings.Contains(got, "Vault") {
		t.Errorf("stats shows the private incident:\n%s", got)
	}
	h.clock.Advance(48 * time.Hour)
	if got := h.do("stats --since 1d").Text; !strings.HasPrefix(got, "No incident was declared here since") {
		t.Errorf("stats --since 1d two days later: %q", got)
	}
	if err := h.fail("stats --since soon"); bot.ErrorMessage(err) != `--since "soon" is not a look-back like 30d, 12h or 90m. Usage: /incident stats [--since 30d]` {
		t.Errorf("a bad --since: %v", bot.ErrorMessage(err))
	}
}

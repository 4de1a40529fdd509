package discordapp_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

// TestChaosShowsEachPostOnce: Discord answers a share of calls with 429s,
// 500s, dropped connections and answers that come too late, some after the
// message was made. Nonces and the thread lookup keep every update shown once.
func TestChaosShowsEachPostOnce(t *testing.T) {
	r := newRig(t, 1*time.Second)
	r.fake.SetChaos(chattest.Chaos{Rate: 0.25, Seed: 11, Delay: 2 * time.Second})
	r.command("declare", map[string]any{"title": "Chaos"})
	const n = 20
	for i := range n {
		r.command("update", map[string]any{"message": fmt.Sprintf("step %d", i)})
	}
	r.settle()
	thread := r.thread()
	root := r.fake.Messages(broadcast)
	if len(root) != 1 {
		t.Fatalf("%d broadcast roots, want 1", len(root))
	}
	if got := len(r.fake.Messages(thread.ID)); got != n+1 {
		t.Errorf("the incident thread shows %d posts, want %d", got, n+1)
	}
	if got := len(r.fake.Messages(root[0].ID)); got != n+1 {
		t.Errorf("the broadcast thread shows %d posts, want %d", got, n+1)
	}
	if dups := r.fake.Duplicates(); dups != nil {
		t.Errorf("readers see duplicates: %q", dups)
	}
	t.Logf("faults injected: %v", r.fake.Faults())
}

package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreHasNoDoors keeps the core free of the outside world: bot and fsm
// may not depend on a chat library, Redis, HTTP or any internal door.
func TestCoreHasNoDoors(t *testing.T) {
	for _, pkg := range []string{"github.com/incidentbot/incidentbot/bot", "github.com/incidentbot/incidentbot/fsm"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, banned := range []string{"slack-go", "discordgo", "go-redis", "miniredis", "/internal/", "incidentbot/internal"} {
				if strings.Contains(dep, banned) || dep == "net/http" {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}

package slackapp_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestManifest keeps the app manifest in step with what the door needs: the
// command, the routes it serves, and the scopes its calls use.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command, URL string
				ShouldEscape bool `yaml:"should_escape"`
			} `yaml:"slash_commands"`
		}
		OAuth struct {
			Scopes struct{ Bot []string } `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Interactivity struct {
				Enabled    bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			}
			SocketMode bool `yaml:"socket_mode_enabled"`
		}
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	cmds := m.Features.SlashCommands
	if len(cmds) != 1 || cmds[0].Command != "/incident" || !strings.HasSuffix(cmds[0].URL, "/slack/commands") || !cmds[0].ShouldEscape {
		t.Errorf("slash command: %+v; want /incident at /slack/commands, escaping mentions into IDs", cmds)
	}
	if !m.Settings.Interactivity.Enabled || !strings.HasSuffix(m.Settings.Interactivity.RequestURL, "/slack/interactions") {
		t.Errorf("interactivity: %+v", m.Settings.Interactivity)
	}
	if !m.Settings.SocketMode {
		t.Error("socket mode is off; the README's no-public-URL set-up needs it")
	}
	for _, scope := range []string{"commands", "chat:write", "chat:write.public", "channels:manage", "channels:read", "channels:history", "im:write", "files:write",
		"groups:write", "groups:read", "groups:history", "usergroups:read"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, scope) {
			t.Errorf("bot scope %s is missing", scope)
		}
	}
}

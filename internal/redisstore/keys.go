package redisstore

import (
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot/bot"
)

// workspacesKey lists, by the time of their latest queued post, the
// workspaces delivery loops look after. It is the one key outside any
// workspace's hash slot.
const workspacesKey = "ib:active"

// group is the outbox's consumer group.
const group = "delivery"

// keys names the keys of one workspace. They all carry the hash tag
// {ws:<platform>:<id>}, so one script may touch them together on a single
// node and on Redis Cluster alike.
type keys struct{ prefix string }

// tagEscaper keeps braces in a workspace ID from ending the hash tag early.
// It escapes the escape character too, so that it is one-to-one: team "TA}"
// and team "TA%7D" are two tenants with keys of their own.
var (
	tagEscaper   = strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D")
	tagUnescaper = strings.NewReplacer("%25", "%", "%7B", "{", "%7D", "}")
)

func keysOf(ws bot.Workspace) keys {
	return keys{prefix: fmt.Sprintf("ib:{ws:%s:%s}:", ws.Platform, tagEscaper.Replace(ws.ID))}
}

func (k keys) seq() string           { return k.prefix + "seq" }
func (k keys) incPrefix() string     { return k.prefix + "inc:" }
func (k keys) incident(n int) string { return fmt.Sprintf("%sinc:%d", k.prefix, n) }
func (k keys) timeline(n int) string { return fmt.Sprintf("%sinc:%d:timeline", k.prefix, n) }
func (k keys) refs(n int) string     { return fmt.Sprintf("%sinc:%d:refs", k.prefix, n) }
func (k keys) open() string          { return k.prefix + "open" }
func (k keys) all() string           { return k.prefix + "all" }
func (k keys) channels() string      { return k.prefix + "channels" }
func (k keys) request(id string) string {
	return k.prefix + "req:" + id
}
func (k keys) outbox() string { return k.prefix + "outbox" }
func (k keys) retry() string  { return k.prefix + "outbox:retry" }
func (k keys) dead() string   { return k.prefix + "outbox:dead" }
func (k keys) audit() string  { return k.prefix + "audit" }

// held holds the jobs waiting for their turn in a lane, under
// "<number>:<lane>:<seq>".
func (k keys) held() string { return k.prefix + "outbox:held" }

// workspaceOfKey reads the workspace out of one of its keys.
func workspaceOfKey(key string) (bot.Workspace, bool) {
	rest, ok := strings.CutPrefix(key, "ib:{ws:")
	if !ok {
		return bot.Workspace{}, false
	}
	tag, _, ok := strings.Cut(rest, "}")
	if !ok {
		return bot.Workspace{}, false
	}
	ws, ok := parseWorkspace(tag)
	ws.ID = tagUnescaper.Replace(ws.ID)
	return ws, ok
}

// parseWorkspace reads a member of workspacesKey: "<platform>:<id>".
func parseWorkspace(s string) (bot.Workspace, bool) {
	p, id, ok := strings.Cut(s, ":")
	if !ok || p == "" || id == "" {
		return bot.Workspace{}, false
	}
	return bot.Workspace{Platform: bot.Platform(p), ID: id}, true
}

package redisstore

import (
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot/bot"
)

// remindKey lists workspaces by when one of their open incidents may next
// need a reminder, so reminders look only at those. It is outside any
// workspace's hash slot.
const remindKey = "ib:remind"

// remindCountKey counts, by workspace, the changes that listed it for
// reminders, so a scan can tell whether one came while it read the
// incidents. Its hash tag puts it in remindKey's slot, for one script to
// read both on Cluster too.
const remindCountKey = "ib:remind:count{ib:remind}"

// The keys delivery loops across workspaces share, in one hash slot of their
// own ({ready}) so that one script may touch them together on Cluster too:
// readyKey(p) is the list a replica blocks on for workspaces of platform p
// with posts just queued; dueKey lists workspaces by when to look at them
// (0: now), without a time window; queuedKey counts, per workspace, the
// changes that queued posts, so that a drain never unlists a workspace that
// got posts after it began.
const (
	dueKey    = "ib:{ready}:due"
	queuedKey = "ib:{ready}:queued"
)

func readyKey(p bot.Platform) string { return "ib:{ready}:" + string(p) }

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
func (k keys) dead() string  { return k.prefix + "outbox:dead" }
func (k keys) audit() string { return k.prefix + "audit" }

// The outbox of a workspace: a list per lane, and the lanes by when they may
// be taken next (due, a retry's time, or a lease's expiry), with the lease
// tokens and the closed rate-limit buckets.
func (k keys) lanes() string           { return k.prefix + "lanes" }
func (k keys) lane(name string) string { return k.prefix + "lane:" + name }
func (k keys) leases() string          { return k.prefix + "leases" }
func (k keys) fence() string           { return k.prefix + "fence" }
func (k keys) limits() string          { return k.prefix + "limits" }

// laneName is the store's name of a lane: "<number>:<lane>".
func laneName(number int, lane bot.Lane) string { return fmt.Sprintf("%d:%s", number, lane) }

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

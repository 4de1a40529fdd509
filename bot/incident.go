package bot

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// Platform names the chat platform a workspace lives on.
type Platform string

// The platforms incidentbot speaks to.
const (
	Slack   Platform = "slack"
	Discord Platform = "discord"
	Console Platform = "console"
)

// Workspace is one team's space on one platform: a Slack workspace, a Discord
// guild, or the local console. Incident numbers count per workspace.
type Workspace struct {
	Platform Platform `json:"platform"`
	ID       string   `json:"id"`
}

func (w Workspace) String() string { return string(w.Platform) + ":" + w.ID }

// Impact is how badly users are hurt, as Statuspage grades it.
type Impact string

// The impact levels, mildest first.
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// ParseImpact reads an impact level in any letter case.
func ParseImpact(s string) (Impact, bool) {
	switch im := Impact(strings.ToLower(s)); im {
	case ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical:
		return im, true
	}
	return "", false
}

// Role is a responsibility a responder takes during an incident.
type Role string

// The roles of an incident.
const (
	Commander Role = "commander"
	Comms     Role = "comms"
	Scribe    Role = "scribe"
)

// Label is how a sentence names the role: "comms lead".
func (r Role) Label() string {
	if r == Comms {
		return "comms lead"
	}
	return string(r)
}

// Roles lists the roles in the order they are shown.
func Roles() []Role { return []Role{Commander, Comms, Scribe} }

// ParseRole reads a role name in any letter case.
func ParseRole(s string) (Role, bool) {
	switch r := Role(strings.ToLower(s)); r {
	case Commander, Comms, Scribe:
		return r, true
	}
	return "", false
}

// Incident is one incident as stored: its current state and its milestones.
// The timeline is kept apart, as entries that are never rewritten.
type Incident struct {
	Workspace Workspace `json:"workspace"`
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	// Lifecycle is the status, its milestones and the resolution: the state
	// machine of package fsm owns them.
	fsm.Lifecycle
	Impact     Impact   `json:"impact"`
	Components []string `json:"components,omitempty"`
	// ComponentStatus holds the statuses a responder set for components,
	// which otherwise take theirs from the impact.
	ComponentStatus map[string]ComponentStatus `json:"component_status,omitempty"`
	Roles           map[Role]string            `json:"roles,omitempty"` // user references, see Request.Actor
	Channel         string                     `json:"channel,omitempty"`
	DeclaredBy      string                     `json:"declared_by,omitempty"`
	// Private incidents are seen only in their own channel, which is
	// private, and never broadcast.
	Private bool `json:"private,omitempty"`
	// Internal incidents are broadcast to staff but kept off the status page.
	Internal bool `json:"internal,omitempty"`
	// Names holds how the platform named the people the incident names
	// (user reference -> "alex"), as last seen, so posts can name them
	// without pinging them.
	Names map[string]string `json:"names,omitempty"`
	// StartedAt is when impact began; DeclaredAt is the time of the first
	// timeline entry, from which durations run.
	StartedAt  time.Time `json:"started_at"`
	DeclaredAt time.Time `json:"declared_at"`
	// LastAt is the time of the latest public timeline entry: --at may not go
	// back before it.
	LastAt time.Time `json:"last_at"`
	// QuietSince is when the latest public update, or reminder of one, was
	// recorded (not its --at): reminders count from it.
	QuietSince time.Time `json:"quiet_since,omitzero"`
	// NextBy is when stakeholders were promised the next update (--next).
	NextBy time.Time `json:"next_by,omitzero"`
	// SnoozedUntil puts reminders off until then.
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	// FollowUps are the work the incident left behind, numbered from 1.
	FollowUps []FollowUp `json:"followups,omitempty"`
	// Entries counts timeline entries; the next entry's Seq is Entries+1.
	Entries int `json:"entries"`
	// Updates counts the public ones among them, so a report of a long
	// incident knows how many it leaves out without reading them all.
	Updates int `json:"updates,omitempty"`
	// Posts counts the jobs queued in each lane; the next job's Seq is one more.
	Posts map[Lane]int64 `json:"posts,omitempty"`
	// Version counts changes; a change is applied only over the version it read.
	Version int64 `json:"version"`
}

// Ref is the name responders use: "INC-12".
func (inc *Incident) Ref() string { return FormatRef(inc.Number) }

// FormatRef names incident number n: "INC-12".
func FormatRef(n int) string { return fmt.Sprintf("INC-%d", n) }

// Person names a user reference for plain text: "@alex" when the platform
// told the name, else the reference as UserText writes it.
func (inc *Incident) Person(ref string) string { return person(inc.Names, ref) }

// displayName is a name as a platform gave it, made fit to show: one line,
// nothing invisible, at most 80 characters.
func displayName(name string) string {
	return Clip(strings.Join(strings.Fields(cleanText(name, false)), " "), 80)
}

// name remembers how the platform names a user reference.
func (inc *Incident) name(ref, name string) {
	name = displayName(name)
	if ref == "" || name == "" || strings.HasPrefix(ref, "@") {
		return
	}
	if inc.Names == nil {
		inc.Names = map[string]string{}
	}
	inc.Names[ref] = name
}

// Open reports whether responders are still working on the incident.
func (inc *Incident) Open() bool { return inc.Status.Open() }

// Duration is how long the incident has lasted: from its first entry to its
// latest resolution, or to now while it is open.
func (inc *Incident) Duration(now time.Time) time.Duration {
	end := now
	if !inc.Open() && !inc.ResolvedAt.IsZero() {
		end = inc.ResolvedAt
	}
	if end.Before(inc.DeclaredAt) {
		return 0
	}
	return end.Sub(inc.DeclaredAt)
}

// clone returns a copy that shares no maps or slices with inc, so a planned
// change never alters the incident it was planned from.
func (inc Incident) clone() Incident {
	inc.Components = append([]string(nil), inc.Components...)
	inc.FollowUps = slices.Clone(inc.FollowUps)
	roles := make(map[Role]string, len(inc.Roles))
	for k, v := range inc.Roles {
		roles[k] = v
	}
	inc.Roles = roles
	inc.Names = maps.Clone(inc.Names)
	inc.ComponentStatus = maps.Clone(inc.ComponentStatus)
	inc.Lifecycle = inc.Lifecycle.Clone()
	posts := make(map[Lane]int64, len(inc.Posts))
	for k, v := range inc.Posts {
		posts[k] = v
	}
	inc.Posts = posts
	return inc
}

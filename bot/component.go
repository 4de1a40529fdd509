package bot

import (
	"fmt"
	"strings"
)

// ComponentStatus is how a component of the status page is doing, in
// Statuspage's words, so that tools written for Statuspage read it unchanged.
type ComponentStatus string

// The component statuses, from fine to worst.
const (
	Operational         ComponentStatus = "operational"
	UnderMaintenance    ComponentStatus = "under_maintenance"
	DegradedPerformance ComponentStatus = "degraded_performance"
	PartialOutage       ComponentStatus = "partial_outage"
	MajorOutage         ComponentStatus = "major_outage"
)

// componentStatuses lists the statuses from fine to worst: the order in which
// the worst of several open incidents wins.
var componentStatuses = []ComponentStatus{Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage}

// ParseComponentStatus reads a status in any letter case, with spaces or
// underscores ("major outage", "major_outage").
func ParseComponentStatus(s string) (ComponentStatus, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), "_"))
	for _, st := range componentStatuses {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// rank orders statuses: a higher rank is worse.
func (s ComponentStatus) rank() int {
	for i, st := range componentStatuses {
		if st == s {
			return i
		}
	}
	return 0
}

// Worse returns the worse of two statuses.
func Worse(a, b ComponentStatus) ComponentStatus {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Label is the status as a page shows it: "Partial outage".
func (s ComponentStatus) Label() string {
	return capitalize(strings.ReplaceAll(string(s), "_", " "))
}

// StatusOfImpact is what an open incident of impact im does to the
// components it affects, unless a responder says otherwise.
func StatusOfImpact(im Impact) ComponentStatus {
	switch im {
	case ImpactCritical:
		return MajorOutage
	case ImpactMajor:
		return PartialOutage
	case ImpactMinor:
		return DegradedPerformance
	}
	return Operational
}

// ComponentDef is one component the page lists, in the group it is shown
// under ("" for none).
type ComponentDef struct {
	Name  string
	Group string
}

// Catalog is the page's components in the order the operator gave them. An
// empty catalog lets responders name any component.
type Catalog []ComponentDef

// ParseCatalog reads the operator's list: "Data Processing, Message
// Sending" or, grouped, "Delivery: Email, SMS; API". Names are unique in any
// letter case, group names included.
func ParseCatalog(s string) (Catalog, error) {
	var c Catalog
	seen := map[string]bool{}
	add := func(name, group string) error {
		name = strings.Join(strings.Fields(cleanText(name, false)), " ")
		switch key := strings.ToLower(name); {
		case name == "":
			return nil
		case seen[key]:
			return fmt.Errorf("the component %q is named twice", name)
		case len(name) > MaxComponentName || strings.ContainsAny(name, "=:;"):
			return fmt.Errorf("the component %q is longer than %d characters or has = : ;", clip(name, 30), MaxComponentName)
		default:
			seen[key] = true
		}
		c = append(c, ComponentDef{Name: name, Group: group})
		return nil
	}
	for part := range strings.SplitSeq(s, ";") {
		group, members, grouped := strings.Cut(part, ":")
		if !grouped {
			group, members = "", part
		}
		group = strings.Join(strings.Fields(group), " ")
		if grouped && group == "" {
			return nil, fmt.Errorf("a group before %q has no name", clip(members, 30))
		}
		if grouped && seen[strings.ToLower(group)] {
			return nil, fmt.Errorf("the group %q is named twice", group)
		}
		seen[strings.ToLower(group)] = grouped
		for name := range strings.SplitSeq(members, ",") {
			if err := add(name, group); err != nil {
				return nil, err
			}
		}
	}
	if len(c) > MaxCatalog {
		return nil, fmt.Errorf("%d components are more than the %d a page shows", len(c), MaxCatalog)
	}
	return c, nil
}

// MaxCatalog is how many components a page lists.
const MaxCatalog = 100

// Names lists the components' names in order.
func (c Catalog) Names() []string {
	names := make([]string, len(c))
	for i, d := range c {
		names[i] = d.Name
	}
	return names
}

// Lookup finds a component by name in any letter case, and returns its name
// as configured.
func (c Catalog) Lookup(name string) (string, bool) {
	for _, d := range c {
		if strings.EqualFold(d.Name, name) {
			return d.Name, true
		}
	}
	return "", false
}

// Nearest is the configured name closest to a mistyped one.
func (c Catalog) Nearest(name string) string {
	best, bestDist := "", -1
	for _, d := range c {
		if dist := editDistance(strings.ToLower(name), strings.ToLower(d.Name)); bestDist < 0 || dist < bestDist {
			best, bestDist = d.Name, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// knownComponents checks the components a command names against the
// catalog, when there is one, and writes them as configured. A name it does
// not know is refused with the nearest one it does.
func (s *Service) knownComponents(cmd *Command) error {
	cat := s.opt.Components
	if len(cat) == 0 {
		return nil
	}
	var set map[string]ComponentStatus
	for i, name := range cmd.Components {
		known, ok := cat.Lookup(name)
		if !ok {
			return Errorf(EINVALID, "There is no component %q on the status page. Did you mean %q? Components: %s.", clip(name, 40), cat.Nearest(name), strings.Join(cat.Names(), ", "))
		}
		cmd.Components[i] = known
		if st, ok := cmd.ComponentStatus[name]; ok {
			if set == nil {
				set = map[string]ComponentStatus{}
			}
			set[known] = st
		}
	}
	cmd.ComponentStatus = set
	return nil
}

// componentsNote writes components with the statuses set for them:
// "API=major_outage, Web", or "none".
func componentsNote(names []string, set map[string]ComponentStatus) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n
		if st, ok := set[n]; ok {
			parts[i] += "=" + string(st)
		}
	}
	return listOrNone(parts)
}

// OnPage reports whether the status page shows the incident: it is neither
// private nor internal, and it hurts someone.
func (inc *Incident) OnPage() bool {
	return !inc.Private && !inc.Internal && inc.Impact != ImpactNone && inc.Impact != ""
}

// ComponentStatuses is what the incident does to each component it
// affects while it is open: the status set for it, else the impact's.
// A closed incident does nothing to any.
func (inc *Incident) ComponentStatuses() map[string]ComponentStatus {
	out := map[string]ComponentStatus{}
	if !inc.Open() {
		return out
	}
	for _, name := range inc.Components {
		st, ok := inc.ComponentStatus[name]
		if !ok {
			st = StatusOfImpact(inc.Impact)
		}
		out[name] = st
	}
	return out
}

package bot

import (
	"encoding/base32"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// The status page is the face of incidents that stakeholders without a chat
// account see. Its read model is built here, from incidents and their
// timelines, so that every door that shows it (HTML, JSON, feeds, webhooks)
// shows the same thing.

// Indicator is the page's overall state, in Statuspage's words.
type Indicator string

// The indicators, from fine to worst; maintenance stands apart.
const (
	IndicatorNone        Indicator = "none"
	IndicatorMinor       Indicator = "minor"
	IndicatorMajor       Indicator = "major"
	IndicatorCritical    Indicator = "critical"
	IndicatorMaintenance Indicator = "maintenance"
)

// Description is the indicator as Statuspage's banner words it.
func (i Indicator) Description() string {
	switch i {
	case IndicatorMinor:
		return "Minor Service Outage"
	case IndicatorMajor:
		return "Partial System Outage"
	case IndicatorCritical:
		return "Major System Outage"
	case IndicatorMaintenance:
		return "Service Under Maintenance"
	}
	return "All Systems Operational"
}

// indicatorOf is the indicator a component status raises the page to.
func indicatorOf(st ComponentStatus) Indicator {
	switch st {
	case MajorOutage:
		return IndicatorCritical
	case PartialOutage:
		return IndicatorMajor
	case DegradedPerformance:
		return IndicatorMinor
	case UnderMaintenance:
		return IndicatorMaintenance
	}
	return IndicatorNone
}

// indicatorOfImpact is the indicator an open incident raises the page to,
// whatever components it names.
func indicatorOfImpact(im Impact) Indicator {
	switch im {
	case ImpactMinor, ImpactMajor, ImpactCritical:
		return Indicator(im)
	}
	return IndicatorNone
}

// worseIndicator returns the worse of two indicators; an outage of any kind
// outweighs maintenance.
func worseIndicator(a, b Indicator) Indicator {
	rank := func(i Indicator) int {
		return slices.Index([]Indicator{IndicatorNone, IndicatorMaintenance, IndicatorMinor, IndicatorMajor, IndicatorCritical}, i)
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// PageRecord is an incident with its timeline, as a store hands it to the
// status page.
type PageRecord struct {
	Incident Incident
	Timeline []Entry
}

// PublicIncident is an incident as the page shows it: only public updates.
type PublicIncident struct {
	// ID is stable across restarts and replicas: Statuspage's tools key on it.
	ID       string
	Incident Incident
	// Updates are the public updates, oldest first, without the postmortem.
	Updates []Entry
	// Postmortem is the published postmortem as last amended, or nil.
	Postmortem *Entry
	// Statuses is what the incident does to its components while open.
	Statuses map[string]ComponentStatus
}

// Updated is when the incident last changed on the page.
func (p PublicIncident) Updated() time.Time {
	t := p.Incident.DeclaredAt
	if n := len(p.Updates); n > 0 {
		t = p.Updates[n-1].At
	}
	if p.Postmortem != nil && p.Postmortem.At.After(t) {
		t = p.Postmortem.At
	}
	return t
}

// ComponentState is one component as the page shows it now.
type ComponentState struct {
	ID     string
	Name   string
	Group  string
	Status ComponentStatus
	// Position is its place on the page, from 1.
	Position int
	// Since is when it last took its status: the start of the newest open
	// incident that set it, or the zero time while operational.
	Since time.Time
}

// Page is the status page at one moment.
type Page struct {
	ID         string
	Org        string
	Components []ComponentState
	Indicator  Indicator
	// Incidents are those the page shows, newest first.
	Incidents []PublicIncident
	// Updated is when anything on the page last changed.
	Updated time.Time
	Built   time.Time
}

// BuildPage makes the page of org from the records a store gave: components
// in the catalog's order (or, without one, in the order incidents named
// them), each at the worst status any open incident gives it.
func BuildPage(org string, cat Catalog, records []PageRecord, now time.Time) Page {
	p := Page{ID: StableID("page", org), Org: org, Indicator: IndicatorNone, Built: now}
	for _, r := range records {
		if r.Incident.OnPage() {
			p.Incidents = append(p.Incidents, publicIncident(r))
		}
	}
	slices.SortStableFunc(p.Incidents, func(a, b PublicIncident) int { return b.Incident.DeclaredAt.Compare(a.Incident.DeclaredAt) })
	defs := slices.Clone(cat)
	if len(defs) == 0 {
		for i := len(p.Incidents) - 1; i >= 0; i-- { // oldest first, so names keep their place
			for _, name := range p.Incidents[i].Incident.Components {
				if !slices.ContainsFunc(defs, func(d ComponentDef) bool { return strings.EqualFold(d.Name, name) }) {
					defs = append(defs, ComponentDef{Name: name})
				}
			}
		}
	}
	for i, d := range defs {
		c := ComponentState{ID: StableID("component", d.Name), Name: d.Name, Group: d.Group, Status: Operational, Position: i + 1}
		for _, inc := range p.Incidents {
			st, ok := inc.Statuses[d.Name]
			if !ok {
				continue
			}
			if c.Status = Worse(c.Status, st); inc.Incident.DeclaredAt.After(c.Since) {
				c.Since = inc.Incident.DeclaredAt
			}
		}
		p.Indicator = worseIndicator(p.Indicator, indicatorOf(c.Status))
		p.Components = append(p.Components, c)
	}
	for _, inc := range p.Incidents {
		if inc.Incident.Open() {
			p.Indicator = worseIndicator(p.Indicator, indicatorOfImpact(inc.Incident.Impact))
		}
		if u := inc.Updated(); u.After(p.Updated) {
			p.Updated = u
		}
	}
	return p
}

// publicIncident keeps what stakeholders may read of an incident.
func publicIncident(r PageRecord) PublicIncident {
	inc := r.Incident
	pi := PublicIncident{ID: IncidentID(inc.Workspace, inc.Number), Incident: inc, Statuses: inc.ComponentStatuses()}
	for _, e := range r.Timeline {
		switch {
		case !e.Public():
		case e.Status == fsm.Postmortem:
			pm := e
			pi.Postmortem = &pm
		default:
			pi.Updates = append(pi.Updates, e)
		}
	}
	return pi
}

// Open lists the incidents still open, newest first.
func (p *Page) Open() []PublicIncident {
	var open []PublicIncident
	for _, inc := range p.Incidents {
		if inc.Incident.Open() {
			open = append(open, inc)
		}
	}
	return open
}

// Find returns the incident with the given ID.
func (p *Page) Find(id string) (PublicIncident, bool) {
	for _, inc := range p.Incidents {
		if inc.ID == id {
			return inc, true
		}
	}
	return PublicIncident{}, false
}

// IncidentID is the stable public ID of an incident.
func IncidentID(ws Workspace, number int) string {
	return StableID("incident", ws.String(), strconv.Itoa(number))
}

// UpdateID is the stable public ID of one of an incident's updates.
func UpdateID(incidentID string, seq int) string {
	return StableID("update", incidentID, strconv.Itoa(seq))
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// StableID derives a Statuspage-like ID (12 lowercase letters and digits)
// from what names a thing, so every replica, and every restart, gives the
// same thing the same ID without storing it.
func StableID(parts ...string) string {
	h := fnv.New128a()
	h.Write([]byte(strings.Join(parts, "\x00")))
	return idEncoding.EncodeToString(h.Sum(nil))[:12]
}

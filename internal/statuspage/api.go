package statuspage

import (
	"slices"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
)

// The documents below are Statuspage's v2 public API, field for field.

// isoTime writes times as Statuspage does: ISO 8601 with milliseconds, UTC.
type isoTime time.Time

func (t isoTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

// optTime is an isoTime that is null when zero.
func optTime(t time.Time) *isoTime {
	if t.IsZero() {
		return nil
	}
	it := isoTime(t)
	return &it
}

type apiPage struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	TimeZone  string  `json:"time_zone"`
	UpdatedAt isoTime `json:"updated_at"`
}

type apiStatus struct {
	Indicator   bot.Indicator `json:"indicator"`
	Description string        `json:"description"`
}

type apiComponent struct {
	ID                 string              `json:"id"`
	Name               string              `json:"name"`
	Status             bot.ComponentStatus `json:"status"`
	CreatedAt          isoTime             `json:"created_at"`
	UpdatedAt          isoTime             `json:"updated_at"`
	Position           int                 `json:"position"`
	Description        *string             `json:"description"`
	Showcase           bool                `json:"showcase"`
	StartDate          *string             `json:"start_date"`
	GroupID            *string             `json:"group_id"`
	PageID             string              `json:"page_id"`
	Group              bool                `json:"group"`
	OnlyShowIfDegraded bool                `json:"only_show_if_degraded"`
	Components         []string            `json:"components,omitempty"` // a group's members
}

type apiAffected struct {
	Code      string              `json:"code"`
	Name      string              `json:"name"`
	OldStatus bot.ComponentStatus `json:"old_status"`
	NewStatus bot.ComponentStatus `json:"new_status"`
}

type apiUpdate struct {
	ID                   string        `json:"id"`
	Status               fsm.Status    `json:"status"`
	Body                 string        `json:"body"`
	IncidentID           string        `json:"incident_id"`
	CreatedAt            isoTime       `json:"created_at"`
	UpdatedAt            isoTime       `json:"updated_at"`
	DisplayAt            isoTime       `json:"display_at"`
	AffectedComponents   []apiAffected `json:"affected_components"`
	DeliverNotifications bool          `json:"deliver_notifications"`
	CustomTweet          *string       `json:"custom_tweet"`
	TweetID              *string       `json:"tweet_id"`
}

type apiIncident struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Status          fsm.Status     `json:"status"`
	CreatedAt       isoTime        `json:"created_at"`
	UpdatedAt       isoTime        `json:"updated_at"`
	MonitoringAt    *isoTime       `json:"monitoring_at"`
	ResolvedAt      *isoTime       `json:"resolved_at"`
	Impact          bot.Impact     `json:"impact"`
	Shortlink       string         `json:"shortlink"`
	StartedAt       isoTime        `json:"started_at"`
	PageID          string         `json:"page_id"`
	IncidentUpdates []apiUpdate    `json:"incident_updates"`
	Components      []apiComponent `json:"components"`
	// The postmortem, which Statuspage's page shows under the incident.
	PostmortemBody        *string  `json:"postmortem_body"`
	PostmortemPublishedAt *isoTime `json:"postmortem_published_at"`
}

type summaryDoc struct {
	Page                  apiPage        `json:"page"`
	Components            []apiComponent `json:"components"`
	Incidents             []apiIncident  `json:"incidents"`
	ScheduledMaintenances []apiIncident  `json:"scheduled_maintenances"`
	Status                apiStatus      `json:"status"`
}

type statusDoc struct {
	Page   apiPage   `json:"page"`
	Status apiStatus `json:"status"`
}

type componentsDoc struct {
	Page       apiPage        `json:"page"`
	Components []apiComponent `json:"components"`
}

type incidentsDoc struct {
	Page      apiPage       `json:"page"`
	Incidents []apiIncident `json:"incidents"`
}

type maintenancesDoc struct {
	Page                  apiPage       `json:"page"`
	ScheduledMaintenances []apiIncident `json:"scheduled_maintenances"`
}

// maxIncidents is how many incidents incidents.json lists, as Statuspage's.
const maxIncidents = 50

// api turns the read model into Statuspage's shapes.
type api struct {
	page bot.Page
	url  string // the page's public URL, ending in "/"
	zone string
}

func (a api) pageObj() apiPage {
	return apiPage{ID: a.page.ID, Name: a.page.Org, URL: a.url, TimeZone: a.zone, UpdatedAt: isoTime(a.updated())}
}

func (a api) updated() time.Time {
	if a.page.Updated.IsZero() {
		return a.page.Built
	}
	return a.page.Updated
}

func (a api) status() apiStatus {
	return apiStatus{Indicator: a.page.Indicator, Description: a.page.Indicator.Description()}
}

// components lists groups before their members, each in catalog order.
func (a api) components() []apiComponent {
	var out []apiComponent
	groups := map[string]int{} // group name -> index in out
	for _, c := range a.page.Components {
		comp := a.component(c)
		if c.Group != "" {
			i, ok := groups[c.Group]
			if !ok {
				g := a.component(bot.ComponentState{ID: bot.StableID("group", c.Group), Name: c.Group, Status: bot.Operational, Since: c.Since})
				g.Group = true
				out = append(out, g)
				i = len(out) - 1
				groups[c.Group] = i
			}
			out[i].Components = append(out[i].Components, comp.ID)
			out[i].Status = bot.Worse(out[i].Status, c.Status)
			comp.GroupID = &out[i].ID
		}
		out = append(out, comp)
	}
	for i := range out {
		out[i].Position = i + 1
	}
	return out
}

func (a api) component(c bot.ComponentState) apiComponent {
	updated := c.Since
	if updated.IsZero() {
		updated = a.updated()
	}
	return apiComponent{ID: c.ID, Name: c.Name, Status: c.Status, CreatedAt: isoTime(a.created()), UpdatedAt: isoTime(updated),
		PageID: a.page.ID, Showcase: true, Position: c.Position}
}

// created is when the page's components came to be, as far as incidentbot
// knows: its oldest incident.
func (a api) created() time.Time {
	t := a.updated()
	for _, inc := range a.page.Incidents {
		if inc.Incident.DeclaredAt.Before(t) {
			t = inc.Incident.DeclaredAt
		}
	}
	return t
}

func (a api) incidents(open bool) []apiIncident {
	out := []apiIncident{}
	for _, inc := range a.page.Incidents {
		if len(out) == maxIncidents {
			break
		}
		if !open || inc.Incident.Open() {
			out = append(out, a.incident(inc))
		}
	}
	return out
}

func (a api) incident(p bot.PublicIncident) apiIncident {
	inc := p.Incident
	out := apiIncident{
		ID: p.ID, Name: inc.Title, Status: inc.Status, CreatedAt: isoTime(inc.DeclaredAt), UpdatedAt: isoTime(p.Updated()),
		MonitoringAt: optTime(inc.Milestones[fsm.Monitoring]), ResolvedAt: optTime(inc.ResolvedAt), Impact: inc.Impact,
		Shortlink: a.url + "incidents/" + p.ID, StartedAt: isoTime(inc.StartedAt), PageID: a.page.ID,
		IncidentUpdates: []apiUpdate{}, Components: []apiComponent{},
	}
	for _, name := range inc.Components {
		i := slices.IndexFunc(a.page.Components, func(c bot.ComponentState) bool { return c.Name == name })
		if i >= 0 {
			out.Components = append(out.Components, a.component(a.page.Components[i]))
		}
	}
	for i := len(p.Updates) - 1; i >= 0; i-- { // newest first, as Statuspage lists them
		out.IncidentUpdates = append(out.IncidentUpdates, a.update(p, p.Updates[i]))
	}
	if pm := p.Postmortem; pm != nil {
		out.PostmortemBody, out.PostmortemPublishedAt = &pm.Message, optTime(pm.At)
	}
	return out
}

func (a api) update(p bot.PublicIncident, e bot.Entry) apiUpdate {
	u := apiUpdate{ID: bot.UpdateID(p.ID, e.Seq), Status: e.Status, Body: e.Message, IncidentID: p.ID,
		CreatedAt: isoTime(e.RecordedAt), UpdatedAt: isoTime(e.RecordedAt), DisplayAt: isoTime(e.At), DeliverNotifications: true}
	if p.Updates[0].Seq == e.Seq { // the first update says what the incident did to its components
		for _, name := range p.Incident.Components {
			st, ok := p.Incident.ComponentStatus[name]
			if !ok {
				st = bot.StatusOfImpact(p.Incident.Impact)
			}
			u.AffectedComponents = append(u.AffectedComponents, apiAffected{Code: bot.StableID("component", name), Name: name, OldStatus: bot.Operational, NewStatus: st})
		}
	}
	return u
}

func (a api) summary() summaryDoc {
	return summaryDoc{Page: a.pageObj(), Components: a.components(), Incidents: a.incidents(true), ScheduledMaintenances: []apiIncident{}, Status: a.status()}
}

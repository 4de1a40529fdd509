package bot

import "time"

// Day is one day of a component's history: the worst status any incident
// gave it that day, and which incidents did.
type Day struct {
	Date      time.Time // midnight, in the zone asked for
	Status    ComponentStatus
	Incidents []string // titles, newest first
}

// History is the last n days of a component, oldest first, ending with the
// day the page was built: what an uptime bar draws.
func (p *Page) History(component string, n int, loc *time.Location) []Day {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := p.Built.In(loc).Date()
	first := time.Date(y, m, d-n+1, 0, 0, 0, 0, loc)
	days := make([]Day, n)
	for i := range days {
		days[i] = Day{Date: time.Date(y, m, d-n+1+i, 0, 0, 0, 0, loc), Status: Operational}
	}
	for _, inc := range p.Incidents {
		st, ok := inc.affected(component)
		if !ok {
			continue
		}
		from, to := inc.Incident.StartedAt, inc.Incident.ResolvedAt
		if inc.Incident.Open() || to.IsZero() {
			to = p.Built
		}
		for i := range days {
			dayEnd := days[i].Date.AddDate(0, 0, 1)
			if days[i].Date.Before(first) || !from.Before(dayEnd) || to.Before(days[i].Date) {
				continue
			}
			days[i].Status = Worse(days[i].Status, st)
			days[i].Incidents = append(days[i].Incidents, inc.Incident.Title)
		}
	}
	return days
}

// affected reports the status the incident gives a component while it is
// open, whether or not it still is.
func (p PublicIncident) affected(component string) (ComponentStatus, bool) {
	for _, name := range p.Incident.Components {
		if name != component {
			continue
		}
		if st, ok := p.Incident.ComponentStatus[name]; ok {
			return st, true
		}
		return StatusOfImpact(p.Incident.Impact), true
	}
	return "", false
}

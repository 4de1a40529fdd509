package statuspage

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

//go:embed page.tmpl
var pageTemplate string

var pages = template.Must(template.New("page").Parse(pageTemplate))

// historyDays is how many days an uptime bar covers.
const historyDays = 90

// view is what every template of the page reads.
type view struct {
	Title, Org, Root string
	Indicator        bot.Indicator
	Description      string
	Components       []componentView
	Open             []incidentView
	Past             []dayView
	Incident         *incidentView
}

type componentView struct {
	Name, Group, Summary, Uptime string
	Status                       bot.ComponentStatus
	Label                        string
	Days                         []dayBar
}

type dayBar struct {
	Status bot.ComponentStatus
	Title  string
}

type incidentView struct {
	Name, Link, Status string
	Impact             bot.Impact
	Updates            []updateView
	Last               *updateView
	Components         []string
	Postmortem         *updateView
}

type updateView struct {
	Status, Body, When, ISO, Ago string
}

type dayView struct {
	Day       string
	Incidents []incidentView
}

// renderHTML renders the page, each incident's page and the not-found page.
func (h *Handler) renderHTML(page bot.Page, _ string, docs map[string]doc) error {
	base := view{Org: page.Org, Root: h.opt.Path, Indicator: page.Indicator, Description: page.Indicator.Description()}
	index := base
	index.Title = page.Org + " status"
	for _, c := range page.Components {
		index.Components = append(index.Components, h.componentView(&page, c))
	}
	for _, inc := range page.Incidents {
		iv := h.incidentView(page, inc)
		if inc.Incident.Open() {
			index.Open = append(index.Open, iv)
			continue
		}
		day := inc.Incident.DeclaredAt.In(h.opt.Location).Format("Jan 2, 2006")
		if n := len(index.Past); n > 0 && index.Past[n-1].Day == day {
			index.Past[n-1].Incidents = append(index.Past[n-1].Incidents, iv)
		} else {
			index.Past = append(index.Past, dayView{Day: day, Incidents: []incidentView{iv}})
		}
	}
	if err := h.renderDoc(docs, "", "index", index); err != nil {
		return err
	}
	for _, inc := range page.Incidents {
		v := base
		iv := h.incidentView(page, inc)
		v.Title, v.Incident = inc.Incident.Title+" - "+page.Org+" status", &iv
		if err := h.renderDoc(docs, "incidents/"+inc.ID, "incident", v); err != nil {
			return err
		}
	}
	nf := base
	nf.Title = "Not found - " + page.Org + " status"
	return h.renderDoc(docs, "404", "404", nf)
}

func (h *Handler) renderDoc(docs map[string]doc, path, name string, v view) error {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, v); err != nil {
		return fmt.Errorf("statuspage: rendering %s: %w", name, err)
	}
	docs[path] = newDoc("text/html; charset=utf-8", b.Bytes(), false)
	return nil
}

func (h *Handler) componentView(page *bot.Page, c bot.ComponentState) componentView {
	cv := componentView{Name: c.Name, Group: c.Group, Status: c.Status, Label: c.Status.Label()}
	bad := 0
	for _, d := range page.History(c.Name, historyDays, h.opt.Location) {
		title := d.Date.Format("Jan 2, 2006") + ": " + d.Status.Label()
		if len(d.Incidents) > 0 {
			title += " — " + strings.Join(d.Incidents, "; ")
			bad++
		}
		cv.Days = append(cv.Days, dayBar{Status: d.Status, Title: title})
	}
	cv.Summary = fmt.Sprintf("%s over the last %d days: %d with incidents, %d without.", c.Name, historyDays, bad, historyDays-bad)
	cv.Uptime = fmt.Sprintf("%.2f %%", 100*float64(historyDays-bad)/historyDays)
	return cv
}

func (h *Handler) incidentView(page bot.Page, inc bot.PublicIncident) incidentView {
	iv := incidentView{Name: inc.Incident.Title, Link: h.opt.Path + "incidents/" + inc.ID, Status: label(string(inc.Incident.Status)),
		Impact: inc.Incident.Impact, Components: inc.Incident.Components}
	for _, e := range inc.Updates {
		iv.Updates = append(iv.Updates, h.updateView(page.Built, e))
	}
	if n := len(iv.Updates); n > 0 {
		iv.Last = &iv.Updates[n-1]
	}
	if inc.Postmortem != nil {
		pm := h.updateView(page.Built, *inc.Postmortem)
		iv.Postmortem = &pm
	}
	return iv
}

// updateView writes an update as Statuspage's page does: "Resolved", the
// body, "Posted 2 days ago. Oct 30, 2025 - 21:58 UTC".
func (h *Handler) updateView(now time.Time, e bot.Entry) updateView {
	return updateView{Status: label(string(e.Status)), Body: e.Message, When: e.At.In(h.opt.Location).Format("Jan 2, 2006 - 15:04 MST"),
		ISO: e.At.UTC().Format(time.RFC3339), Ago: ago(now.Sub(e.At))}
}

func label(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// ago words a duration the way a page reads it: "2 days ago".
func ago(d time.Duration) string {
	unit := func(n int, word string) string {
		if n == 1 {
			return "1 " + word + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, word)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return unit(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return unit(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return unit(int(d/(24*time.Hour)), "day")
	}
	return unit(int(d/(30*24*time.Hour)), "month")
}

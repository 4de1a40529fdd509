package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// show answers the status report of one incident, as seen from where it
// was asked.
func (s *Service) show(ctx context.Context, req Request, cmd Command) (Reply, error) {
	inc, err := s.visibleIncident(ctx, req, cmd)
	if err != nil {
		return Reply{}, err
	}
	r := Report{Org: s.opt.Org, Incident: *inc, Now: s.now(), Location: s.opt.Location}
	if inc.Entries <= reportTail || inc.Updates == 0 {
		// A short timeline, or one recorded before updates were counted.
		if r.Timeline, err = s.opt.Store.Timeline(ctx, req.Workspace, inc.Number); err != nil {
			return Reply{}, err
		}
	} else {
		// A long one: the first entry and the newest, however long it grew.
		first, last, err := s.opt.Store.TimelineEnds(ctx, req.Workspace, inc.Number, 1, reportTail)
		if err != nil {
			return Reply{}, err
		}
		r.First, r.Timeline = first, last
	}
	r.NextUpdate = s.card(inc, r.Now).NextUpdate
	if s.opt.StatusURL != "" && inc.OnPage() {
		r.FullAt = s.opt.StatusURL + "incidents/" + IncidentID(req.Workspace, inc.Number)
	}
	text, left := r.render()
	reply := Reply{Text: text, Incident: inc.Number}
	if left > 0 && r.FullAt == "" {
		reply.Full = inc.Number
	}
	return reply, nil
}

// File is a text file a door sends beside a reply, with the sentence that
// comes with it.
type File struct {
	Name, Title, Caption, Text string
}

// FullReport is the whole report of incident number, every update in it,
// as a file: what doors send when a show had to leave updates out. It
// reads the whole timeline, so doors call it after answering.
func (s *Service) FullReport(ctx context.Context, ws Workspace, number int) (File, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opt.Timeout)
	defer cancel()
	found, err := s.opt.Store.Find(ctx, Lookup{Workspace: ws, Number: number})
	if err != nil {
		return File{}, err
	}
	if found.Incident == nil {
		return File{}, Errorf(ENOTFOUND, "%s does not exist.", FormatRef(number))
	}
	inc := found.Incident
	r := Report{Org: s.opt.Org, Incident: *inc, Now: s.now(), Location: s.opt.Location, Whole: true}
	if r.Timeline, err = s.opt.Store.Timeline(ctx, ws, number); err != nil {
		return File{}, err
	}
	r.NextUpdate = s.card(inc, r.Now).NextUpdate
	return File{Name: inc.Ref() + "-report.txt", Title: inc.Ref() + ": the whole report",
		Caption: "The whole report of " + inc.Ref() + ", every update in it.", Text: r.String()}, nil
}

// reportTail is how many of its newest entries a long incident's report
// reads: more than fit in MaxReportChars.
const reportTail = 200

// list answers one line per open incident, or per incident with --all.
func (s *Service) list(ctx context.Context, req Request, cmd Command) (Reply, error) {
	listed, err := s.opt.Store.List(ctx, req.Workspace, cmd.All)
	if err != nil {
		return Reply{}, err
	}
	here, err := s.opt.Store.Find(ctx, Lookup{Workspace: req.Workspace, Channel: req.Channel})
	if err != nil {
		return Reply{}, err
	}
	var incs []Incident
	for _, inc := range listed {
		if visible(&inc, here) {
			incs = append(incs, inc)
		}
	}
	if len(incs) == 0 {
		if cmd.All {
			return Reply{Text: "No incident has been declared here yet. Open one with /incident declare <title>."}, nil
		}
		return Reply{Text: "No incident is open. /incident list --all shows past ones; /incident declare <title> opens one."}, nil
	}
	var b strings.Builder
	if cmd.All {
		b.WriteString("Incidents, newest first:")
	} else {
		b.WriteString("Open incidents, newest first:")
	}
	now := s.now()
	for _, inc := range incs {
		fmt.Fprintf(&b, "\n%s · %s · impact %s · %s · %s", inc.Ref(), inc.Status, inc.Impact, FormatDuration(inc.Duration(now)), inc.Title)
	}
	return Reply{Text: b.String()}, nil
}

// help answers the usage of every command, or of one, with how references
// and times are written; times without a zone are read in loc.
func help(cmd Command, loc *time.Location) Reply {
	words := fmt.Sprintf("<ref> is INC-12 or #12 (a bare 12 only when it is all you give, as in /incident show 12); without it, the incident of this channel. <time> is 2025-10-30T17:25:40Z, or 2025-10-30 17:25 in %s.", zoneName(loc))
	if cmd.Topic != "" {
		sp, _ := lookupSpec(cmd.Topic)
		return Reply{Text: fmt.Sprintf("%s\n%s. %s", sp.usage, capitalize(sp.about), words)}
	}
	var b strings.Builder
	b.WriteString("incidentbot commands:")
	for _, sp := range specs {
		fmt.Fprintf(&b, "\n%s\n    %s", sp.usage, sp.about)
	}
	b.WriteString("\n" + words)
	return Reply{Text: b.String()}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

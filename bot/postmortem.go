package bot

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

//go:embed postmortem.tmpl
var postmortemText string

// defaultPostmortem is the embedded draft template; it is tested, so Must is safe.
var defaultPostmortem = template.Must(ParsePostmortemTemplate(postmortemText))

// ParsePostmortemTemplate compiles an operator's postmortem template. It sees a
// PostmortemData.
func ParsePostmortemTemplate(text string) (*template.Template, error) {
	t, err := template.New("postmortem").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("bot: postmortem template: %w", err)
	}
	// Execute once on a sample, so a template naming a field that does not
	// exist fails at start-up instead of when a responder asks for a draft.
	sample := postmortemData("Org", &Incident{Number: 1, Title: "t", Lifecycle: fsm.Lifecycle{Status: fsm.Resolved}, Impact: ImpactMinor}, nil, time.Now(), time.UTC)
	if err := t.Execute(new(strings.Builder), sample); err != nil {
		return nil, fmt.Errorf("bot: postmortem template: %w", err)
	}
	return t, nil
}

// PostmortemData is what a postmortem template sees. Times are full UTC dates
// and times; durations read like "4h 32m"; a milestone never reached reads "n/a".
type PostmortemData struct {
	Org, Ref, Title, Impact, Components, Commander string
	Started, Resolved, Declared                    string
	ImpactWindow                                   string
	TimeToIdentify, TimeToMitigate, TimeToResolve  string
	// Summary is the summary sentence of the status report.
	Summary  string
	Timeline []PostmortemEntry
	// FollowUps are the incident's follow-ups, a line each: the measures.
	FollowUps []string
}

// PostmortemEntry is one timeline entry as the postmortem lists it.
type PostmortemEntry struct {
	When, Status, Kind, Message string
	// Late marks an update that came after the one promised (--next).
	Late bool
}

func postmortemData(org string, inc *Incident, timeline []Entry, now time.Time, loc *time.Location) PostmortemData {
	full := func(t time.Time) string {
		if t.IsZero() {
			return "n/a"
		}
		return t.UTC().Format(fullLayout)
	}
	since := func(st fsm.Status) string {
		t, ok := inc.Milestones[st]
		if !ok {
			return "n/a"
		}
		return FormatDuration(t.Sub(inc.DeclaredAt))
	}
	commander := "unassigned"
	if u := inc.Roles[Commander]; u != "" {
		commander = UserText(u)
	}
	d := PostmortemData{
		Org: org, Ref: inc.Ref(), Title: inc.Title, Impact: string(inc.Impact),
		Components: listOrNone(inc.Components), Commander: commander,
		Started: full(inc.StartedAt), Resolved: full(inc.ResolvedAt), Declared: full(inc.DeclaredAt),
		ImpactWindow:   "n/a",
		TimeToIdentify: since(fsm.Identified), TimeToMitigate: since(fsm.Monitoring),
		TimeToResolve: "n/a",
		Summary:       Summary(org, inc, now, loc),
	}
	if !inc.ResolvedAt.IsZero() {
		d.ImpactWindow = FormatDuration(inc.ResolvedAt.Sub(inc.StartedAt))
		d.TimeToResolve = FormatDuration(inc.ResolvedAt.Sub(inc.DeclaredAt))
	}
	// Field changes are recorded at the moment they are typed, updates may be
	// backdated: order by when things happened, keeping record order on ties.
	sorted := slices.Clone(timeline)
	slices.SortStableFunc(sorted, func(a, b Entry) int { return a.At.Compare(b.At) })
	for _, e := range sorted {
		d.Timeline = append(d.Timeline, PostmortemEntry{When: full(e.At), Status: string(e.Status), Kind: string(e.Kind), Message: e.Message, Late: e.Late})
	}
	for _, f := range inc.FollowUps {
		d.FollowUps = append(d.FollowUps, f.line(inc, loc))
	}
	return d
}

// planDraft plans posting a pre-filled postmortem to the incident channel.
// The incident's status does not change.
func (s *Service) planDraft(ctx context.Context, req Request, inc *Incident) (Change, error) {
	m, err := fsm.Restore(inc.Lifecycle)
	if err != nil {
		return Change{}, err
	}
	if _, err := m.Fire(fsm.Draft, s.now()); err != nil {
		return Change{}, refusal(inc, err)
	}
	timeline, err := s.opt.Store.Timeline(ctx, inc.Workspace, inc.Number)
	if err != nil {
		return Change{}, err
	}
	now := s.now()
	var b strings.Builder
	if err := s.opt.Postmortem.Execute(&b, postmortemData(s.opt.Org, inc, timeline, now, s.opt.Location)); err != nil {
		return Change{}, fmt.Errorf("bot: postmortem draft of %s: %w", inc.Ref(), err)
	}
	next := inc.clone()
	next.Version++
	card := s.card(&next, now)
	draft := Message{Kind: MessageDraft, Card: card, Text: b.String()}
	jobs := []Job{s.job(&next, LaneChannel, OpPost, draft)}
	text := fmt.Sprintf("Posted a postmortem draft of %s in its channel. Edit it, then publish with /incident postmortem %s <body>.", next.Ref(), next.Ref())
	ch := s.changeOf(req, next, nil, jobs, text)
	ch.Reply.Form = postmortemForm(inc, Summary(s.opt.Org, inc, now, s.opt.Location))
	return ch, nil
}

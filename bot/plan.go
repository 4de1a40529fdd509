package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// defaultFirstUpdate opens the timeline when a declaration brings no --message.
const defaultFirstUpdate = "We are investigating this issue."

// plan turns a command about inc (nil for a declaration) into a Change, or
// refuses it with a sentence for the responder. It writes nothing.
func (s *Service) plan(ctx context.Context, req Request, cmd Command, inc *Incident, f Found) (Change, error) {
	switch cmd.Name {
	case CmdDeclare:
		return s.planDeclare(ctx, req, cmd, f)
	case CmdImpact, CmdComponents, CmdAssign:
		return s.planFields(req, cmd, inc)
	case CmdVisibility:
		return s.planVisibility(req, cmd, inc)
	case CmdSnooze:
		return s.planSnooze(req, cmd, inc)
	case CmdFollowUp:
		return s.planFollowUp(req, cmd, inc)
	case CmdPostmortem:
		if cmd.Text == "" {
			return s.planDraft(ctx, req, inc)
		}
	}
	return s.planEntry(req, cmd, inc)
}

// resolve picks the incident a command is about, or says why it cannot. A
// private incident is seen only in its own channel: elsewhere it is as if it
// did not exist, title and all.
func resolve(cmd Command, f Found) (*Incident, error) {
	if f.Incident != nil && visible(f.Incident, f) {
		return f.Incident, nil
	}
	if cmd.Ref != 0 {
		latest := ""
		if f.LastNumber > 0 {
			latest = fmt.Sprintf(" The latest is %s.", FormatRef(f.LastNumber))
		}
		return nil, Errorf(ENOTFOUND, "There is no %s here.%s /incident list shows the open incidents.", FormatRef(cmd.Ref), latest)
	}
	var open []Incident
	for _, inc := range f.Open {
		if visible(&inc, f) {
			open = append(open, inc)
		}
	}
	switch len(open) {
	case 0:
		return nil, Errorf(ENOTFOUND, "No incident is open here. Name one (for example INC-7), or open one with /incident declare <title>.")
	case 1:
		return &open[0], nil
	}
	names := make([]string, len(open))
	for i, inc := range open {
		names[i] = fmt.Sprintf("%s (%s)", inc.Ref(), inc.Title)
	}
	return nil, Errorf(EINVALID, "Several incidents are open: %s. Say which one, for example /incident %s %s ...",
		strings.Join(names, ", "), cmd.Name, open[0].Ref())
}

// visible reports whether inc may be seen where the lookup of f was made.
func visible(inc *Incident, f Found) bool {
	return !inc.Private || f.Bound == inc.Number
}

func (s *Service) planDeclare(ctx context.Context, req Request, cmd Command, f Found) (Change, error) {
	now := s.now()
	at, err := s.declaredAt(cmd, now)
	if err != nil {
		return Change{}, err
	}
	started := at
	if !cmd.Started.IsZero() {
		if cmd.Started.After(at) {
			return Change{}, Errorf(EINVALID, "--started (%s) is after the declaration (%s); it is when impact began, so it comes first.", s.stamp(cmd.Started), s.stamp(at))
		}
		started = cmd.Started
	}
	impact := cmd.Impact
	if impact == "" {
		impact = ImpactNone
	}
	private, err := s.privateOrigin(ctx, req, cmd)
	if err != nil {
		return Change{}, err
	}
	if err := s.knownComponents(&cmd); err != nil {
		return Change{}, err
	}
	inc := Incident{
		Workspace:       req.Workspace,
		Number:          f.LastNumber + 1,
		Title:           cmd.Text,
		Lifecycle:       fsm.Declared(at),
		Impact:          impact,
		Components:      cmd.Components,
		ComponentStatus: cmd.ComponentStatus,
		Internal:        cmd.Internal,
		Roles:           map[Role]string{},
		Channel:         req.Channel,
		DeclaredBy:      req.Actor,
		Private:         private,
		StartedAt:       started,
		DeclaredAt:      at,
		LastAt:          at,
		QuietSince:      now,
		Entries:         1,
		Version:         1,
	}
	if req.Actor != "" {
		inc.Roles[Commander] = req.Actor
	}
	inc.name(req.Actor, req.ActorName)
	msg := cmd.Message
	if msg == "" {
		msg = defaultFirstUpdate
	}
	entry := Entry{Seq: 1, Kind: KindUpdate, Status: fsm.Investigating, At: at, RecordedAt: now, Actor: req.Actor, Message: msg}
	card := s.card(&inc, at)
	first := entryMessage(card, entry, s.opt.Location, true)
	jobs := []Job{
		s.job(&inc, LaneChannel, OpOpen, summaryMessage(card)),
		s.job(&inc, LaneChannel, OpPost, first),
	}
	jobs[0].Invite = req.Actor
	if s.broadcasts(&inc) {
		jobs = append(jobs, s.job(&inc, LaneBroadcast, OpRoot, summaryMessage(card)), s.job(&inc, LaneBroadcast, OpPost, first))
	}
	jobs = append(jobs, s.hookJobs(&inc, first)...)
	text := fmt.Sprintf("Declared %s: %s (investigating, impact %s). Move it on with /incident identified <message>; add news with /incident update <message>.", inc.Ref(), inc.Title, inc.Impact)
	if !cmd.At.IsZero() {
		text += " Recorded as of " + s.stamp(at) + "."
	}
	if !cmd.Started.IsZero() {
		text += " Impact began " + s.stamp(started) + "."
	}
	return s.changeOf(req, inc, &entry, jobs, text), nil
}

// declaredAt is when a declaration happened: --at, or now.
func (s *Service) declaredAt(cmd Command, now time.Time) (time.Time, error) {
	for _, t := range []struct {
		flag string
		at   time.Time
	}{{"at", cmd.At}, {"started", cmd.Started}} {
		if t.at.After(now) {
			return time.Time{}, Errorf(EINVALID, "--%s (%s) is in the future; it is now %s.", t.flag, s.stamp(t.at), s.stamp(now))
		}
	}
	if cmd.At.IsZero() {
		return now, nil
	}
	return cmd.At, nil
}

// planEntry plans a timeline update: a move to another status, an update
// that keeps it, or a published or amended postmortem. The lifecycle's
// machine decides whether the command is allowed and what it changes.
func (s *Service) planEntry(req Request, cmd Command, inc *Incident) (Change, error) {
	m, err := fsm.Restore(inc.Lifecycle)
	if err != nil {
		return Change{}, err
	}
	now := s.now()
	at, atErr := s.entryAt(cmd.At, inc, now)
	step, err := m.Fire(cmd.Event(), at)
	switch {
	case err != nil:
		return Change{}, refusal(inc, err)
	case atErr != nil:
		return Change{}, atErr
	}
	next := inc.clone()
	next.Lifecycle = m.Lifecycle()
	next.LastAt, next.QuietSince = at, now
	// An update keeps the promise of the last; it makes a new one only when
	// it says so.
	late := !inc.NextBy.IsZero() && now.After(inc.NextBy)
	next.NextBy = time.Time{}
	if cmd.Next > 0 {
		next.NextBy = now.Add(cmd.Next)
	}
	next.Entries++
	next.Version++
	entry := Entry{Seq: next.Entries, Kind: KindUpdate, Status: step.To, At: at, RecordedAt: now, Actor: req.Actor, Message: cmd.Text, Late: late}
	card := s.card(&next, at)
	post := entryMessage(card, entry, s.opt.Location, step.Moved())
	jobs := make([]Job, 0, 3) // the incident channel's post, the broadcast thread's and the root's edit
	jobs = append(jobs, s.job(&next, LaneChannel, OpPost, post))
	if s.broadcasts(&next) {
		jobs = append(jobs, s.job(&next, LaneBroadcast, OpPost, post), s.job(&next, LaneBroadcast, OpEdit, summaryMessage(card)))
	}
	jobs = append(jobs, s.hookJobs(&next, post)...)
	text := entryReply(next.Ref(), cmd, step)
	if !cmd.At.IsZero() {
		text += " Recorded as of " + s.stamp(at) + "."
	}
	if card.NextUpdate != "" {
		text += " Stakeholders expect the next update by " + card.NextUpdate + "."
	}
	return s.changeOf(req, next, &entry, jobs, text), nil
}

// entryReply tells the responder what their entry did.
func entryReply(ref string, cmd Command, step fsm.Step) string {
	switch {
	case cmd.Name == CmdPostmortem && !step.Moved():
		return fmt.Sprintf("Amended the postmortem of %s.", ref)
	case cmd.Name == CmdPostmortem:
		return fmt.Sprintf("Published the postmortem of %s; stakeholders have it.", ref)
	case !step.Moved():
		return fmt.Sprintf("Update added to %s (%s).", ref, step.To)
	}
	return fmt.Sprintf("%s is now %s (was %s).", ref, step.To, step.From)
}

// refusal is the one place where the lifecycle's refusals become sentences
// that say what a responder can do instead.
func refusal(inc *Incident, err error) error {
	var refused *fsm.RefusedError
	if !errors.As(err, &refused) {
		return err
	}
	switch {
	case refused.From == fsm.Postmortem:
		return Errorf(ECONFLICT, "%s has a published postmortem; it can only be amended: /incident postmortem %s <body>.", inc.Ref(), inc.Ref())
	case refused.Event == fsm.Draft:
		return Errorf(ECONFLICT, "%s is %s; its postmortem comes once it is resolved: /incident resolved %s <message>.", inc.Ref(), inc.Status, inc.Ref())
	}
	return Errorf(ECONFLICT, "%s is %s. From %s you can: %s.", inc.Ref(), refused.From, refused.From, fsm.JoinMoves(refused.Allowed))
}

// entryAt is when an entry happened: --at, checked to stay in order and out
// of the future, or now.
func (s *Service) entryAt(at time.Time, inc *Incident, now time.Time) (time.Time, error) {
	if at.IsZero() {
		if now.Before(inc.LastAt) {
			return inc.LastAt, nil // another replica's clock ran ahead; keep order
		}
		return now, nil
	}
	if at.After(now) {
		return time.Time{}, Errorf(EINVALID, "--at (%s) is in the future; it is now %s.", s.stamp(at), s.stamp(now))
	}
	if at.Before(inc.LastAt) {
		return time.Time{}, Errorf(EINVALID, "--at (%s) is before the latest entry of %s (%s); the timeline stays in order.", s.stamp(at), inc.Ref(), s.stamp(inc.LastAt))
	}
	return at, nil
}

// card is the incident as posts show it at asOf, with what the service
// knows beside it: when the next update was promised, while it is to come.
func (s *Service) card(inc *Incident, asOf time.Time) Card {
	c := newCard(inc, asOf)
	if inc.Open() && inc.NextBy.After(s.now()) {
		c.NextUpdate = s.clock(inc.NextBy)
	}
	return c
}

// broadcasts reports whether stakeholders hear of the incident: it is not
// private, and its platform has a stakeholders' channel.
func (s *Service) broadcasts(inc *Incident) bool {
	return !inc.Private && s.opt.Broadcast[inc.Workspace.Platform] != ""
}

// job makes an outbox job of inc for a lane.
func (s *Service) job(inc *Incident, lane Lane, op Op, m Message) Job {
	ch := inc.Channel
	if lane == LaneBroadcast {
		ch = s.opt.Broadcast[inc.Workspace.Platform]
	}
	return Job{V: JobVersion, Workspace: inc.Workspace, Incident: inc.Number, Lane: lane, Op: op, Channel: ch, Message: m, Created: s.now()}
}

// changeOf assembles a Change, numbering its jobs in their lanes.
func (s *Service) changeOf(req Request, inc Incident, e *Entry, jobs []Job, text string) Change {
	if inc.Posts == nil {
		inc.Posts = map[Lane]int64{}
	}
	for i := range jobs {
		inc.Posts[jobs[i].Lane]++
		jobs[i].Seq = inc.Posts[jobs[i].Lane]
	}
	if e != nil && e.Public() {
		inc.Updates++
	}
	return Change{
		Workspace: req.Workspace,
		RequestID: req.RequestID,
		Incident:  inc,
		Entry:     e,
		Jobs:      jobs,
		Reply:     Reply{Text: text, Incident: inc.Number},
		RemindAt:  s.remindAt(inc),
	}
}

// stamp writes a time the way the timeline does.
func (s *Service) stamp(t time.Time) string {
	return t.In(s.opt.Location).Format(entryLayout)
}

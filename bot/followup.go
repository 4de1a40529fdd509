package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Follow-ups are the work an incident leaves behind. They belong to the
// incident, survive its resolution and postmortem, and are kept and audited
// like every other change; the postmortem draft lists them as its measures.

// FollowUp is one piece of work an incident left behind.
type FollowUp struct {
	N     int       `json:"n"`
	Text  string    `json:"text"`
	Owner string    `json:"owner,omitempty"`
	Due   time.Time `json:"due,omitzero"` // the day it is due, midnight in the team's zone
	Done  bool      `json:"done,omitempty"`
	// DoneBy and DoneAt say who marked it done, and when.
	DoneBy string    `json:"done_by,omitempty"`
	DoneAt time.Time `json:"done_at,omitzero"`
	// Reminded marks a follow-up whose owner was told it fell due.
	Reminded bool `json:"reminded,omitempty"`
}

// followUpHour is when, on its due day in the team's zone, an owner is
// reminded of a follow-up: the start of a working day, not midnight.
const followUpHour = 9 * time.Hour

// remindAt is when f's owner is to be reminded, or zero when never.
func (f FollowUp) remindAt() time.Time {
	if f.Done || f.Reminded || f.Owner == "" || f.Due.IsZero() {
		return time.Time{}
	}
	return f.Due.Add(followUpHour)
}

// MaxFollowUps bounds an incident's follow-ups: past it, open a ticket.
const MaxFollowUps = 50

// overdue reports whether f is open past its due day.
func (f FollowUp) overdue(now time.Time) bool {
	return !f.Done && !f.Due.IsZero() && now.After(f.Due.AddDate(0, 0, 1))
}

// line is how a follow-up reads in lists and the postmortem.
func (f FollowUp) line(inc *Incident, loc *time.Location) string {
	box := "[ ]"
	if f.Done {
		box = "[x]"
	}
	owner, due := "unassigned", "no date"
	if f.Owner != "" {
		owner = inc.Person(f.Owner)
	}
	if !f.Due.IsZero() {
		due = f.Due.In(loc).Format("Jan 2, 2006")
	}
	return fmt.Sprintf("%s %d. %s · Owner: %s · Due: %s", box, f.N, f.Text, owner, due)
}

// planFollowUp adds a follow-up or marks one done: allowed in every status,
// since the work outlives the incident.
func (s *Service) planFollowUp(req Request, cmd Command, inc *Incident) (Change, error) {
	now := s.now()
	next := inc.clone()
	next.FollowUps = append([]FollowUp(nil), inc.FollowUps...)
	var note string
	switch cmd.Verb {
	case "add":
		if len(next.FollowUps) >= MaxFollowUps {
			return Change{}, Errorf(EINVALID, "%s already has %d follow-ups, the most it keeps; track the rest elsewhere.", inc.Ref(), MaxFollowUps)
		}
		f := FollowUp{N: len(next.FollowUps) + 1, Text: cmd.Text, Owner: cmd.User, Due: cmd.Due}
		next.name(cmd.User, cmd.UserName)
		next.FollowUps = append(next.FollowUps, f)
		note = fmt.Sprintf("Follow-up %d of %s: %s", f.N, next.Ref(), f.line(&next, s.opt.Location))
	case "done":
		i := cmd.Item - 1
		switch {
		case i < 0 || i >= len(next.FollowUps):
			return Change{}, Errorf(ENOTFOUND, "%s has no follow-up %d; /incident followup %s list shows them.", inc.Ref(), cmd.Item, inc.Ref())
		case next.FollowUps[i].Done:
			return Change{}, Errorf(EINVALID, "Follow-up %d of %s is already done.", cmd.Item, inc.Ref())
		}
		next.FollowUps[i].Done, next.FollowUps[i].DoneBy, next.FollowUps[i].DoneAt = true, req.Actor, now
		note = fmt.Sprintf("Follow-up %d of %s is done: %s", cmd.Item, next.Ref(), next.FollowUps[i].Text)
	}
	next.Entries++
	next.Version++
	entry := Entry{Seq: next.Entries, Kind: KindFollowUp, Status: next.Status, At: now, RecordedAt: now, Actor: req.Actor, Message: note}
	notice := noticeMessage(s.card(&next, now), note)
	if cmd.Verb == "add" {
		notice.FollowUp = len(next.FollowUps)
	}
	jobs := []Job{s.job(&next, LaneChannel, OpPost, notice)}
	return s.changeOf(req, next, &entry, jobs, note), nil
}

// FollowUpDoneCommand is what the done button of follow-up n of incident
// number runs.
func FollowUpDoneCommand(number, n int) Command {
	return Command{Name: CmdFollowUp, Ref: number, Verb: "done", Item: n}
}

// followUpList answers an incident's follow-ups.
func (s *Service) followUpList(ctx context.Context, req Request, cmd Command) (Reply, error) {
	inc, err := s.visibleIncident(ctx, req, cmd)
	if err != nil {
		return Reply{}, err
	}
	if len(inc.FollowUps) == 0 {
		return Reply{Text: fmt.Sprintf("%s has no follow-ups. Add one with /incident followup %s add \"<what>\" --owner @someone --due 2025-11-10.", inc.Ref(), inc.Ref()), Incident: inc.Number}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Follow-ups of %s:", inc.Ref())
	for _, f := range inc.FollowUps {
		b.WriteString("\n" + f.line(inc, s.opt.Location))
	}
	return Reply{Text: b.String(), Incident: inc.Number}, nil
}

// followUpsAcross answers the open follow-ups of every incident of the
// workspace that may be seen from here, with --mine the asker's, with
// --overdue those past their day.
func (s *Service) followUpsAcross(ctx context.Context, req Request, cmd Command) (Reply, error) {
	incs, err := s.opt.Store.Declared(ctx, req.Workspace, time.Time{})
	if err != nil {
		return Reply{}, err
	}
	here, err := s.opt.Store.Find(ctx, Lookup{Workspace: req.Workspace, Channel: req.Channel})
	if err != nil {
		return Reply{}, err
	}
	now := s.now()
	var b strings.Builder
	n := 0
	for _, inc := range incs {
		if !visible(&inc, here) {
			continue
		}
		for _, f := range inc.FollowUps {
			if f.Done || cmd.Mine && f.Owner != req.Actor || cmd.Overdue && !f.overdue(now) {
				continue
			}
			fmt.Fprintf(&b, "\n%s · %s", inc.Ref(), f.line(&inc, s.opt.Location))
			n++
		}
	}
	if n == 0 {
		return Reply{Text: "No open follow-ups match."}, nil
	}
	return Reply{Text: fmt.Sprintf("Open follow-ups (%d):", n) + b.String()}, nil
}

// followUpDue is when the next follow-up of inc falls due for its owner.
func (s *Service) followUpDue(inc Incident) time.Time {
	var next time.Time
	for _, f := range inc.FollowUps {
		if at := f.remindAt(); !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// planFollowUpReminder tells the owners of inc's follow-ups that fell due,
// once each, in the incident's channel, with a button to mark them done.
func (s *Service) planFollowUpReminder(inc Incident) (Change, bool) {
	now := s.now()
	next := inc.clone()
	next.FollowUps = append([]FollowUp(nil), inc.FollowUps...)
	var jobs []Job
	var said []string
	for i, f := range next.FollowUps {
		if at := f.remindAt(); at.IsZero() || now.Before(at) {
			continue
		}
		next.FollowUps[i].Reminded = true
		text := fmt.Sprintf("Follow-up %d of %s is due: %s", f.N, next.Ref(), f.Text)
		notice := noticeMessage(s.card(&next, now), text)
		notice.Mention, notice.MentionNote, notice.FollowUp = f.Owner, fmt.Sprintf("follow-up %d of %s is yours and due.", f.N, next.Ref()), f.N
		jobs = append(jobs, s.job(&next, LaneChannel, OpPost, notice))
		said = append(said, text)
	}
	if len(jobs) == 0 {
		return Change{}, false
	}
	next.Version++
	req := Request{Workspace: inc.Workspace, RequestID: fmt.Sprintf("remind-followups:%d:%d", inc.Number, inc.Version)}
	return s.changeOf(req, next, nil, jobs, strings.Join(said, "\n")), true
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Reminders: an open incident that has had no public update for its cadence
// (by impact: Options.Cadence) gets a nudge in its channel that mentions its
// comms lead, else its commander, because stakeholders who hear nothing
// assume the worst. A promised next update (--next) moves the nudge to that
// time; a snooze puts it off. Every replica looks; a reminder is a change
// like any other (the incident's version checked, a request ID of its own),
// so however many replicas look at once, it is posted once.

// Remind queues a reminder for every open incident of ws that has been quiet
// for its cadence, and returns how many it queued. It does nothing when
// reminders are off.
func (s *Service) Remind(ctx context.Context, ws Workspace) (int, error) {
	n, _, err := s.remind(ctx, ws)
	return n, err
}

// remind is Remind, also returning when ws next needs a look: the earliest
// time one of its open incidents falls due for a reminder, or zero.
func (s *Service) remind(ctx context.Context, ws Workspace) (int, time.Time, error) {
	if !s.reminds() {
		return 0, time.Time{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opt.Timeout)
	defer cancel()
	// Every incident: follow-ups fall due after the incident is over.
	open, err := s.opt.Store.Declared(ctx, ws, time.Time{})
	if err != nil {
		return 0, time.Time{}, err
	}
	queued := 0
	var next time.Time
	soonest := func(at time.Time) {
		if !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	for _, inc := range open {
		for _, plan := range []func(Incident) (Change, bool){s.planReminder, s.planFollowUpReminder} {
			ch, due := plan(inc)
			if !due {
				continue
			}
			_, err := s.opt.Store.Apply(ctx, ch)
			var unrep *UnreplicatedError
			switch {
			case errors.Is(err, ErrConflict):
				soonest(s.now()) // a responder got there first: look again soon
				continue
			case err != nil && !errors.As(err, &unrep):
				return queued, s.now(), err
			}
			queued++
			s.opt.Observer.Reminded(ws.Platform)
			soonest(ch.RemindAt)
			if s.opt.Queued != nil {
				s.opt.Queued(ws)
			}
			break // the incident moved on a version: the other waits for the next look
		}
		soonest(s.remindAt(inc))
	}
	return queued, next, nil
}

// quietSince is when inc last had news for stakeholders, or was reminded.
func quietSince(inc Incident) time.Time {
	if inc.QuietSince.IsZero() {
		return inc.LastAt
	}
	return inc.QuietSince
}

// reminds reports whether any impact has a cadence.
func (s *Service) reminds() bool {
	for _, d := range s.opt.Cadence {
		if d > 0 {
			return true
		}
	}
	return false
}

// remindAt is when inc next needs a look: an update reminder or a
// follow-up falling due, whichever comes first; zero for neither.
func (s *Service) remindAt(inc Incident) time.Time {
	at, f := s.updateDue(inc), s.followUpDue(inc)
	if at.IsZero() || !f.IsZero() && f.Before(at) {
		return f
	}
	return at
}

// updateDue is when inc is next due for an update reminder, or zero when it
// never is (closed, or its impact has no cadence and nothing was promised):
// the promised next update if one was promised since the last, else its
// cadence after the last; no sooner than a snooze ends.
func (s *Service) updateDue(inc Incident) time.Time {
	if !inc.Open() {
		return time.Time{}
	}
	since := quietSince(inc)
	var due time.Time
	if c := s.opt.Cadence[inc.Impact]; c > 0 {
		due = since.Add(c)
	}
	if inc.NextBy.After(since) {
		due = inc.NextBy
	}
	if !due.IsZero() && inc.SnoozedUntil.After(due) {
		due = inc.SnoozedUntil
	}
	return due
}

// planReminder plans the reminder of inc, if one is due.
func (s *Service) planReminder(inc Incident) (Change, bool) {
	now := s.now()
	due := s.updateDue(inc)
	if due.IsZero() || now.Before(due) {
		return Change{}, false
	}
	since := quietSince(inc)
	next := inc.clone()
	next.QuietSince = now
	next.Version++
	text := fmt.Sprintf("No update for %s; stakeholders are waiting. Post what you know with /incident update %s <message>, even if it is only that you are still on it.",
		FormatDuration(now.Sub(since)), next.Ref())
	if inc.NextBy.After(since) {
		text = fmt.Sprintf("The next update was promised by %s. ", s.clock(inc.NextBy)) + text
	}
	notice := noticeMessage(s.card(&next, now), text)
	notice.Snooze = true
	if who := next.Roles[Comms]; who != "" {
		notice.Mention = who
	} else if who := next.Roles[Commander]; who != "" {
		notice.Mention = who
	}
	notice.MentionNote = "stakeholders are waiting for an update on " + next.Ref() + "."
	jobs := []Job{s.job(&next, LaneChannel, OpPost, notice)}
	// The request ID names the version reminded about: a replica that read
	// the same version gets the first reply and queues nothing.
	req := Request{Workspace: inc.Workspace, RequestID: fmt.Sprintf("remind:%d:%d", inc.Number, inc.Version)}
	return s.changeOf(req, next, nil, jobs, text), true
}

// clock writes a time as "18:55 UTC" in the configured zone, with the date
// when it is not today's.
func (s *Service) clock(t time.Time) string {
	local, now := t.In(s.opt.Location), s.now().In(s.opt.Location)
	if local.Format("2006-01-02") != now.Format("2006-01-02") {
		return local.Format("Jan 2, 15:04 MST")
	}
	return local.Format("15:04 MST")
}

// RunReminders looks, every so often until ctx is done, at the
// workspaces the store lists as due for a reminder: only those, so that an
// idle replica's cost does not grow with the number of workspaces.
func (s *Service) RunReminders(ctx context.Context) {
	if !s.reminds() {
		return
	}
	shortest := time.Duration(0)
	for _, d := range s.opt.Cadence {
		if d > 0 && (shortest == 0 || d < shortest) {
			shortest = d
		}
	}
	tick := time.NewTicker(min(max(shortest/4, 100*time.Millisecond), time.Minute))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		wss, err := s.opt.Store.RemindDue(ctx, s.now())
		if err != nil && ctx.Err() == nil {
			s.opt.Logger.Warn("reminders: listing workspaces", "err", err)
		}
		for _, ws := range wss {
			_, next, err := s.remind(ctx, ws)
			if err != nil && ctx.Err() == nil {
				s.opt.Logger.Warn("reminders: looking for quiet incidents", "workspace", ws.String(), "err", err)
				continue
			}
			if err := s.opt.Store.RemindLater(ctx, ws, next); err != nil && ctx.Err() == nil {
				s.opt.Logger.Warn("reminders: listing a workspace for later", "workspace", ws.String(), "err", err)
			}
		}
	}
}

// SnoozeButton is how long the button on a reminder puts reminders off.
const SnoozeButton = 30 * time.Minute

// SnoozeCommand is what the snooze button on a reminder of incident n runs.
func SnoozeCommand(n int) Command {
	return Command{Name: CmdSnooze, Ref: n, Snooze: SnoozeButton}
}

// planSnooze puts inc's reminders off, or ends a snooze: kept in the
// timeline for responders, never shown to stakeholders.
func (s *Service) planSnooze(req Request, cmd Command, inc *Incident) (Change, error) {
	now := s.now()
	next := inc.clone()
	var note string
	switch {
	case cmd.SnoozeOff && !inc.SnoozedUntil.After(now):
		return Change{}, Errorf(EINVALID, "%s's reminders are not snoozed.", inc.Ref())
	case cmd.SnoozeOff:
		next.SnoozedUntil = time.Time{}
		note = fmt.Sprintf("%s's reminders are on again.", next.Ref())
	default:
		next.SnoozedUntil = now.Add(cmd.Snooze)
		note = fmt.Sprintf("%s's reminders are snoozed until %s.", next.Ref(), s.clock(next.SnoozedUntil))
	}
	next.Entries++
	next.Version++
	entry := Entry{Seq: next.Entries, Kind: KindSnooze, Status: next.Status, At: now, RecordedAt: now, Actor: req.Actor, Message: note}
	jobs := []Job{s.job(&next, LaneChannel, OpPost, noticeMessage(s.card(&next, now), note))}
	return s.changeOf(req, next, &entry, jobs, note), nil
}

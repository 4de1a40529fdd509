package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Reminders: an open incident that has had no public update for
// Options.RemindAfter gets a nudge in its channel, because stakeholders who
// hear nothing assume the worst. Every replica looks; a reminder is a change
// like any other (the incident's version checked, a request ID of its own),
// so however many replicas look at once, it is posted once.

// Remind queues a reminder for every open incident of ws that has been quiet
// for RemindAfter, and returns how many it queued. It does nothing when
// reminders are off.
func (s *Service) Remind(ctx context.Context, ws Workspace) (int, error) {
	n, _, err := s.remind(ctx, ws)
	return n, err
}

// remind is Remind, also returning when ws next needs a look: the earliest
// time one of its open incidents falls quiet for RemindAfter, or zero.
func (s *Service) remind(ctx context.Context, ws Workspace) (int, time.Time, error) {
	if s.opt.RemindAfter <= 0 {
		return 0, time.Time{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opt.Timeout)
	defer cancel()
	open, err := s.opt.Store.List(ctx, ws, false)
	if err != nil {
		return 0, time.Time{}, err
	}
	queued := 0
	var next time.Time
	for _, inc := range open {
		ch, due := s.planReminder(inc)
		if !due {
			if at := s.remindAt(inc); !at.IsZero() && (next.IsZero() || at.Before(next)) {
				next = at
			}
			continue
		}
		_, err := s.opt.Store.Apply(ctx, ch)
		var unrep *UnreplicatedError
		switch {
		case errors.Is(err, ErrConflict):
			next = s.now() // a responder got there first: look again soon
			continue
		case err != nil && !errors.As(err, &unrep):
			return queued, s.now(), err
		}
		queued++
		s.opt.Observer.Reminded(ws.Platform)
		if next.IsZero() || ch.RemindAt.Before(next) {
			next = ch.RemindAt
		}
		if s.opt.Queued != nil {
			s.opt.Queued(ws)
		}
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

// remindAt is when inc falls quiet for RemindAfter, or zero when it never
// needs a reminder (closed, or reminders off).
func (s *Service) remindAt(inc Incident) time.Time {
	if s.opt.RemindAfter <= 0 || !inc.Open() {
		return time.Time{}
	}
	return quietSince(inc).Add(s.opt.RemindAfter)
}

// planReminder plans the reminder of inc, if one is due.
func (s *Service) planReminder(inc Incident) (Change, bool) {
	now := s.now()
	since := quietSince(inc)
	if !inc.Open() || now.Sub(since) < s.opt.RemindAfter {
		return Change{}, false
	}
	next := inc.clone()
	next.QuietSince = now
	next.Version++
	text := fmt.Sprintf("No update for %s; stakeholders are waiting. Post what you know with /incident update %s <message>, even if it is only that you are still on it.",
		FormatDuration(now.Sub(since)), next.Ref())
	jobs := []Job{s.job(&next, LaneChannel, OpPost, noticeMessage(newCard(&next, now), text))}
	// The request ID names the version reminded about: a replica that read
	// the same version gets the first reply and queues nothing.
	req := Request{Workspace: inc.Workspace, RequestID: fmt.Sprintf("remind:%d:%d", inc.Number, inc.Version)}
	return s.changeOf(req, next, nil, jobs, text), true
}

// RunReminders looks, a few times per RemindAfter until ctx is done, at the
// workspaces the store lists as due for a reminder: only those, so that an
// idle replica's cost does not grow with the number of workspaces.
func (s *Service) RunReminders(ctx context.Context) {
	if s.opt.RemindAfter <= 0 {
		return
	}
	tick := time.NewTicker(min(max(s.opt.RemindAfter/4, 100*time.Millisecond), time.Minute))
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

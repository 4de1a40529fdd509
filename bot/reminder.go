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
	if s.opt.RemindAfter <= 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opt.Timeout)
	defer cancel()
	open, err := s.opt.Store.List(ctx, ws, false)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, inc := range open {
		ch, due := s.planReminder(inc)
		if !due {
			continue
		}
		_, err := s.opt.Store.Apply(ctx, ch)
		var unrep *UnreplicatedError
		switch {
		case errors.Is(err, ErrConflict):
			continue // a responder got there first: no longer quiet
		case err != nil && !errors.As(err, &unrep):
			return queued, err
		}
		queued++
		if s.opt.Queued != nil {
			s.opt.Queued(ws)
		}
	}
	return queued, nil
}

// planReminder plans the reminder of inc, if one is due.
func (s *Service) planReminder(inc Incident) (Change, bool) {
	now := s.now()
	since := inc.QuietSince
	if since.IsZero() {
		since = inc.LastAt
	}
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

// RunReminders looks for quiet incidents in the workspaces that workspaces
// lists, a few times per RemindAfter, until ctx is done.
func (s *Service) RunReminders(ctx context.Context, workspaces func(context.Context) ([]Workspace, error)) {
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
		wss, err := workspaces(ctx)
		if err != nil && ctx.Err() == nil {
			s.opt.Logger.Warn("reminders: listing workspaces", "err", err)
		}
		for _, ws := range wss {
			if _, err := s.Remind(ctx, ws); err != nil && ctx.Err() == nil {
				s.opt.Logger.Warn("reminders: looking for quiet incidents", "workspace", ws.String(), "err", err)
			}
		}
	}
}

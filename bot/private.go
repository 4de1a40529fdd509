package bot

import (
	"context"
	"fmt"
)

// Private incidents (a data breach, an HR matter) are kept to their own
// private channel: never broadcast, never listed or shown elsewhere, their
// title nowhere else. An incident is private when declared with --private
// or from a private channel.

// privateOrigin reports whether a declaration makes a private incident.
func (s *Service) privateOrigin(ctx context.Context, req Request, cmd Command) (bool, error) {
	if cmd.Private {
		return true, nil
	}
	dir := s.opt.Directories[req.Workspace.Platform]
	if dir == nil || req.Channel == "" {
		return false, nil
	}
	private, err := dir.Private(ctx, req.Workspace, req.Channel)
	if err != nil {
		// Declaring must work while the platform is slow to say; a channel
		// it cannot tell about is taken as public, and the log says so.
		s.opt.Logger.Warn("access: asking whether a channel is private; taken as public", "workspace", req.Workspace.String(), "channel", req.Channel, "err", err)
		return false, nil
	}
	return private, nil
}

// planVisibility plans making an incident public or private. Public is
// recorded, and stakeholders get its root message from then on; private is
// refused once anything went to the broadcast channel, since it cannot be
// taken back.
func (s *Service) planVisibility(req Request, cmd Command, inc *Incident) (Change, error) {
	switch {
	case cmd.Private == inc.Private:
		return Change{}, Errorf(EINVALID, "%s is already %s.", inc.Ref(), visibilityWord(inc.Private))
	case cmd.Private && inc.Posts[LaneBroadcast] > 0:
		return Change{}, Errorf(ECONFLICT, "%s was already posted to the stakeholders' channel, so it cannot be made private now.", inc.Ref())
	}
	next := inc.clone()
	next.Private = cmd.Private
	now := s.now()
	next.Entries++
	next.Version++
	note := fmt.Sprintf("%s is now %s (was %s).", next.Ref(), visibilityWord(next.Private), visibilityWord(inc.Private))
	if next.Private {
		note += " Its channel stays as it was made; it is no longer listed or shown elsewhere."
	}
	entry := Entry{Seq: next.Entries, Kind: KindVisibility, Status: next.Status, At: now, RecordedAt: now, Actor: req.Actor, Message: note}
	card := s.card(&next, now)
	jobs := []Job{s.job(&next, LaneChannel, OpPost, noticeMessage(card, note))}
	if s.broadcasts(&next) {
		jobs = append(jobs, s.job(&next, LaneBroadcast, OpRoot, summaryMessage(card)))
	}
	return s.changeOf(req, next, &entry, jobs, note), nil
}

func visibilityWord(private bool) string {
	if private {
		return "private"
	}
	return "public"
}

// visibleIncident finds the incident a reading command is about, as seen
// from where it was typed.
func (s *Service) visibleIncident(ctx context.Context, req Request, cmd Command) (*Incident, error) {
	found, err := s.opt.Store.Find(ctx, Lookup{Workspace: req.Workspace, Number: cmd.Ref, Channel: req.Channel})
	if err != nil {
		return nil, err
	}
	return resolve(cmd, found)
}

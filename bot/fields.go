package bot

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// planFields plans a change of impact, components or a role. These are not
// public timeline updates: the incident channel hears of them, the broadcast
// root shows them, and the postmortem timeline keeps them.
func (s *Service) planFields(req Request, cmd Command, inc *Incident) (Change, error) {
	next := inc.clone()
	var kind EntryKind
	var note string
	switch cmd.Name {
	case CmdImpact:
		if cmd.Impact == inc.Impact {
			return Change{}, Errorf(EINVALID, "%s is already at impact %s.", inc.Ref(), inc.Impact)
		}
		kind, next.Impact = KindImpact, cmd.Impact
		note = fmt.Sprintf("Impact is now %s (was %s).", cmd.Impact, inc.Impact)
	case CmdComponents:
		if err := s.knownComponents(&cmd); err != nil {
			return Change{}, err
		}
		if slices.Equal(cmd.Components, inc.Components) && maps.Equal(cmd.ComponentStatus, inc.ComponentStatus) {
			return Change{}, Errorf(EINVALID, "%s already lists those components.", inc.Ref())
		}
		kind, next.Components, next.ComponentStatus = KindComponents, cmd.Components, cmd.ComponentStatus
		note = "Affected components: " + componentsNote(cmd.Components, cmd.ComponentStatus) + " (were: " + componentsNote(inc.Components, inc.ComponentStatus) + ")."
	case CmdAssign:
		if inc.Roles[cmd.Role] == cmd.User {
			return Change{}, Errorf(EINVALID, "%s is already %s of %s.", inc.Person(cmd.User), cmd.Role, inc.Ref())
		}
		kind, next.Roles[cmd.Role] = KindAssign, cmd.User
		next.name(cmd.User, cmd.UserName)
		note = fmt.Sprintf("%s is now %s.", next.Person(cmd.User), cmd.Role)
	}
	now := s.now()
	next.Entries++
	next.Version++
	entry := Entry{Seq: next.Entries, Kind: kind, Status: next.Status, At: now, RecordedAt: now, Actor: req.Actor, Message: note}
	card := s.card(&next, now)
	notice := noticeMessage(card, note)
	if kind == KindAssign {
		notice.Mention, notice.MentionNote = cmd.User, "you have a new role on "+next.Ref()+"."
	}
	jobs := []Job{s.job(&next, LaneChannel, OpPost, notice)}
	if kind == KindAssign && next.Private {
		// Nobody finds a private channel by themselves: bring them in.
		invite := s.job(&next, LaneChannel, OpInvite, notice)
		invite.Invite = cmd.User
		jobs = append([]Job{invite}, jobs...)
	}
	if s.broadcasts(&next) {
		jobs = append(jobs, s.job(&next, LaneBroadcast, OpEdit, summaryMessage(card)))
	}
	return s.changeOf(req, next, &entry, jobs, next.Ref()+": "+note), nil
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

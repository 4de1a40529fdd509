package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/incidentbot/incidentbot/fsm"
)

// Who may do what. Anyone may declare an incident and read the ones that are
// not private. Changing an incident is for responders, its declarer and its
// role holders; publishing or amending its postmortem is for responders, its
// commander and its comms lead. These rules are the same on every platform:
// doors only tell the core who someone is.

// Directory answers what a platform's requests do not carry themselves. The
// Slack door asks Slack (usergroups.users.list, conversations.info) and
// caches the answers; platforms whose requests carry the person's groups
// (Discord roles, in Request.Groups) need none.
type Directory interface {
	// Among returns those of groups that user belongs to; IDs in groups that
	// are no group of the platform are passed over.
	Among(ctx context.Context, ws Workspace, user string, groups []string) ([]string, error)
	// Private reports whether a channel is private.
	Private(ctx context.Context, ws Workspace, channel string) (bool, error)
}

// right is what a command asks of an incident.
type right int

const (
	rightChange  right = iota // status moves, updates, fields, roles, the draft, visibility, the audit trail
	rightPublish              // publishing or amending the postmortem
)

func rightOf(cmd Command) right {
	if cmd.Name == CmdPostmortem && cmd.Text != "" {
		return rightPublish
	}
	return rightChange
}

// holder is someone an incident gives a right to without being a responder.
type holder struct {
	role string // "declarer", "commander", "comms lead", "scribe"
	user string
}

// holders lists the people of inc who hold r.
func holders(inc *Incident, r right) []holder {
	var hs []holder
	if r == rightChange && inc.DeclaredBy != "" {
		hs = append(hs, holder{"declarer", inc.DeclaredBy})
	}
	for _, role := range Roles() {
		if u := inc.Roles[role]; u != "" && (r == rightChange || role != Scribe) {
			hs = append(hs, holder{role.Label(), u})
		}
	}
	return hs
}

// permit returns nil when the person behind req may do cmd to inc. Otherwise
// it keeps the refusal in the audit trail and returns it: an EFORBIDDEN
// *Error that says who may.
func (s *Service) permit(ctx context.Context, req Request, cmd Command, inc *Incident) error {
	ok, err := s.may(ctx, req, cmd, inc)
	if err != nil || ok {
		return err
	}
	refused := Errorf(EFORBIDDEN, "%s", s.whoMay(req.Workspace.Platform, inc, rightOf(cmd), cmd))
	s.auditRefusal(ctx, req, cmd, inc, refused.Message)
	return refused
}

// may reports whether the person behind req may do cmd to inc: they hold
// the right on the incident, or they are a responder.
func (s *Service) may(ctx context.Context, req Request, cmd Command, inc *Incident) (bool, error) {
	for _, h := range holders(inc, rightOf(cmd)) {
		if h.user == req.Actor {
			return true, nil
		}
	}
	return s.responder(ctx, req)
}

// responder reports whether the person behind req is a responder of their
// platform. Without a list of responders every member is one, and the
// console's user always is.
func (s *Service) responder(ctx context.Context, req Request) (bool, error) {
	list := s.opt.Responders[req.Workspace.Platform]
	if len(list) == 0 || req.Workspace.Platform == Console || slices.Contains(list, req.Actor) {
		return true, nil
	}
	for _, g := range req.Groups {
		if slices.Contains(list, g) {
			return true, nil
		}
	}
	dir := s.opt.Directories[req.Workspace.Platform]
	if dir == nil {
		return false, nil
	}
	in, err := dir.Among(ctx, req.Workspace, req.Actor, list)
	if err != nil {
		s.opt.Logger.Warn("access: asking for group membership", "workspace", req.Workspace.String(), "request", req.RequestID, "err", err)
		return false, Errorf(EUNAVAILABLE, "incidentbot could not ask %s whether you are a responder, so this was NOT recorded. Please try again in a moment.", platformName(req.Workspace.Platform))
	}
	return len(in) > 0, nil
}

// whoMay is the refusal: "Only responders (@oncall) or INC-8's commander
// @alex may resolve INC-8."
func (s *Service) whoMay(p Platform, inc *Incident, r right, cmd Command) string {
	var who []string
	if list := s.opt.Responders[p]; len(list) > 0 {
		names := make([]string, len(list))
		for i, id := range list {
			names[i] = UserText(id)
		}
		who = append(who, "responders ("+strings.Join(names, ", ")+")")
	}
	// One person holding several roles is named once: "declarer and
	// commander @dana".
	var order []string
	roles := map[string][]string{}
	for _, h := range holders(inc, r) {
		if _, seen := roles[h.user]; !seen {
			order = append(order, h.user)
		}
		roles[h.user] = append(roles[h.user], h.role)
	}
	var people []string
	for _, u := range order {
		people = append(people, joinAnd(roles[u])+" "+inc.Person(u))
	}
	if len(people) > 0 {
		who = append(who, inc.Ref()+"'s "+joinAnd(people))
	}
	return fmt.Sprintf("Only %s may %s.", strings.Join(who, " or "), actionPhrase(cmd, inc))
}

// actionPhrase names what a command would have done: "resolve INC-8".
func actionPhrase(cmd Command, inc *Incident) string {
	ref := inc.Ref()
	switch cmd.Name {
	case CmdInvestigating, CmdIdentified, CmdMonitoring:
		return fmt.Sprintf("move %s to %s", ref, cmd.Name)
	case CmdResolved:
		return "resolve " + ref
	case CmdUpdate:
		return "post updates to " + ref
	case CmdPostmortem:
		switch {
		case cmd.Text == "":
			return "post the postmortem draft of " + ref
		case inc.Status == fsm.Postmortem:
			return "amend the postmortem of " + ref
		}
		return "publish the postmortem of " + ref
	case CmdImpact:
		return "change the impact of " + ref
	case CmdComponents:
		return "change the components of " + ref
	case CmdAssign:
		return "assign roles on " + ref
	case CmdVisibility:
		return "change who can see " + ref
	case CmdAudit:
		return "read the audit trail of " + ref
	}
	return "change " + ref
}

// joinAnd lists "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func platformName(p Platform) string {
	switch p {
	case Slack:
		return "Slack"
	case Discord:
		return "Discord"
	}
	return string(p)
}

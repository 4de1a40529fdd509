package bot

import (
	"strings"
	"time"
)

// ParseOptions reads a command whose platform hands it over already split
// into named options (Discord's typed slash-command options), with the same
// rules and messages as Parse. Options are named after the grammar: title,
// message, body, impact, components, started, at, all, role, user, command,
// and incident for the reference. Wall-clock times are read in loc, as Parse
// reads them.
func ParseOptions(command string, opts map[string]string, loc *time.Location) (Command, error) {
	if loc == nil {
		loc = time.UTC
	}
	name, ok := commandName(command)
	if !ok {
		return Command{}, Errorf(EINVALID, "There is no /incident %s. Commands: %s.", clip(command, 40), commandList())
	}
	sp, _ := lookupSpec(name)
	p := parser{cmd: Command{Name: name}, spec: sp, loc: loc}
	for _, flag := range sp.flags {
		v, given := opts[flag]
		switch {
		case !given || flag == "message" && sp.takes != takesTitle:
			// "message" is declare's first update, else the positional message
		case switches[flag]:
			p.setSwitch(flag, v == "true")
		default:
			if err := p.setFlag(flag, v); err != nil {
				return Command{}, err
			}
			p.seen = append(p.seen, flag)
		}
	}
	if ref := strings.TrimSpace(opts["incident"]); ref != "" {
		n, ok := ParseRef(ref)
		if !ok {
			return Command{}, p.usageErr("%q is not an incident reference; write one like INC-12.", clip(ref, 30))
		}
		p.cmd.Ref = n
	}
	// The words go through the very shape rules of the typed grammar; the
	// reference never comes from them, so a message may start with a number.
	p.line = positionalOption(sp.takes, opts)
	p.pos = tokenize(p.line)
	if err := p.shape(); err != nil {
		return Command{}, err
	}
	return p.cmd, nil
}

// positionalOption is the option, or options, that stand for a command's
// positional words.
func positionalOption(t takes, opts map[string]string) string {
	switch t {
	case takesTitle:
		return opts["title"]
	case takesMessage:
		return opts["message"]
	case takesBody:
		return opts["body"]
	case takesImpact:
		return opts["impact"]
	case takesComponents:
		return opts["components"]
	case takesAssignment:
		return opts["role"] + " " + opts["user"]
	case takesTopic:
		return opts["command"]
	case takesVisibility:
		return opts["visibility"]
	case takesSnooze:
		return opts["for"]
	case takesFollowUp:
		return strings.TrimSpace(opts["action"] + " " + opts["text"] + " " + opts["number"])
	}
	return ""
}

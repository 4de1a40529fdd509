package bot

import (
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// Name is the first word of an /incident command.
type Name string

// The commands of /incident, as the README and /incident help list them. The
// four status commands are named after the status they move to.
const (
	CmdDeclare       Name = "declare"
	CmdInvestigating Name = "investigating"
	CmdIdentified    Name = "identified"
	CmdMonitoring    Name = "monitoring"
	CmdResolved      Name = "resolved"
	CmdUpdate        Name = "update"
	CmdPostmortem    Name = "postmortem"
	CmdShow          Name = "show"
	CmdList          Name = "list"
	CmdImpact        Name = "impact"
	CmdComponents    Name = "components"
	CmdAssign        Name = "assign"
	CmdVisibility    Name = "visibility"
	CmdAudit         Name = "audit"
	CmdStats         Name = "stats"
	CmdSnooze        Name = "snooze"
	CmdFollowUp      Name = "followup"
	CmdFollowUps     Name = "followups"
	CmdHelp          Name = "help"
)

// Command is one parsed /incident command. Fields a command does not take
// stay zero.
type Command struct {
	Name Name
	// Ref is the incident number the command names, 0 when it names none.
	Ref int
	// Text is the title (declare), the message (status commands, update) or
	// the postmortem body.
	Text       string
	Impact     Impact   // declare --impact, or the level of the impact command
	Components []string // declare --components, or the list of the components command
	// ComponentStatus holds the statuses set explicitly ("API=major_outage").
	ComponentStatus map[string]ComponentStatus
	// HasComponents tells an empty components list apart from none given.
	HasComponents bool
	Message       string        // declare --message: the first update
	Started       time.Time     // declare --started
	At            time.Time     // --at: when the entry happened
	All           bool          // list --all
	Since         time.Duration // stats --since: how far back
	Next          time.Duration // --next: when stakeholders will hear again, from now
	// Snooze is how long snooze puts reminders off; SnoozeOff ends a snooze.
	Snooze    time.Duration
	SnoozeOff bool
	// Verb is what followup does: add, done or list; Item the follow-up
	// done names; Due the day an added one is due.
	Verb string
	Item int
	Due  time.Time
	// Mine and Overdue narrow followups.
	Mine, Overdue bool
	// Private is declare --private, or what visibility asks for: private
	// (true) or public.
	Private bool
	// Internal is declare --internal: the incident stays off the status page.
	Internal bool
	Role     Role
	User     string // assign: the user reference
	// UserName is how the mention of User named them, when it did (Slack's
	// "<@U123|alex>").
	UserName string
	Topic    Name // help: the command asked about
}

// Status is the status a status command moves to.
func (c Command) Status() (fsm.Status, bool) {
	switch c.Name {
	case CmdInvestigating, CmdIdentified, CmdMonitoring, CmdResolved:
		return fsm.Status(c.Name), true
	}
	return "", false
}

// Event is the lifecycle event the command fires: its own name for the
// status commands, update, and for postmortem a draft without a body and
// publishing with one. Commands that leave the lifecycle alone fire none ("").
func (c Command) Event() fsm.Event {
	switch c.Name {
	case CmdDeclare:
		return fsm.Declare
	case CmdInvestigating:
		return fsm.Investigate
	case CmdIdentified:
		return fsm.Identify
	case CmdMonitoring:
		return fsm.Monitor
	case CmdResolved:
		return fsm.Resolve
	case CmdUpdate:
		return fsm.Update
	case CmdPostmortem:
		if c.Text == "" {
			return fsm.Draft
		}
		return fsm.Publish
	}
	return ""
}

// spec describes one command: its usage line, what it does, and what it takes.
type spec struct {
	usage string
	about string
	flags []string // flag names it accepts
	takes takes
}

// takes is the shape of a command's positional words.
type takes int

const (
	takesNothing    takes = iota
	takesTitle            // all words are the title; no reference
	takesMessage          // [<ref>] <message>
	takesBody             // [<ref>] [<body>]
	takesRef              // [<ref>]
	takesImpact           // [<ref>] <level>
	takesComponents       // [<ref>] "<A, B, C>"
	takesAssignment       // [<ref>] <role> <@user>
	takesVisibility       // [<ref>] <public|private>
	takesSnooze           // [<ref>] <duration|off>
	takesFollowUp         // [<ref>] add "<text>" | done <n> | list
	takesTopic            // [<command>]
)

// specs is the grammar of every command, in the order help lists them.
var specs = []struct {
	name Name
	spec
}{
	{CmdDeclare, spec{`/incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`, "open a new incident, investigating; --private keeps it to its own private channel, --internal off the status page", []string{"impact", "components", "message", "started", "at", "private", "internal"}, takesTitle}},
	{CmdInvestigating, spec{`/incident investigating [<ref>] <message> [--at <time>] [--next 20m]`, "back to investigating (wrong cause, fix failed, reopen)", []string{"at", "next"}, takesMessage}},
	{CmdIdentified, spec{`/incident identified [<ref>] <message> [--at <time>] [--next 20m]`, "the cause is known", []string{"at", "next"}, takesMessage}},
	{CmdMonitoring, spec{`/incident monitoring [<ref>] <message> [--at <time>] [--next 20m]`, "a fix is out; watching it", []string{"at", "next"}, takesMessage}},
	{CmdResolved, spec{`/incident resolved [<ref>] <message> [--at <time>]`, "impact is over", []string{"at"}, takesMessage}},
	{CmdUpdate, spec{`/incident update [<ref>] <message> [--at <time>] [--next 20m]`, "add an update, keeping the status; --next promises the next one", []string{"at", "next"}, takesMessage}},
	{CmdPostmortem, spec{`/incident postmortem [<ref>] [<body>] [--at <time>]`, "without a body: post a pre-filled draft; with one: publish it", []string{"at"}, takesBody}},
	{CmdShow, spec{`/incident show [<ref>]`, "the status report with the full timeline", nil, takesRef}},
	{CmdList, spec{`/incident list [--all]`, "open incidents, or all with --all", []string{"all"}, takesNothing}},
	{CmdImpact, spec{`/incident impact [<ref>] <none|minor|major|critical>`, "set how badly users are hurt", nil, takesImpact}},
	{CmdComponents, spec{`/incident components [<ref>] "<A, B=major_outage, C>"`, "set the affected components, and a status for any that the impact does not tell", nil, takesComponents}},
	{CmdAssign, spec{`/incident assign [<ref>] <commander|comms|scribe> <@user>`, "give someone a role", nil, takesAssignment}},
	{CmdVisibility, spec{`/incident visibility [<ref>] <public|private>`, "make a private incident public (recorded), or a public one private before anything was broadcast", nil, takesVisibility}},
	{CmdAudit, spec{`/incident audit [<ref>]`, "who changed the incident, and who was refused", nil, takesRef}},
	{CmdSnooze, spec{`/incident snooze [<ref>] <45m|off>`, "put the reminders off for a while, or end a snooze", nil, takesSnooze}},
	{CmdFollowUp, spec{`/incident followup [<ref>] add "<text>" [--owner @user] [--due 2025-11-10] | done <n> | list`, "the work an incident leaves behind: add, mark done, list", []string{"owner", "due"}, takesFollowUp}},
	{CmdFollowUps, spec{`/incident followups [--mine] [--overdue]`, "the open follow-ups of every incident", []string{"mine", "overdue"}, takesNothing}},
	{CmdStats, spec{`/incident stats [--since 30d]`, "how long past incidents took to identify, mitigate and resolve", []string{"since"}, takesNothing}},
	{CmdHelp, spec{`/incident help [<command>]`, "this list, or one command", nil, takesTopic}},
}

// lookupSpec returns the grammar of the command called name.
func lookupSpec(name Name) (spec, bool) {
	for _, s := range specs {
		if s.name == name {
			return s.spec, true
		}
	}
	return spec{}, false
}

// Usage is the usage line of a command, or "" for an unknown one.
func Usage(name Name) string {
	s, _ := lookupSpec(name)
	return s.usage
}

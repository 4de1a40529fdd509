// Package fsm is the incident lifecycle, on github.com/looplab/fsm: the
// statuses responders move an incident through, the events that move it, and
// what each move changes.
//
// Statuses, in order: investigating, identified, monitoring, resolved,
// postmortem. Events are named for the commands that fire them:
//
//	declare        (none) -> investigating
//	investigating  identified, monitoring -> investigating ("wrong cause", "fix failed");
//	               resolved -> investigating ("reopen")
//	identified     investigating, monitoring -> identified
//	monitoring     investigating, identified -> monitoring
//	resolved       investigating, identified, monitoring -> resolved
//	postmortem     resolved -> postmortem (publish); postmortem -> postmortem (amend)
//	update         any status but postmortem, staying in it
//	draft          resolved or postmortem, staying in it (the postmortem draft)
//
// A status event fired in the status it names (identified while identified)
// is an update: allowed, and no move. Anything else is refused with a
// *RefusedError that lists the moves out of the status.
//
// Effects run only on a real move, in the machine's callbacks: entering a
// status records its milestone the first time; entering resolved sets the
// resolution time; leaving resolved for an open status (a reopen) clears it,
// and the milestones reached before stay. An update, a draft or an amendment
// changes nothing here, so a note after resolution never moves the
// resolution, and no duration grows with it.
//
// The package holds no state between calls: a Machine is restored from the
// lifecycle stored in Redis for one command and thrown away, because several
// replicas serve the same incidents and Redis is the truth.
package fsm

package bot

import (
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// Observer hears what the bot does, for the operators' metrics. Its methods
// are called on the hot path: they must be cheap and safe for concurrent use.
type Observer interface {
	// Command is one command answered, with its outcome ("ok", or the
	// error's code: "invalid", "forbidden", "unavailable", ...).
	Command(p Platform, cmd Name, outcome string, took time.Duration)
	// Conflict is a command planned again because someone else changed the
	// incident between its read and its write.
	Conflict(p Platform)
	// Milestone is an incident reaching identified, monitoring or resolved
	// for the first time, took after its declaration.
	Milestone(p Platform, impact Impact, milestone fsm.Status, took time.Duration)
	// Posted is one call to a platform made by delivery, with its outcome:
	// "ok", "rate_limited", "retry" or "parked".
	Posted(p Platform, op Op, outcome string, took time.Duration)
	// RateLimited is a platform asking delivery to wait.
	RateLimited(p Platform, wait time.Duration)
	// Reminded is a reminder queued for a quiet incident.
	Reminded(p Platform)
}

type nopObserver struct{}

func (nopObserver) Command(Platform, Name, string, time.Duration)         {}
func (nopObserver) Conflict(Platform)                                     {}
func (nopObserver) Milestone(Platform, Impact, fsm.Status, time.Duration) {}
func (nopObserver) Posted(Platform, Op, string, time.Duration)            {}
func (nopObserver) RateLimited(Platform, time.Duration)                   {}
func (nopObserver) Reminded(Platform)                                     {}

// outcome names how a command ended, for metrics.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if code := ErrorCode(err); code != "" {
		return strings.ToLower(code)
	}
	return "error"
}

// milestones observes the milestones a change reaches for the first time:
// identified, monitoring (mitigated) and resolved, each after the
// declaration.
func (s *Service) milestones(prior *Incident, next Incident) {
	for _, st := range []fsm.Status{fsm.Identified, fsm.Monitoring, fsm.Resolved} {
		at, reached := next.Milestones[st]
		if !reached {
			continue
		}
		if prior != nil {
			if _, before := prior.Milestones[st]; before {
				continue
			}
		}
		s.opt.Observer.Milestone(next.Workspace.Platform, next.Impact, st, at.Sub(next.DeclaredAt))
	}
}

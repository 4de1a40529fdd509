package bot

import (
	"context"
	"errors"
	"text/template"
	"time"
)

// Options configure a Service. Only Store is required.
type Options struct {
	Store Store
	Clock Clock
	// Org names the organisation in reports: "<Org> incident".
	Org string
	// Location is the zone timeline times are shown in; UTC when nil.
	Location *time.Location
	// Broadcast holds the stakeholders' channel of each platform that has one.
	Broadcast map[Platform]string
	// Postmortem is the draft template; the embedded one when nil.
	Postmortem *template.Template
	Logger     Logger
	// Timeout bounds the store work of one command, so a responder hears back
	// well inside the platforms' 3-second limit even when Redis is away.
	Timeout time.Duration
	// Cadence is, per impact, how long an open incident may go without a
	// public update before its channel is reminded; an impact without one
	// (or 0) is never reminded.
	Cadence map[Impact]time.Duration
	// Queued, when set, hears of every change that queued posts: the local
	// delivery loop's Wake, so this replica posts them at once.
	Queued func(Workspace)
	// Responders lists, per platform, the users and groups (Slack user
	// groups, Discord roles) who may change any incident. A platform without
	// a list lets every member change incidents; the console's user always
	// may.
	Responders map[Platform][]string
	// Components is the status page's list: when set, responders may name
	// only these.
	Components Catalog
	// Webhooks are the URLs that receive every update the status page shows.
	Webhooks []string
	// Directories answer, per platform, what its requests do not carry:
	// group membership and whether a channel is private.
	Directories map[Platform]Directory
	// Observer hears of commands, conflicts, milestones and reminders.
	Observer Observer
	// StatusURL is the status page's public address, ending in "/": a
	// report too long for chat points there for every update of an incident
	// the page shows.
	StatusURL string
}

// Logger is the structured log the core writes to: *slog.Logger is one.
// The core keeps to these two levels: what an operator must look at.
type Logger interface {
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}

type nopLogger struct{}

func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// Service handles /incident commands for every door alike.
type Service struct {
	opt    Options
	recent recent
}

// maxAttempts bounds how often a command is re-planned when other responders
// change the same incident between its read and its write.
const maxAttempts = 100

// NewService returns a Service with defaults filled in.
func NewService(o Options) *Service {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Postmortem == nil {
		o.Postmortem = defaultPostmortem
	}
	if o.Logger == nil {
		o.Logger = nopLogger{}
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Org == "" {
		o.Org = "Our organisation"
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	return &Service{opt: o}
}

// Handle runs one command and returns the reply for the person who typed it.
// A returned error is an *Error whose message is fit to show them; anything
// else went to the log.
func (s *Service) Handle(ctx context.Context, req Request) (Reply, error) {
	cmd, err := Parse(req.Text, s.opt.Location)
	if err != nil {
		s.opt.Observer.Command(req.Workspace.Platform, "unparsed", outcome(err), 0)
		return Reply{}, err
	}
	return s.Run(ctx, req, cmd)
}

// HandleOptions runs a command whose platform hands it over already split
// into named options (Discord), read as ParseOptions reads them.
func (s *Service) HandleOptions(ctx context.Context, req Request, command string, opts map[string]string) (Reply, error) {
	cmd, err := ParseOptions(command, opts, s.opt.Location)
	if err != nil {
		s.opt.Observer.Command(req.Workspace.Platform, "unparsed", outcome(err), 0)
		return Reply{}, err
	}
	return s.Run(ctx, req, cmd)
}

// Run runs a parsed command: what Handle, HandleOptions and Submit come to.
func (s *Service) Run(ctx context.Context, req Request, cmd Command) (Reply, error) {
	start := time.Now()
	reply, err := s.run(ctx, req, cmd)
	s.opt.Observer.Command(req.Workspace.Platform, cmd.Name, outcome(err), time.Since(start))
	return reply, err
}

func (s *Service) run(ctx context.Context, req Request, cmd Command) (Reply, error) {
	if cmd.Name == CmdDeclare && cmd.Text == "" {
		return Reply{Text: "Give the incident a title: " + Usage(CmdDeclare), Form: DeclareForm()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opt.Timeout)
	defer cancel()
	var (
		reply Reply
		err   error
	)
	switch cmd.Name {
	case CmdHelp:
		return help(cmd, s.opt.Location), nil
	case CmdList:
		reply, err = s.list(ctx, req, cmd)
	case CmdShow:
		reply, err = s.show(ctx, req, cmd)
	case CmdAudit:
		reply, err = s.audit(ctx, req, cmd)
	case CmdStats:
		reply, err = s.stats(ctx, req, cmd)
	case CmdFollowUps:
		reply, err = s.followUpsAcross(ctx, req, cmd)
	case CmdFollowUp:
		if cmd.Verb == "list" {
			reply, err = s.followUpList(ctx, req, cmd)
		} else {
			reply, err = s.change(ctx, req, cmd)
		}
	default:
		reply, err = s.change(ctx, req, cmd)
	}
	if err != nil {
		return Reply{}, s.public(req, cmd, err)
	}
	return reply, nil
}

// public turns an infrastructure error into the sentence a responder sees and
// logs it in full; an *Error passes as it is.
func (s *Service) public(req Request, cmd Command, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	about := []any{"workspace", req.Workspace.String(), "request", req.RequestID, "command", cmd.Name, "incident", cmd.Ref, "err", err}
	var unrep *UnreplicatedError
	switch {
	case errors.As(err, &unrep):
		s.opt.Logger.Warn("command recorded but not replicated in time", about...)
		return unreplicated(unrep)
	case errors.Is(err, ErrUncertain):
		s.opt.Logger.Error("command may not be recorded", about...)
		return errUncertain
	}
	s.opt.Logger.Error("command not recorded", about...)
	return errUnavailable
}

// change runs a command that changes an incident: read, check who asks,
// plan, apply, and plan again from a fresh read when someone else changed it
// meanwhile.
func (s *Service) change(ctx context.Context, req Request, cmd Command) (Reply, error) {
	lookup := Lookup{Workspace: req.Workspace, Number: cmd.Ref, Channel: req.Channel, RequestID: req.RequestID}
	if cmd.Name != CmdDeclare {
		if found, ok := s.recent.get(lookup); ok {
			if reply, err, done := s.try(ctx, req, cmd, lookup, found, true); done {
				return reply, err
			}
			// Changed elsewhere since this replica last changed it, or
			// refused: read it.
		}
	}
	for range maxAttempts {
		found, err := s.opt.Store.Find(ctx, lookup)
		if err != nil {
			return Reply{}, err
		}
		if found.Prior != nil {
			return *found.Prior, nil
		}
		if reply, err, done := s.try(ctx, req, cmd, lookup, found, false); done {
			return reply, err
		}
		s.opt.Observer.Conflict(req.Workspace.Platform)
	}
	return Reply{}, Errorf(ECONFLICT, "Many responders changed this incident at the same moment and this command was NOT recorded. Please send it again.")
}

// try plans cmd from what found holds and applies it. It is not done when
// the incident changed since found was read: the command is planned again.
// What recent remembered (cached) may be out of date, so from it only a
// change the store accepts is done; a refusal is made again from a fresh
// read before anyone hears it or the audit trail keeps it.
func (s *Service) try(ctx context.Context, req Request, cmd Command, lookup Lookup, found Found, cached bool) (_ Reply, _ error, done bool) {
	var inc *Incident
	if cmd.Name != CmdDeclare {
		var err error
		if inc, err = resolve(cmd, found); err != nil {
			return Reply{}, err, !cached
		}
		if cached {
			if ok, err := s.may(ctx, req, cmd, inc); err != nil || !ok {
				return Reply{}, nil, false
			}
		} else if err := s.permit(ctx, req, cmd, inc); err != nil {
			return Reply{}, err, true
		}
	}
	ch, err := s.plan(ctx, req, cmd, inc, found)
	if err != nil {
		return Reply{}, err, !cached
	}
	ch.Audit = s.auditOf(req, cmd.Name, ch.Incident.Number, ch.Reply.Text)
	reply, err := s.opt.Store.Apply(ctx, ch)
	if errors.Is(err, ErrConflict) {
		s.recent.forget(lookup)
		return Reply{}, nil, false
	}
	var unrep *UnreplicatedError
	if (err == nil || errors.As(err, &unrep)) && !reply.Replayed {
		s.milestones(inc, ch.Incident)
		if len(ch.Jobs) > 0 && s.opt.Queued != nil {
			s.opt.Queued(ch.Workspace)
		}
	}
	if err == nil && !reply.Replayed && found.Incident != nil && inc == found.Incident {
		s.recent.put(lookup, found, ch.Incident)
	} else {
		s.recent.forget(lookup)
	}
	return reply, err, true
}

// now is the clock's time in UTC to the second: what entries record.
func (s *Service) now() time.Time {
	return s.opt.Clock.Now().UTC().Truncate(time.Second)
}

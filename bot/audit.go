package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditRecord is one line of a workspace's audit trail: a change someone
// made, or a change someone was refused.
type AuditRecord struct {
	At        time.Time `json:"at"`
	Platform  Platform  `json:"platform"`
	Workspace string    `json:"workspace"`
	Actor     string    `json:"actor"`
	ActorName string    `json:"actor_name,omitempty"` // as the platform named them, when it did
	// Command is what was asked: "resolved", "assign", "visibility", ...
	Command   Name   `json:"command"`
	Incident  int    `json:"incident,omitempty"`
	Channel   string `json:"channel,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Refused tells a refusal from a change; Detail is what the person was
	// told.
	Refused bool   `json:"refused,omitempty"`
	Detail  string `json:"detail"`
}

// AuditQuery selects records of one workspace's trail.
type AuditQuery struct {
	Workspace Workspace
	// Incident keeps the records of one incident; 0 keeps all.
	Incident int
	// Since keeps the records from then on; zero keeps all.
	Since time.Time
	// Limit keeps the newest records up to this many; 0 keeps all.
	Limit int
}

// MaxAuditShown is how many records /incident audit shows: the newest.
const MaxAuditShown = 50

// auditOf is the record of what req asked for: a change, or with Refused
// set, a refusal.
func (s *Service) auditOf(req Request, cmd Name, number int, detail string) *AuditRecord {
	return &AuditRecord{
		At: s.now(), Platform: req.Workspace.Platform, Workspace: req.Workspace.ID, Actor: req.Actor, ActorName: displayName(req.ActorName),
		Command: cmd, Incident: number, Channel: req.Channel, RequestID: req.RequestID, Detail: detail,
	}
}

// auditRefusal keeps a refusal in the trail. A refusal writes nothing else,
// so a trail that cannot be written is logged, and the refusal still stands.
func (s *Service) auditRefusal(ctx context.Context, req Request, cmd Command, inc *Incident, detail string) {
	rec := s.auditOf(req, cmd.Name, inc.Number, detail)
	rec.Refused = true
	if err := s.opt.Store.Audit(ctx, req.Workspace, *rec); err != nil {
		s.opt.Logger.Error("audit: keeping a refusal", "workspace", req.Workspace.String(), "request", req.RequestID, "incident", inc.Number, "err", err)
	}
}

// audit answers an incident's audit trail, newest last, to those who may
// change it.
func (s *Service) audit(ctx context.Context, req Request, cmd Command) (Reply, error) {
	inc, err := s.visibleIncident(ctx, req, cmd)
	if err != nil {
		return Reply{}, err
	}
	if err := s.permit(ctx, req, cmd, inc); err != nil {
		return Reply{}, err
	}
	recs, err := s.opt.Store.AuditTrail(ctx, AuditQuery{Workspace: req.Workspace, Incident: inc.Number, Limit: MaxAuditShown})
	if err != nil {
		return Reply{}, err
	}
	if len(recs) == 0 {
		return Reply{Text: fmt.Sprintf("The audit trail of %s is empty.", inc.Ref()), Incident: inc.Number}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Audit trail of %s, oldest first (at most the newest %d):", inc.Ref(), MaxAuditShown)
	for _, r := range recs {
		what := "did"
		if r.Refused {
			what = "was refused"
		}
		who := person(map[string]string{r.Actor: r.ActorName}, r.Actor)
		fmt.Fprintf(&b, "\n%s · %s %s /incident %s in %s: %s", s.stamp(r.At), who, what, r.Command, r.Channel, r.Detail)
	}
	return Reply{Text: b.String(), Incident: inc.Number}, nil
}

package bot

import (
	"fmt"
	"strings"
)

// Webhooks tell other tools of every update the status page shows. They go
// through the outbox like posts, so they are ordered, retried, parked when
// they keep failing, and never sent twice in a row for one update: each URL
// has a lane of its own per incident, so a receiver that is down holds up
// no other.

// webhookLanePrefix starts the name of every webhook lane.
const webhookLanePrefix = "webhook-"

// WebhookLane is the lane of an incident's updates to the i-th webhook URL.
func WebhookLane(i int) Lane { return Lane(fmt.Sprintf("%s%d", webhookLanePrefix, i+1)) }

// Webhook reports whether the lane carries webhooks, which the webhook
// poster delivers whatever the incident's platform.
func (l Lane) Webhook() bool { return strings.HasPrefix(string(l), webhookLanePrefix) }

// hookJobs are the webhooks of a public update of inc: one per URL, when
// the status page shows the incident.
func (s *Service) hookJobs(inc *Incident, m Message) []Job {
	if !inc.OnPage() {
		return nil
	}
	var jobs []Job
	for i, url := range s.opt.Webhooks {
		j := s.job(inc, WebhookLane(i), OpPost, m)
		j.Channel = url
		jobs = append(jobs, j)
	}
	return jobs
}

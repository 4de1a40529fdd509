package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/incidentbot/incidentbot/bot"
)

// Source reports the figures that are the store's to know, across every
// replica.
type Source interface {
	Gauges(ctx context.Context) (bot.Gauges, error)
}

// gaugeTTL is how long one reading of the store serves scrapes: however
// many Prometheus servers scrape, Redis is read at most this often.
const gaugeTTL = 10 * time.Second

type gauges struct {
	src                                 Source
	queued, oldest, parked, open, stale *prometheus.Desc

	mu   sync.Mutex
	last bot.Gauges
	at   time.Time
	err  error
}

func newGauges(src Source) *gauges {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("incidentbot_"+name, help, labels, nil)
	}
	return &gauges{
		src:    src,
		queued: desc("outbox_queued", "Posts queued and not yet delivered.", "platform"),
		oldest: desc("outbox_oldest_seconds", "Age of the oldest post still queued.", "platform"),
		parked: desc("outbox_parked", "Posts parked in the dead-letter streams; incidentbot outbox list shows them.", "platform"),
		open:   desc("open_incidents", "Open incidents, by impact.", "platform", "impact"),
		stale:  desc("gauges_read_errors", "1 when the store could not be read for the gauges at the last try."),
	}
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{g.queued, g.oldest, g.parked, g.open, g.stale} {
		ch <- d
	}
}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	v, err := g.read()
	failed := 0.0
	if err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(g.stale, prometheus.GaugeValue, failed)
	for p, n := range v.Queued {
		ch <- prometheus.MustNewConstMetric(g.queued, prometheus.GaugeValue, float64(n), string(p))
	}
	for p, d := range v.Oldest {
		ch <- prometheus.MustNewConstMetric(g.oldest, prometheus.GaugeValue, d.Seconds(), string(p))
	}
	for p, n := range v.Parked {
		ch <- prometheus.MustNewConstMetric(g.parked, prometheus.GaugeValue, float64(n), string(p))
	}
	for p, byImpact := range v.Open {
		for impact, n := range byImpact {
			ch <- prometheus.MustNewConstMetric(g.open, prometheus.GaugeValue, float64(n), string(p), string(impact))
		}
	}
}

// read returns the store's figures, read again once they are gaugeTTL old.
func (g *gauges) read() (bot.Gauges, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.at.IsZero() && time.Since(g.at) < gaugeTTL {
		return g.last, g.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, err := g.src.Gauges(ctx)
	g.at, g.err = time.Now(), err
	if err == nil {
		g.last = v
	}
	return g.last, err
}

package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
)

// Metrics is the bot.Observer that keeps Prometheus metrics, and the
// registry they are served from.
type Metrics struct {
	reg *prometheus.Registry

	commands     *prometheus.CounterVec
	commandTime  *prometheus.HistogramVec
	conflicts    *prometheus.CounterVec
	posts        *prometheus.CounterVec
	postTime     *prometheus.HistogramVec
	limits       *prometheus.CounterVec
	limitWait    *prometheus.CounterVec
	reminders    *prometheus.CounterVec
	roundTrips   *prometheus.CounterVec
	milestoneDur map[fsm.Status]*prometheus.HistogramVec
}

var _ bot.Observer = (*Metrics)(nil)

// durationBuckets suit incident milestones: minutes to days.
var durationBuckets = []float64{60, 300, 600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600}

// New registers every metric, the Go and process collectors included, and
// the gauges src reports at scrape time (nil for none).
func New(src Source) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "incidentbot", Name: name, Help: help}, labels)
		reg.MustRegister(c)
		return c
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "incidentbot", Name: name, Help: help, Buckets: buckets}, labels)
		reg.MustRegister(h)
		return h
	}
	m.commands = counter("commands_total", "Commands answered, by platform, command and outcome.", "platform", "command", "outcome")
	m.commandTime = histogram("command_duration_seconds", "Time to answer a command.", prometheus.ExponentialBuckets(0.0005, 2, 14), "platform", "command")
	m.conflicts = counter("conflicts_total", "Commands planned again because the incident changed under them.", "platform")
	m.posts = counter("posts_total", "Calls delivery made to a platform, by method and outcome (ok, rate_limited, retry, parked).", "platform", "method", "outcome")
	m.postTime = histogram("post_duration_seconds", "Time of one call delivery made to a platform.", prometheus.ExponentialBuckets(0.005, 2, 12), "platform", "method")
	m.limits = counter("rate_limit_waits_total", "Rate limits a platform asked delivery to wait out.", "platform")
	m.limitWait = counter("rate_limit_wait_seconds_total", "Seconds of waiting platforms asked for.", "platform")
	m.reminders = counter("reminders_total", "Reminders queued for quiet incidents.", "platform")
	m.roundTrips = counter("redis_round_trips_total", "Round trips to Redis, by the script they ran or else their first command.", "op")
	m.milestoneDur = map[fsm.Status]*prometheus.HistogramVec{
		fsm.Identified: histogram("time_to_identify_seconds", "From declaration to identified, observed once per incident.", durationBuckets, "platform", "impact"),
		fsm.Monitoring: histogram("time_to_mitigate_seconds", "From declaration to monitoring, observed once per incident.", durationBuckets, "platform", "impact"),
		fsm.Resolved:   histogram("time_to_resolve_seconds", "From declaration to resolved, observed once per incident.", durationBuckets, "platform", "impact"),
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src != nil {
		reg.MustRegister(newGauges(src))
	}
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// RoundTrip counts one round trip to Redis.
func (m *Metrics) RoundTrip(op string) { m.roundTrips.WithLabelValues(op).Inc() }

func (m *Metrics) Command(p bot.Platform, cmd bot.Name, outcome string, took time.Duration) {
	m.commands.WithLabelValues(string(p), string(cmd), outcome).Inc()
	if took > 0 {
		m.commandTime.WithLabelValues(string(p), string(cmd)).Observe(took.Seconds())
	}
}

func (m *Metrics) Conflict(p bot.Platform) { m.conflicts.WithLabelValues(string(p)).Inc() }

func (m *Metrics) Milestone(p bot.Platform, impact bot.Impact, st fsm.Status, took time.Duration) {
	if h := m.milestoneDur[st]; h != nil {
		h.WithLabelValues(string(p), string(impact)).Observe(took.Seconds())
	}
}

func (m *Metrics) Posted(p bot.Platform, op bot.Op, outcome string, took time.Duration) {
	m.posts.WithLabelValues(string(p), string(op), outcome).Inc()
	m.postTime.WithLabelValues(string(p), string(op)).Observe(took.Seconds())
}

func (m *Metrics) RateLimited(p bot.Platform, wait time.Duration) {
	m.limits.WithLabelValues(string(p)).Inc()
	m.limitWait.WithLabelValues(string(p)).Add(wait.Seconds())
}

func (m *Metrics) Reminded(p bot.Platform) { m.reminders.WithLabelValues(string(p)).Inc() }

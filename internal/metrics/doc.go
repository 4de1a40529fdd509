// Package metrics is incidentbot's Prometheus door: the counters and
// histograms the core's Observer feeds, the gauges read from the store at
// scrape time, and the /metrics handler.
package metrics

package main

import (
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads /metrics at addr as Prometheus does.
func scrape(t testing.TB, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return families
}

// checkSeedMetrics: after the seed replay, each milestone histogram holds
// the seed's one incident, with its durations from the declaration, and the
// command counters add up to the commands sent.
func checkSeedMetrics(t *testing.T, addr string, commands int) {
	t.Helper()
	families := scrape(t, addr)
	for name, want := range map[string]time.Duration{
		"incidentbot_time_to_identify_seconds": time.Hour + 8*time.Minute + 20*time.Second,
		"incidentbot_time_to_mitigate_seconds": 4*time.Hour + 22*time.Minute + 20*time.Second,
		"incidentbot_time_to_resolve_seconds":  4*time.Hour + 32*time.Minute + 30*time.Second,
	} {
		f := families[name]
		if f == nil || len(f.Metric) != 1 {
			t.Errorf("%s: %v, want one series", name, f)
			continue
		}
		h := f.Metric[0].GetHistogram()
		if h.GetSampleCount() != 1 || time.Duration(h.GetSampleSum()*float64(time.Second)) != want {
			t.Errorf("%s: %d observations summing %.0fs, want one of %s", name, h.GetSampleCount(), h.GetSampleSum(), want)
		}
	}
	ok := 0.0
	for _, m := range families["incidentbot_commands_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "outcome" && l.GetValue() == "ok" {
				ok += m.GetCounter().GetValue()
			}
		}
	}
	if int(ok) != commands {
		t.Errorf("incidentbot_commands_total{outcome=\"ok\"} adds up to %v, want the %d commands sent", ok, commands)
	}
	// One client types the seed: an apply a change, none re-planned; a find
	// for each read, for the declaration and for the first change in the
	// incident's channel, the later changes there planned from what the one
	// before left; and delivery finished posts.
	reads := 0
	for _, cmd := range []string{"show", "list", "help", "audit", "stats", "followups"} {
		reads += int(metricValue(families, "incidentbot_commands_total", "command", cmd))
	}
	trips := func(op string) int {
		return int(metricValue(families, "incidentbot_redis_round_trips_total", "op", op))
	}
	if trips("apply") != commands-reads || trips("find") != reads+2 || trips("done") == 0 {
		t.Errorf("round trips: %d applies, %d finds, %d dones; want %d, %d, some", trips("apply"), trips("find"), trips("done"), commands-reads, reads+2)
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "incidentbot_posts_total", "incidentbot_command_duration_seconds", "incidentbot_gauges_read_errors"} {
		if families[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

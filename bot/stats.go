package bot

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// Statistics of past incidents, for responders (/incident stats) and
// operators (incidentbot stats): how long incidents took to identify,
// mitigate and resolve, by impact, and what they touched most.

// Stats are the statistics of a set of incidents.
type Stats struct {
	Since time.Time `json:"since"`
	// Rows holds one row per impact that had incidents, most severe first,
	// then the row of all of them ("all").
	Rows       []StatsRow  `json:"rows"`
	Components []Component `json:"components"`
}

// StatsRow is the figures of the incidents of one impact.
type StatsRow struct {
	Impact    string `json:"impact"`
	Incidents int    `json:"incidents"`
	// Each is from the declaration; the impact window from when impact
	// began to the resolution. Only incidents that reached the milestone
	// count.
	Identify     Spread `json:"time_to_identify"`
	Mitigate     Spread `json:"time_to_mitigate"`
	Resolve      Spread `json:"time_to_resolve"`
	ImpactWindow Spread `json:"impact_window"`
}

// Spread is the median and 90th percentile of some durations.
type Spread struct {
	N      int           `json:"n"`
	Median time.Duration `json:"median_ns"`
	P90    time.Duration `json:"p90_ns"`
}

// Component is how often a component was affected.
type Component struct {
	Name      string `json:"name"`
	Incidents int    `json:"incidents"`
}

// MaxStatsComponents is how many components the statistics name.
const MaxStatsComponents = 5

// ComputeStats figures the statistics of incs declared since then.
func ComputeStats(incs []Incident, since time.Time) Stats {
	st := Stats{Since: since}
	byImpact := map[Impact][]Incident{}
	seen := map[string]int{}
	var all []Incident
	for _, inc := range incs {
		if inc.DeclaredAt.Before(since) {
			continue
		}
		all = append(all, inc)
		byImpact[inc.Impact] = append(byImpact[inc.Impact], inc)
		for _, c := range inc.Components {
			seen[c]++
		}
	}
	for _, im := range []Impact{ImpactCritical, ImpactMajor, ImpactMinor, ImpactNone} {
		if len(byImpact[im]) > 0 {
			st.Rows = append(st.Rows, statsRow(string(im), byImpact[im]))
		}
	}
	st.Rows = append(st.Rows, statsRow("all", all))
	for name, n := range seen {
		st.Components = append(st.Components, Component{name, n})
	}
	slices.SortFunc(st.Components, func(a, b Component) int {
		return cmp.Or(b.Incidents-a.Incidents, strings.Compare(a.Name, b.Name))
	})
	st.Components = st.Components[:min(len(st.Components), MaxStatsComponents)]
	return st
}

func statsRow(impact string, incs []Incident) StatsRow {
	var identify, mitigate, resolve, window []time.Duration
	for _, inc := range incs {
		if at, ok := inc.Milestones[fsm.Identified]; ok {
			identify = append(identify, at.Sub(inc.DeclaredAt))
		}
		if at, ok := inc.Milestones[fsm.Monitoring]; ok {
			mitigate = append(mitigate, at.Sub(inc.DeclaredAt))
		}
		if !inc.ResolvedAt.IsZero() {
			resolve = append(resolve, inc.ResolvedAt.Sub(inc.DeclaredAt))
			window = append(window, inc.ResolvedAt.Sub(inc.StartedAt))
		}
	}
	return StatsRow{Impact: impact, Incidents: len(incs),
		Identify: spread(identify), Mitigate: spread(mitigate), Resolve: spread(resolve), ImpactWindow: spread(window)}
}

// spread takes the median and 90th percentile by nearest rank: figures
// that are durations some incident really had.
func spread(ds []time.Duration) Spread {
	if len(ds) == 0 {
		return Spread{}
	}
	slices.Sort(ds)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(ds))+0.999999) - 1
		return ds[max(0, min(i, len(ds)-1))]
	}
	return Spread{N: len(ds), Median: rank(0.5), P90: rank(0.9)}
}

func (s Spread) String() string {
	if s.N == 0 {
		return "n/a"
	}
	return FormatDuration(s.Median) + " / " + FormatDuration(s.P90)
}

// Table writes the statistics as text columns, as chat and terminals show
// them.
func (st Stats) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Incidents declared since %s (median / p90, from the declaration):\n", st.Since.UTC().Format("Jan 2, 2006"))
	fmt.Fprintf(&b, "%-9s %9s  %-17s %-17s %-17s %-17s\n", "impact", "incidents", "identify", "mitigate", "resolve", "impact window")
	for _, r := range st.Rows {
		fmt.Fprintf(&b, "%-9s %9d  %-17s %-17s %-17s %-17s\n", r.Impact, r.Incidents, r.Identify, r.Mitigate, r.Resolve, r.ImpactWindow)
	}
	var names []string
	for _, c := range st.Components {
		names = append(names, fmt.Sprintf("%s (%d)", c.Name, c.Incidents))
	}
	if len(names) > 0 {
		fmt.Fprintf(&b, "Most often affected: %s\n", strings.Join(names, ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// CSV writes one line per row, durations in seconds.
func (st Stats) CSV() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"impact", "incidents", "identify_median_s", "identify_p90_s", "mitigate_median_s", "mitigate_p90_s",
		"resolve_median_s", "resolve_p90_s", "impact_window_median_s", "impact_window_p90_s"})
	secs := func(d time.Duration) string { return fmt.Sprint(int64(d.Seconds())) }
	for _, r := range st.Rows {
		w.Write([]string{r.Impact, fmt.Sprint(r.Incidents), secs(r.Identify.Median), secs(r.Identify.P90), secs(r.Mitigate.Median),
			secs(r.Mitigate.P90), secs(r.Resolve.Median), secs(r.Resolve.P90), secs(r.ImpactWindow.Median), secs(r.ImpactWindow.P90)})
	}
	w.Flush()
	return b.String()
}

// JSON writes the statistics as one JSON document.
func (st Stats) JSON() string {
	raw, _ := json.MarshalIndent(st, "", "  ")
	return string(raw) + "\n"
}

// DefaultStatsSince is how far back /incident stats looks unless told.
const DefaultStatsSince = 30 * 24 * time.Hour

// stats answers the statistics of the workspace's incidents, private ones
// left out: their components are theirs alone.
func (s *Service) stats(ctx context.Context, req Request, cmd Command) (Reply, error) {
	since := s.now().Add(-cmp.Or(cmd.Since, DefaultStatsSince))
	incs, err := s.opt.Store.Declared(ctx, req.Workspace, since)
	if err != nil {
		return Reply{}, err
	}
	incs = slices.DeleteFunc(incs, func(inc Incident) bool { return inc.Private })
	if len(incs) == 0 {
		return Reply{Text: fmt.Sprintf("No incident was declared here since %s.", since.Format("Jan 2, 2006"))}, nil
	}
	return Reply{Text: ComputeStats(incs, since).Table()}, nil
}

// ParseSince reads a look-back like 30d, 12h or 90m.
func ParseSince(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && days > 0 && fmt.Sprint(days) == n {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	return 0, Errorf(EINVALID, "--since %q is not a look-back like 30d, 12h or 90m.", clip(v, 20))
}

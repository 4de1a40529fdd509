package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// The figures behind incidentbot's gauges, across every replica. They are
// read from registries that list only what is busy (workspaces with posts
// due or leased, with parked posts, open incidents), so a scrape costs in
// proportion to what is going on, not to every workspace ever seen.
const (
	openKey   = "ib:{ready}:open"   // "<workspace>:<number>" -> impact, for open incidents
	parkedKey = "ib:{ready}:parked" // workspaces that parked a post
	// On Cluster, the version of the incident each entry of openKey was
	// last written from, closed incidents included: one field for each
	// incident.
	openVersionsKey = "ib:{ready}:openv"
)

// Gauges reads what waits in the outboxes, what is parked and what is open.
func (s *Store) Gauges(ctx context.Context) (bot.Gauges, error) {
	g := bot.Gauges{Queued: map[bot.Platform]int{}, Oldest: map[bot.Platform]time.Duration{},
		Parked: map[bot.Platform]int{}, Open: map[bot.Platform]map[bot.Impact]int{}}
	due, err := s.rdb.ZRange(ctx, dueKey, 0, -1).Result()
	if err != nil {
		return g, fmt.Errorf("redisstore: gauges: %w", err)
	}
	now := time.Now()
	for _, m := range due {
		ws, ok := parseWorkspace(m)
		if !ok {
			continue
		}
		k := keysOf(ws)
		res, err := depthScript.Run(ctx, s.rdb, []string{k.lanes()}, k.prefix).Slice()
		if err != nil {
			return g, fmt.Errorf("redisstore: gauges of %s: %w", ws, err)
		}
		g.Queued[ws.Platform] += int(res[0].(int64))
		heads, _ := res[1].([]any)
		for _, h := range heads {
			entry, _ := h.(string)
			_, raw, _ := strings.Cut(entry, "\n")
			var j bot.Job
			if json.Unmarshal([]byte(raw), &j) == nil && !j.Created.IsZero() {
				if age := now.Sub(j.Created); age > g.Oldest[ws.Platform] {
					g.Oldest[ws.Platform] = age
				}
			}
		}
	}
	parked, err := s.rdb.SMembers(ctx, parkedKey).Result()
	if err != nil {
		return g, fmt.Errorf("redisstore: gauges: %w", err)
	}
	for _, m := range parked {
		if ws, ok := parseWorkspace(m); ok {
			n, err := s.rdb.XLen(ctx, keysOf(ws).dead()).Result()
			if err != nil {
				return g, fmt.Errorf("redisstore: gauges of %s: %w", ws, err)
			}
			g.Parked[ws.Platform] += int(n)
		}
	}
	open, err := s.rdb.HGetAll(ctx, openKey).Result()
	if err != nil {
		return g, fmt.Errorf("redisstore: gauges: %w", err)
	}
	for field, impact := range open {
		p, _, _ := strings.Cut(field, ":")
		if g.Open[bot.Platform(p)] == nil {
			g.Open[bot.Platform(p)] = map[bot.Impact]int{}
		}
		g.Open[bot.Platform(p)][bot.Impact(impact)]++
	}
	return g, nil
}

// openEntry is inc's entry among the open incidents: its field, and its
// impact while open ("" once closed).
func openEntry(ws bot.Workspace, inc bot.Incident) (field, impact string) {
	if inc.Open() {
		impact = string(inc.Impact)
	}
	return fmt.Sprintf("%s:%d", ws, inc.Number), impact
}

// openKeys are open.lua's keys: the open incidents and their versions.
var openKeys = []string{openKey, openVersionsKey}

// openArgs are open.lua's arguments for inc as of its version.
func openArgs(ws bot.Workspace, inc bot.Incident) []any {
	field, impact := openEntry(ws, inc)
	return []any{field, inc.Version, impact}
}

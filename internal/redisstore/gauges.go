package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// The figures behind incidentbot's gauges, across every replica. They are
// read from registries that list only what is busy (workspaces with posts
// due or leased, with parked posts, open incidents), so a scrape costs in
// proportion to what is going on, not to every workspace ever seen.
const (
	openKey   = "ib:{ready}:open"   // "<workspace>:<number>" -> impact, for open incidents
	parkedKey = "ib:{ready}:parked" // workspaces that parked a post
	// The version of the incident each entry of openKey was last written
	// from, closed incidents included: one field for each incident.
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

// openKeys are open.lua's keys: the open incidents and their versions.
var openKeys = []string{openKey, openVersionsKey}

// openArgs are open.lua's arguments for inc as of its version: its impact
// while open, "" once closed. settle marks what was read back from the store.
func openArgs(ws bot.Workspace, inc bot.Incident, settle bool) []any {
	impact, how := "", ""
	if inc.Open() {
		impact = string(inc.Impact)
	}
	if settle {
		how = "settle"
	}
	return []any{fmt.Sprintf("%s:%d", ws, inc.Number), inc.Version, impact, how}
}

// settleOpen writes one incident's open-incidents entry from what is stored.
// Apply writes the entry in the same round trip as its script, whatever the
// script decides; when the script refuses the change (another replica's
// came first, or the request was answered before), the entry was written
// from the plan, perhaps at the version of the change that did land. Read
// back, the stored incident wins that tie, and loses to any later version.
func (s *Store) settleOpen(ctx context.Context, ws bot.Workspace, planned bot.Incident) {
	// None stored (a declaration that lost its number to no one) is no
	// incident open, as of the plan's version.
	stored := bot.Incident{Number: planned.Number, Version: planned.Version}
	raw, err := s.rdb.HGet(ctx, keysOf(ws).incident(planned.Number), "json").Result()
	switch {
	case err == nil:
		if stored, err = decodeIncident(raw); err != nil {
			return
		}
	case !errors.Is(err, redis.Nil):
		return // a hint: the incident's next change writes it again
	}
	openScript.Run(ctx, s.rdb, openKeys, openArgs(ws, stored, true)...)
}

package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// The status page reads incidents of every workspace, so its index lives
// outside any workspace's hash slot: pageKey lists "<workspace>/<number>"
// by declaration time, and pageVersionKey counts changes, so a page that
// polls it every few seconds reads everything again only when something
// changed.
const (
	pageKey        = "ib:page"
	pageVersionKey = "ib:page:version"
)

// notePage indexes the changed incident for the status page and tells
// pollers that something changed. It runs in the change's pipeline, after
// the change: a page that sees the new version reads the change. Every
// incident is indexed, whatever it shows; the page filters what it reads.
func notePage(ctx context.Context, p redis.Pipeliner, c bot.Change) {
	member := fmt.Sprintf("%s/%d", c.Workspace, c.Incident.Number)
	p.ZAdd(ctx, pageKey, redis.Z{Score: float64(c.Incident.DeclaredAt.UnixMilli()), Member: member})
	p.Incr(ctx, pageVersionKey)
}

// PageVersion is a number that changes whenever an incident may have.
func (s *Store) PageVersion(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, pageVersionKey).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redisstore: page version: %w", err)
	}
	return v, nil
}

// PageRecords reads the n newest incidents of every workspace, with their
// timelines, in one round trip after the index.
func (s *Store) PageRecords(ctx context.Context, n int) ([]bot.PageRecord, error) {
	members, err := s.rdb.ZRevRange(ctx, pageKey, 0, int64(n-1)).Result()
	if err == nil && len(members) == 0 {
		// Incidents recorded before the index existed are indexed once.
		if err = s.backfillPage(ctx); err == nil {
			members, err = s.rdb.ZRevRange(ctx, pageKey, 0, int64(n-1)).Result()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: page index: %w", err)
	}
	type read struct {
		inc      *redis.StringCmd
		timeline *redis.StringSliceCmd
	}
	reads := make([]read, 0, len(members))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range members {
			ws, number, ok := parsePageMember(m)
			if !ok {
				continue
			}
			k := keysOf(ws)
			reads = append(reads, read{p.HGet(ctx, k.incident(number), "json"), p.LRange(ctx, k.timeline(number), 0, -1)})
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: page incidents: %w", err)
	}
	var recs []bot.PageRecord
	for _, r := range reads {
		if r.inc.Err() != nil {
			continue // indexed by a change that did not apply
		}
		inc, err := decodeIncident(r.inc.Val())
		if err != nil {
			return nil, err
		}
		entries, err := decodeEntries(r.timeline.Val(), inc.Number)
		if err != nil {
			return nil, err
		}
		recs = append(recs, bot.PageRecord{Incident: inc, Timeline: entries})
	}
	return recs, nil
}

// parsePageMember reads "<platform>:<id>/<number>".
func parsePageMember(m string) (bot.Workspace, int, bool) {
	i := strings.LastIndex(m, "/")
	if i < 0 {
		return bot.Workspace{}, 0, false
	}
	ws, ok := parseWorkspace(m[:i])
	n, err := strconv.Atoi(m[i+1:])
	return ws, n, ok && err == nil
}

// backfillPage indexes the incidents of every workspace, found by their
// index of all incidents, whose score is the declaration time too. On
// Cluster each primary is scanned.
func (s *Store) backfillPage(ctx context.Context) error {
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, "ib:{ws:*}:all", 200).Iterator()
		for iter.Next(ctx) {
			ws, ok := workspaceOfKey(iter.Val())
			if !ok {
				continue
			}
			zs, err := s.rdb.ZRangeWithScores(ctx, iter.Val(), 0, -1).Result()
			if err != nil || len(zs) == 0 {
				return err
			}
			for i := range zs {
				zs[i].Member = fmt.Sprintf("%s/%v", ws, zs[i].Member)
			}
			if err := s.rdb.ZAdd(ctx, pageKey, zs...).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return scan(ctx, node) })
	}
	return scan(ctx, s.rdb)
}

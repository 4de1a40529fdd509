package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// auditCap is about how many records a workspace's audit trail keeps: a
// capped stream, trimmed as it grows, so the trail costs bounded memory.
const auditCap = 10000

// Audit appends a record to the workspace's trail.
func (s *Store) Audit(ctx context.Context, ws bot.Workspace, rec bot.AuditRecord) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("redisstore: encoding an audit record: %w", err)
	}
	err = s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: keysOf(ws).audit(), MaxLen: auditCap, Approx: true, Values: []any{"record", raw}}).Err()
	if err != nil {
		return fmt.Errorf("redisstore: audit trail of %s: %w", ws, err)
	}
	return nil
}

// AuditTrail reads the records q selects, oldest first. The trail is capped,
// so reading all of it is bounded too.
func (s *Store) AuditTrail(ctx context.Context, q bot.AuditQuery) ([]bot.AuditRecord, error) {
	start := "-"
	if !q.Since.IsZero() {
		start = strconv.FormatInt(q.Since.UnixMilli(), 10)
	}
	msgs, err := s.rdb.XRange(ctx, keysOf(q.Workspace).audit(), start, "+").Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: audit trail of %s: %w", q.Workspace, err)
	}
	var recs []bot.AuditRecord
	for _, m := range slices.Backward(msgs) {
		raw, _ := m.Values["record"].(string)
		var r bot.AuditRecord
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			s.opt.Logger.Warn("redisstore: unreadable audit record", "workspace", q.Workspace.String(), "id", m.ID, "err", err)
			continue
		}
		if q.Incident != 0 && r.Incident != q.Incident {
			continue
		}
		recs = append(recs, r)
		if q.Limit > 0 && len(recs) == q.Limit {
			break
		}
	}
	slices.Reverse(recs)
	return recs, nil
}

// AuditWorkspaces lists every workspace that has an audit trail, for
// operators reading all of them.
func (s *Store) AuditWorkspaces(ctx context.Context) ([]bot.Workspace, error) {
	return s.workspacesWith(ctx, "audit")
}

// workspacesWith lists the workspaces that have the key of the given suffix.
// It scans the keyspace (of every primary, on Cluster), which an operator's
// occasional command can afford; delivery never does.
func (s *Store) workspacesWith(ctx context.Context, suffix string) ([]bot.Workspace, error) {
	var found []bot.Workspace
	scan := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, "ib:{ws:*}:"+suffix, 1000).Iterator()
		for iter.Next(ctx) {
			if ws, ok := workspaceOfKey(iter.Val()); ok {
				found = append(found, ws)
			}
		}
		return iter.Err()
	}
	var err error
	switch c := s.rdb.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex
		err = c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scan(ctx, node)
		})
	case *redis.Client:
		err = scan(ctx, c)
	default:
		err = fmt.Errorf("a %T cannot be scanned", s.rdb)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: listing workspaces with %s: %w", suffix, err)
	}
	slices.SortFunc(found, func(a, b bot.Workspace) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(found), nil
}

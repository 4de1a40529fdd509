package chattest

import (
	"encoding/base64"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The conversations.* methods of the fake Slack that read messages back, so
// a poster unsure whether a post went out can look for it.

// history serves conversations.history: the channel's top-level messages
// (thread roots included, replies not), newest first, between oldest and
// latest (exclusive unless inclusive), limit to a page (100 by default, at
// most 999), with their metadata only when include_all_metadata is set.
func (s *Slack) history(f url.Values) (slackObj, error) {
	limit, err := slackLimit(f, 100, 999)
	if err != nil {
		return nil, err
	}
	within, err := slackWindow(f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	var top []*SlackMessage
	for _, m := range slices.Backward(s.msgs[ch.ID]) {
		if m.ThreadTS == "" && within(m.TS) {
			top = append(top, m)
		}
	}
	page, next, err := slackPage(top, func(m *SlackMessage) string { return m.TS }, f.Get("cursor"), limit)
	if err != nil {
		return nil, err
	}
	return slackObj{
		"messages": s.readJSONLocked(page, slackFlag(f, "include_all_metadata")), "has_more": next != "",
		"pin_count": 0, "response_metadata": slackObj{"next_cursor": next},
	}, nil
}

// replies serves conversations.replies: the thread's root, then its replies
// oldest first, limit to a page (1000 by default and at most). The ts of a
// reply stands for its thread, as on Slack; oldest, latest and inclusive are
// ignored.
func (s *Slack) replies(f url.Values) (slackObj, error) {
	limit, err := slackLimit(f, 1000, 1000)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	root := s.findLocked(ch.ID, f.Get("ts"))
	if root != nil && root.ThreadTS != "" {
		root = s.findLocked(ch.ID, root.ThreadTS)
	}
	if root == nil {
		return nil, slackError("thread_not_found")
	}
	thread := []*SlackMessage{root}
	for _, m := range s.msgs[ch.ID] {
		if m.ThreadTS == root.TS {
			thread = append(thread, m)
		}
	}
	page, next, err := slackPage(thread, func(m *SlackMessage) string { return m.TS }, f.Get("cursor"), limit)
	if err != nil {
		return nil, err
	}
	return slackObj{
		"messages": s.readJSONLocked(page, slackFlag(f, "include_all_metadata")), "has_more": next != "",
		"response_metadata": slackObj{"next_cursor": next},
	}, nil
}

// readJSONLocked renders messages as the conversations.* readers answer
// them: a root with replies carries thread_ts, reply_count and latest_reply.
func (s *Slack) readJSONLocked(msgs []*SlackMessage, metadata bool) []slackObj {
	out := make([]slackObj, len(msgs))
	for i, m := range msgs {
		o := slackMessageJSON(m)
		if !metadata {
			delete(o, "metadata")
		}
		if m.ThreadTS == "" {
			var latest string
			n := 0
			for _, r := range s.msgs[m.Channel] {
				if r.ThreadTS == m.TS {
					latest = r.TS
					n++
				}
			}
			if n > 0 {
				o["thread_ts"], o["reply_count"], o["latest_reply"] = m.TS, n, latest
				o["reply_users"], o["reply_users_count"] = []string{SlackBotUserID}, 1
			}
		}
		out[i] = o
	}
	return out
}

// slackPage cuts one page of limit items from those starting at cursor.
// Cursors are opaque to the client, as on Slack: here, the key of the page's
// first item in base64.
func slackPage[T any](items []T, key func(T) string, cursor string, limit int) ([]T, string, error) {
	start := 0
	if cursor != "" {
		raw, err := base64.StdEncoding.DecodeString(cursor)
		k, ok := strings.CutPrefix(string(raw), "next:")
		start = slices.IndexFunc(items, func(t T) bool { return key(t) == k })
		if err != nil || !ok || start < 0 {
			return nil, "", slackError("invalid_cursor")
		}
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.StdEncoding.EncodeToString([]byte("next:" + key(items[end])))
	}
	return append([]T{}, items[start:end]...), next, nil
}

// slackLimit reads limit: def when absent or below 1, most when above most.
func slackLimit(f url.Values, def, most int) (int, error) {
	if !f.Has("limit") {
		return def, nil
	}
	n, err := strconv.Atoi(f.Get("limit"))
	switch {
	case err != nil:
		return 0, slackError("invalid_limit")
	case n < 1:
		return def, nil
	}
	return min(n, most), nil
}

// slackWindow reads oldest, latest and inclusive into a test of a ts.
func slackWindow(f url.Values) (func(ts string) bool, error) {
	oldest, err := slackTSArg(f, "oldest", 0)
	if err != nil {
		return nil, err
	}
	latest, err := slackTSArg(f, "latest", math.MaxInt64)
	if err != nil {
		return nil, err
	}
	inclusive := slackFlag(f, "inclusive")
	return func(ts string) bool {
		t, _ := slackMicros(ts)
		if inclusive {
			return oldest <= t && t <= latest
		}
		return oldest < t && t < latest
	}, nil
}

// slackTSArg reads a timestamp argument in microseconds, def when absent.
func slackTSArg(f url.Values, field string, def int64) (int64, error) {
	if f.Get(field) == "" {
		return def, nil
	}
	t, ok := slackMicros(f.Get(field))
	if !ok {
		return 0, slackError("invalid_ts_" + field)
	}
	return t, nil
}

// slackMicros reads a Slack timestamp ("1700000000.000123") as microseconds,
// so that timestamps compare as numbers.
func slackMicros(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	if !digits(sec) || len(sec) > 12 || len(frac) > 6 || frac != "" && !digits(frac) {
		return 0, false
	}
	s, _ := strconv.ParseInt(sec, 10, 64)
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return s*1_000_000 + us, true
}

// slackFlag reads a boolean argument, which slack-go sends as 1 or 0.
func slackFlag(f url.Values, field string) bool {
	return f.Get(field) == "1" || f.Get(field) == "true"
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
	"github.com/incidentbot/incidentbot/internal/slackapp"
)

// long runs the long variant of the fault suite: thousands of commands.
//
//	go test ./cmd/incidentbot -run Faults -long -timeout 30m -v
var long = flag.Bool("long", false, "run the long fault suite")

// scale is how many commands a fault test sends: few in CI, many with -long.
func scale(short, longer int) int {
	if *long {
		return longer
	}
	return short
}

// inProcess runs run() serving Slack with vars until the test ends, and
// returns its address and a stop function (stopping twice is harmless).
func inProcess(t *testing.T, vars map[string]string) (addr string, stop func()) {
	t.Helper()
	addr = freeAddr(t)
	all := map[string]string{"INCIDENTBOT_ADDR": addr}
	for k, v := range vars {
		all[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"incidentbot", "serve"}, env(all), strings.NewReader(""), io.Discard, io.Discard)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	waitFor(t, "http://"+addr+"/readyz", http.StatusOK)
	return addr, stop
}

// slackVars is the environment of an incidentbot serving Slack against fake,
// quick to give up on a call and to take over a dead replica's posts.
func slackVars(fake *chattest.Slack, redisURL string) map[string]string {
	return map[string]string{
		"REDIS_URL": redisURL, "INCIDENTBOT_ORG": "Acme",
		"SLACK_BOT_TOKEN": chattest.SlackBotToken, "SLACK_SIGNING_SECRET": slackSecret,
		"SLACK_BROADCAST_CHANNEL": "C0BROADCAST", "SLACK_API_URL": fake.URL,
		"INCIDENTBOT_POST_TIMEOUT": "1s", "INCIDENTBOT_RECLAIM_AFTER": "3s",
	}
}

// responder types slash commands into incidentbots, signed as Slack signs
// them, and keeps the ledger of what was acknowledged.
type responder struct {
	team   string
	client *http.Client
	n      atomic.Int64
	ledger
}

func newResponder() *responder {
	return &responder{team: "T" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36), client: &http.Client{Timeout: 5 * time.Second}}
}

func (r *responder) workspace() bot.Workspace { return bot.Workspace{Platform: bot.Slack, ID: r.team} }

// send types text in channel at the incidentbot on addr and returns the
// answer, or an error when none came.
func (r *responder) send(addr, channel, text string) (string, error) {
	n := r.n.Add(1)
	body := url.Values{"team_id": {r.team}, "channel_id": {channel}, "user_id": {"U0ALEX"}, "command": {"/incident"},
		"text": {text}, "trigger_id": {r.team + "." + strconv.FormatInt(n, 10)}}.Encode()
	req, _ := http.NewRequest("POST", "http://"+addr+"/slack/commands", strings.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackapp.Sign(slackSecret, ts, []byte(body)))
	resp, err := r.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var answer struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return "", fmt.Errorf("HTTP %d: %v", resp.StatusCode, err)
	}
	return unescape(answer.Text), nil
}

// update sends an update carrying a token no other command carries, and
// notes in the ledger whether it was acknowledged.
func (r *responder) update(addr, text string) {
	token := fmt.Sprintf("tok-%d-%d", time.Now().UnixNano(), r.n.Load())
	reply, err := r.send(addr, "C0GENERAL", text+" "+token)
	r.note(token, reply, err)
}

// ledger is what responders were told.
type ledger struct {
	mu        sync.Mutex
	acked     []string // answered as recorded
	uncertain []string // no answer, or told it may or may not be recorded
	refused   int      // told it was NOT recorded, or refused
}

func (l *ledger) note(token, reply string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil, strings.Contains(reply, "may or may not"), strings.Contains(reply, "Recorded, but only"):
		l.uncertain = append(l.uncertain, token)
	case strings.HasPrefix(reply, "Update added"), strings.Contains(reply, " is now "):
		l.acked = append(l.acked, token)
	default:
		l.refused++
	}
}

// tally is what a fault test found, printed as the suite's one-line result.
type tally struct {
	acknowledged, recorded, lost, duplicated, postsExpected, postsSeen int
	problems                                                           []string
}

func (t tally) String() string {
	return fmt.Sprintf("acknowledged=%d recorded=%d lost=%d duplicated=%d posts_expected=%d posts_seen=%d",
		t.acknowledged, t.recorded, t.lost, t.duplicated, t.postsExpected, t.postsSeen)
}

// check waits for every post to be delivered, then compares the ledger with
// the timeline in Redis and with what readers of the fake Slack see: every
// acknowledged update recorded once, every recorded update posted once in the
// incident channel and once in the broadcast thread, in timeline order.
func check(t *testing.T, redisURL string, r *responder, fake *chattest.Slack) tally {
	t.Helper()
	st := redistest.Open(t, redisURL)
	ws := r.workspace()
	waitDelivered(t, st, ws, 60*time.Second)

	incs, err := st.List(context.Background(), ws, true)
	if err != nil {
		t.Fatal(err)
	}
	inTimeline := map[string]int{}
	var order []string
	for _, inc := range incs {
		entries, err := st.Timeline(context.Background(), ws, inc.Number)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if tok := token(e.Message); tok != "" {
				inTimeline[tok]++
				order = append(order, tok)
			}
		}
	}
	var res tally
	r.mu.Lock()
	res.acknowledged = len(r.acked)
	for _, tok := range r.acked {
		if inTimeline[tok] == 0 {
			res.lost++
			res.problems = append(res.problems, fmt.Sprintf("acknowledged %s is not in the timeline", tok))
		}
	}
	r.mu.Unlock()
	for tok, n := range inTimeline {
		res.recorded++
		if n > 1 {
			res.duplicated++
			res.problems = append(res.problems, fmt.Sprintf("%s is in the timeline %d times", tok, n))
		}
	}

	// A reader's view: the incident channel, and the broadcast thread.
	res.postsExpected = 2 * len(order)
	var channel, broadcast []string
	for _, c := range fake.Channels() {
		for _, m := range fake.Messages(c.ID) {
			channel = append(channel, tokens(m.Text+plainJSON(m.Attachments))...)
		}
	}
	for _, m := range fake.Messages("C0BROADCAST") {
		broadcast = append(broadcast, tokens(m.Text+plainJSON(m.Attachments))...)
	}
	res.postsSeen = len(channel) + len(broadcast)
	if strings.Join(channel, " ") != strings.Join(order, " ") {
		res.problems = append(res.problems, fmt.Sprintf("the incident channel shows %d updates out of timeline order or not once each (timeline has %d)", len(channel), len(order)))
	}
	if strings.Join(broadcast, " ") != strings.Join(order, " ") {
		res.problems = append(res.problems, fmt.Sprintf("the broadcast thread shows %d updates out of timeline order or not once each (timeline has %d)", len(broadcast), len(order)))
	}
	if dups := fake.Duplicates(); dups != nil {
		res.problems = append(res.problems, fmt.Sprintf("readers see duplicates: %q", dups))
	}
	if counted, stored := openCounts(t, st, ws); counted != stored {
		res.problems = append(res.problems, fmt.Sprintf("the metrics count %d open incidents, and %d are stored", counted, stored))
	}
	return res
}

// openCounts is how many incidents the metrics count open on ws's platform,
// and how many of ws's stored incidents are open: the test's Redis holds
// that one workspace.
func openCounts(t *testing.T, st *redisstore.Store, ws bot.Workspace) (counted, stored int) {
	t.Helper()
	g, err := st.Gauges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Open[ws.Platform] {
		counted += n
	}
	open, err := st.List(context.Background(), ws, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) >= bot.MaxListed {
		t.Fatalf("%d open incidents or more: a listing shows no more, so they cannot be counted this way", bot.MaxListed)
	}
	return counted, len(open)
}

// waitDelivered waits until no post of ws is queued. It gives up only when
// the backlog stops shrinking for stall: under heavy faults a long run takes
// minutes to drain, each lane in order, but it must keep moving.
func waitDelivered(t testing.TB, st *redisstore.Store, ws bot.Workspace, stall time.Duration) {
	t.Helper()
	start := time.Now()
	least, deadline := -1, start.Add(stall)
	for {
		bl, err := st.Backlog(context.Background(), ws)
		if err == nil && bl.Queued == 0 {
			if _, bench := t.(*testing.B); !bench { // go test keeps ten lines of a benchmark's log: its own figures
				t.Logf("the outbox drained %s after the last command", time.Since(start).Round(time.Millisecond))
			}
			if bl.Parked > 0 {
				t.Errorf("%d posts parked in the dead-letter stream", bl.Parked)
			}
			return
		}
		if err == nil && (least < 0 || bl.Queued < least) {
			least, deadline = bl.Queued, time.Now().Add(stall)
		}
		if time.Now().After(deadline) {
			t.Fatalf("posts still queued, none delivered for %s: %+v, %v", stall, bl, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// token finds the update token in a text, or "".
func token(s string) string {
	if t := tokens(s); len(t) > 0 {
		return t[0]
	}
	return ""
}

// tokens lists the update tokens in a text, each once, in order.
func tokens(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z') }) {
		if strings.HasPrefix(f, "tok-") && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

func plainJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return b.String()
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// benchClients is how many responders type at once in BenchmarkCommands.
const benchClients = 32

// BenchmarkCommands is the README's table of figures. The real binary
// serves Slack against the fake, on a redis-server of its own; b.N
// `/incident update` commands, signed as Slack signs them, come from 32
// clients, each updating an incident of its own, and are delivered. Then, in
// the same run, Redis runs the store's apply script alone b.N times from as
// many clients, with the arguments the store sent for such a command, and
// one client posts straight to the fake as many times as delivery did.
// Last, b.N commands more come while the fake holds every call unanswered:
// with delivery waiting, what answering a command costs alone (held-*).
//
// The bot's CPU, allocations and round trips to Redis are read from its own
// /metrics, so the load generator and the fake, in this process, count for
// nothing in them.
//
//	go test ./cmd/incidentbot -run '^$' -bench Commands -benchtime 4000x
func BenchmarkCommands(b *testing.B) {
	// go test keeps ten lines of a benchmark's log, those of its first run,
	// of one command, first: that run logs nothing, so the real run's show.
	logf := func(format string, args ...any) {
		b.Helper()
		if b.N > 1 {
			b.Logf(format, args...)
		}
	}
	rig := newBenchRig(b)
	rs, fake, proc, r, st := rig.rs, rig.fake, rig.proc, rig.r, rig.st
	before := scrape(b, proc.addr)
	postsBefore := fake.Calls("chat.postMessage") + fake.Calls("chat.update")

	cpuBefore := []float64{cpuSeconds(proc.cmd.Process.Pid), cpuSeconds(rs.cmd.Process.Pid), cpuSeconds(os.Getpid())}
	b.ResetTimer()
	start := time.Now()
	burst(b, r, proc.addr, "Bench update")
	acked := time.Since(start)
	// Where the two cores went while commands were answered.
	cpuAcked := []float64{cpuSeconds(proc.cmd.Process.Pid), cpuSeconds(rs.cmd.Process.Pid), cpuSeconds(os.Getpid())}
	logf("%d commands answered in %.2fs, CPU meanwhile: bot %.2fs, Redis %.2fs, load generator and fake %.2fs", b.N, acked.Seconds(),
		cpuAcked[0]-cpuBefore[0], cpuAcked[1]-cpuBefore[1], cpuAcked[2]-cpuBefore[2])
	postsAcked := fake.Calls("chat.postMessage") + fake.Calls("chat.update")
	waitDelivered(b, st, r.workspace(), 30*time.Second)
	logf("the rest delivered in %.2fs, CPU meanwhile: bot %.2fs, Redis %.2fs, the fake and the looks at the backlog %.2fs", (time.Since(start) - acked).Seconds(),
		cpuSeconds(proc.cmd.Process.Pid)-cpuAcked[0], cpuSeconds(rs.cmd.Process.Pid)-cpuAcked[1], cpuSeconds(os.Getpid())-cpuAcked[2])
	delivered := time.Since(start)
	b.StopTimer()

	after := scrape(b, proc.addr)
	posts := fake.Calls("chat.postMessage") + fake.Calls("chat.update") - postsBefore
	n := float64(b.N)
	delta := func(name string, labels ...string) float64 {
		return metricValue(after, name, labels...) - metricValue(before, name, labels...)
	}
	ack := delta("incidentbot_redis_round_trips_total", "op", "find") + delta("incidentbot_redis_round_trips_total", "op", "apply")
	var deliveryTrips float64
	for _, op := range deliveryOps {
		deliveryTrips += delta("incidentbot_redis_round_trips_total", "op", op)
	}
	healthz := healthzCPU(b, proc, r.client, b.N)
	scriptRate := applyAlone(b, rs, b.N)
	directRate := postStraight(b, fake, botPosts(b, fake), posts)
	textRate := postStraight(b, fake, shortText, posts)
	cmdRate := n / acked.Seconds()
	postRate := float64(posts) / delivered.Seconds()
	// After the burst: the calls made while the backlog drained.
	afterRate := float64(posts+postsBefore-postsAcked) / (delivered - acked).Seconds()

	anon, file := rssParts(proc.cmd.Process.Pid)

	// Answering alone: as many commands again while Slack holds every call,
	// so that delivery waits and the bot's CPU is what answering costs.
	release := fake.Hold()
	cpuHeld := []float64{cpuSeconds(proc.cmd.Process.Pid), cpuSeconds(rs.cmd.Process.Pid), cpuSeconds(os.Getpid())}
	start = time.Now()
	burst(b, r, proc.addr, "Held update")
	heldRate := n / time.Since(start).Seconds()
	heldCPU := (cpuSeconds(proc.cmd.Process.Pid) - cpuHeld[0]) * 1000 / n
	release()
	logf("while Slack held every call: %.0f cmds/s, ratio %.3f, %.3f ms CPU a command; Redis %.3f ms, the load generator %.3f ms", heldRate, heldRate/scriptRate, heldCPU,
		(cpuSeconds(rs.cmd.Process.Pid)-cpuHeld[1])*1000/n, (cpuSeconds(os.Getpid())-cpuHeld[2])*1000/n)

	logf("%d commands: %.0f cmds/s, script alone %.0f/s, ratio %.3f; %.3f ms CPU (GET /healthz: %.3f ms) and %.0f allocs a command; round trips %.2f a command, %.2f a post; %d posts at %.0f/s, %.0f/s after the burst, direct %.0f/s (short texts instead: %.0f/s); RSS %.1f MB (%.1f MB before; now %.1f MB its own memory, %.1f MB pages of the binary), Go heap in use %.1f MB",
		b.N, cmdRate, scriptRate, cmdRate/scriptRate, delta("process_cpu_seconds_total")*1000/n, healthz, delta("go_memstats_mallocs_total")/n,
		ack/n, deliveryTrips/float64(max(posts, 1)), posts, postRate, afterRate, directRate, textRate, metricValue(after, "process_resident_memory_bytes")/1e6,
		metricValue(before, "process_resident_memory_bytes")/1e6, anon, file, metricValue(after, "go_memstats_heap_inuse_bytes")/1e6)
	b.ReportMetric(cmdRate, "cmds/s")
	b.ReportMetric(scriptRate, "script/s")
	b.ReportMetric(cmdRate/scriptRate, "ratio")
	b.ReportMetric(delta("process_cpu_seconds_total")*1000/n, "cpu-ms/cmd")
	b.ReportMetric(healthz, "healthz-cpu-ms")
	b.ReportMetric(heldRate, "held-cmds/s")
	b.ReportMetric(heldRate/scriptRate, "held-ratio")
	b.ReportMetric(heldCPU, "held-cpu-ms/cmd")
	b.ReportMetric(delta("go_memstats_mallocs_total")/n, "allocs/cmd")
	b.ReportMetric(delta("go_memstats_alloc_bytes_total")/n, "B/cmd")
	b.ReportMetric(ack/n, "ack-trips/cmd")
	b.ReportMetric(deliveryTrips/float64(max(posts, 1)), "delivery-trips/post")
	b.ReportMetric(afterRate, "posts/s")
	b.ReportMetric(afterRate/directRate, "posts-ratio")
	b.ReportMetric(metricValue(after, "process_resident_memory_bytes")/1e6, "rss-MB")
	b.ReportMetric(0, "ns/op") // the commands overlap: per-op time says nothing

	// Counts, not times: these hold on a busy machine too.
	if got := ack / n; b.N >= 100 && got > 2 {
		b.Errorf("%.2f Redis round trips to acknowledge a command, want at most 2", got)
	}
	if got := deliveryTrips / float64(max(posts, 1)); b.N >= 100 && got > 3 {
		b.Errorf("%.2f Redis round trips to deliver a post, want at most 3", got)
	}
}

// burst sends b.N `/incident update` commands from benchClients clients,
// each updating an incident of its own, and fails the benchmark when one is
// not acknowledged.
func burst(b *testing.B, r *responder, addr, text string) {
	var failed atomic.Int64
	inParallel(b.N, func(c, i int) {
		reply, err := r.send(addr, "C0GENERAL", fmt.Sprintf("update INC-%d %s %d", c+1, text, i))
		if err != nil || !strings.HasPrefix(reply, "Update added") {
			if failed.Add(1) == 1 {
				b.Errorf("not acknowledged: %q, %v", reply, err)
			}
		}
	})
}

// benchRig is the real binary serving Slack against the fake, on a
// redis-server of its own, with an incident declared for each of
// benchClients clients and every post of the declarations delivered.
type benchRig struct {
	rs   *redisServer
	fake *chattest.Slack
	proc *botProcess
	r    *responder
	st   *redisstore.Store
}

func newBenchRig(b *testing.B) *benchRig {
	b.Helper()
	rig := &benchRig{rs: startRedis(b), fake: chattest.NewSlack(b), r: newResponder()}
	rig.proc = startBot(b, slackVars(rig.fake, rig.rs.URL()))
	// Connections kept open for every client, as Slack's own are: Go's
	// default keeps two, and the rest would each dial for every command.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = benchClients
	rig.r.client = &http.Client{Timeout: 5 * time.Second, Transport: transport}
	for c := range benchClients {
		if _, err := rig.r.send(rig.proc.addr, "C0GENERAL", fmt.Sprintf("declare Bench %d", c)); err != nil {
			b.Fatal(err)
		}
	}
	rig.st = redistest.Open(b, rig.rs.URL())
	waitDelivered(b, rig.st, rig.r.workspace(), 30*time.Second)
	return rig
}

// cpuSeconds is the CPU time a process has used, from /proc (in clock ticks
// of 10 ms).
func cpuSeconds(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name in parentheses: utime and stime are
	// the 12th and 13th.
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	var user, system float64
	fmt.Sscan(fields[11], &user)
	fmt.Sscan(fields[12], &system)
	return (user + system) / 100
}

// rssParts reads a process's resident memory apart: its own (heap, stacks)
// and the pages of files it maps, the binary above all, in MB.
func rssParts(pid int) (anon, file float64) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		var kb float64
		if _, err := fmt.Sscanf(line, "RssAnon: %f kB", &kb); err == nil {
			anon = kb / 1000
		}
		if _, err := fmt.Sscanf(line, "RssFile: %f kB", &kb); err == nil {
			file = kb / 1000
		}
	}
	return anon, file
}

// deliveryOps are the round trips delivery makes, named as the metrics
// name them.
var deliveryOps = []string{"take", "done", "reschedule", "renew", "relist", "due", "blpop"}

// inParallel runs n calls of do across benchClients goroutines; client c
// makes calls c, c+benchClients, ... so that no two clients share an
// incident.
func inParallel(n int, do func(client, i int)) {
	var wg sync.WaitGroup
	for c := range benchClients {
		wg.Go(func() {
			for i := c; i < n; i += benchClients {
				do(c, i)
			}
		})
	}
	wg.Wait()
}

// metricValue is the value of a counter or gauge whose labels include the
// given name-value pairs, summed over the rest.
func metricValue(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	var sum float64
	for _, m := range f.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// healthzCPU sends n GET /healthz from benchClients clients, on the
// connections the commands used, and returns the bot's CPU a request in ms:
// what one HTTP exchange costs the bot on this machine, the least a command
// can cost.
func healthzCPU(b *testing.B, proc *botProcess, client *http.Client, n int) float64 {
	b.Helper()
	before := cpuSeconds(proc.cmd.Process.Pid)
	inParallel(n, func(_, _ int) {
		resp, err := client.Get("http://" + proc.addr + "/healthz")
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	})
	return (cpuSeconds(proc.cmd.Process.Pid) - before) * 1000 / float64(n)
}

// applyAlone runs the store's apply script n times from benchClients
// clients and returns the calls a second. The arguments are those the store
// sent for an update of an incident, captured on the way out, each client
// updating an incident of a workspace of its own (in a database the bot
// does not deliver from), with a request ID and a version of its own.
func applyAlone(b *testing.B, rs *redisServer, n int) float64 {
	b.Helper()
	url := strings.TrimSuffix(rs.URL(), "/0") + "/1"
	st := redistest.Open(b, url)
	svc := bot.NewService(bot.Options{Store: st, Broadcast: map[bot.Platform]string{bot.Slack: "C0BROADCAST"}})
	ctx := context.Background()
	handle := func(team, text string) {
		req := bot.Request{Workspace: bot.Workspace{Platform: bot.Slack, ID: team}, Channel: "C0GENERAL", Actor: "U0ALEX",
			Text: text, RequestID: team + text}
		if _, err := svc.Handle(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	for c := range benchClients {
		handle(fmt.Sprintf("TALONE%d", c), "declare Bench")
	}
	handle("TTEMPLATE", "declare Bench")
	capture := &applyCapture{}
	st.Client().AddHook(capture)
	handle("TTEMPLATE", "update INC-1 Bench update 1")
	call := capture.args()
	if call == nil {
		b.Fatal("the store sent no apply script for an update")
	}
	const template = "ib:{ws:slack:TTEMPLATE}:"
	keys := call[2].(int)
	if req, _ := call[3].(string); !strings.HasPrefix(req, template+"req:") || keys < 8 {
		b.Fatalf("the apply script's first key is %q of %d, not the request's: its layout changed", req, keys)
	}

	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr(), DB: 1, PoolSize: benchClients})
	defer rdb.Close()
	start := time.Now()
	inParallel(n, func(c, i int) {
		prefix := fmt.Sprintf("ib:{ws:slack:TALONE%d}:", c)
		args := append([]any(nil), call...)
		for k := 3; k < 3+keys; k++ {
			args[k] = strings.Replace(args[k].(string), template, prefix, 1)
		}
		args[3] = fmt.Sprintf("%sreq:alone-%d", prefix, i)
		args[3+keys] = 2 + i/benchClients // the version after this client's last
		res, err := rdb.Do(ctx, args...).StringSlice()
		if err != nil || len(res) == 0 || res[0] != "ok" {
			b.Errorf("apply alone: %v, %v", res, err)
		}
	})
	return float64(n) / time.Since(start).Seconds()
}

// applyCapture keeps the arguments of the last apply script sent.
type applyCapture struct {
	mu   sync.Mutex
	last []any
}

func (h *applyCapture) args() []any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func (h *applyCapture) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *applyCapture) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *applyCapture) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			// The apply script is the one whose first key is the request's.
			if args := c.Args(); c.Name() == "evalsha" && len(args) > 3 && strings.Contains(fmt.Sprint(args[3]), "}:req:") {
				h.mu.Lock()
				h.last = args
				h.mu.Unlock()
			}
		}
		return next(ctx, cmds)
	}
}

// postStraight posts n messages straight to the fake from one client, in
// turn from posts, as fast as it answers, and returns the posts a second.
// A message of the bot's must come out field for field as the bot sent it.
func postStraight(b *testing.B, fake *chattest.Slack, posts []directPost, n int) float64 {
	b.Helper()
	api := slack.New(chattest.SlackBotToken, slack.OptionAPIURL(fake.URL))
	start := time.Now()
	for i := range max(n, 1) {
		p := posts[i%len(posts)]
		if _, _, err := api.PostMessage(p.channel, p.opts...); err != nil {
			b.Fatal(err)
		}
	}
	rate := float64(max(n, 1)) / time.Since(start).Seconds()
	for _, p := range posts {
		msgs := fake.Messages(p.channel)
		if again := msgs[len(msgs)-1].Raw; p.raw != nil && !reflect.DeepEqual(again, p.raw) {
			b.Errorf("posted again as %v, not as the bot posted it: %v", again, p.raw)
		}
	}
	return rate
}

// botPosts are the bot's own messages as it last posted them, to be posted
// again where they went: an update in an incident channel and its reply in
// the broadcast thread. Comparing delivery with smaller messages would
// measure their size.
func botPosts(b *testing.B, fake *chattest.Slack) []directPost {
	b.Helper()
	var replies []chattest.SlackMessage
	for _, m := range fake.Messages("C0BROADCAST") {
		if m.ThreadTS != "" {
			replies = append(replies, m)
		}
	}
	chans := fake.Channels()
	return []directPost{postedAgain(b, fake.Messages(chans[len(chans)-1].ID)), postedAgain(b, replies)}
}

// shortText is a message of one line, much smaller than the bot's.
var shortText = []directPost{{channel: "C0DIRECT", opts: []slack.MsgOption{slack.MsgOptionText("direct", false)}}}

// directPost is a message to post straight to the fake.
type directPost struct {
	channel string
	opts    []slack.MsgOption
	raw     url.Values // for a message of the bot's, the fields of its call
}

// postedAgain is the last of msgs as slack-go would post it again.
func postedAgain(b *testing.B, msgs []chattest.SlackMessage) directPost {
	b.Helper()
	if len(msgs) == 0 {
		b.Fatal("the bot posted nothing to post again")
	}
	m := msgs[len(msgs)-1]
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if m.Blocks != nil {
		var blocks slack.Blocks
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			b.Fatalf("the bot's blocks: %v", err)
		}
		opts = append(opts, slack.MsgOptionBlocks(blocks.BlockSet...))
	}
	if m.Attachments != nil {
		var attachments []slack.Attachment
		if err := json.Unmarshal(m.Attachments, &attachments); err != nil {
			b.Fatalf("the bot's attachments: %v", err)
		}
		opts = append(opts, slack.MsgOptionAttachments(attachments...))
	}
	if m.Metadata != nil {
		var meta slack.SlackMetadata
		if err := json.Unmarshal(m.Metadata, &meta); err != nil {
			b.Fatalf("the bot's metadata: %v", err)
		}
		opts = append(opts, slack.MsgOptionMetadata(meta))
	}
	if m.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTS))
	}
	if m.Raw.Get("unfurl_links") == "false" {
		opts = append(opts, slack.MsgOptionDisableLinkUnfurl())
	}
	return directPost{channel: m.Channel, opts: opts, raw: m.Raw}
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// verbs keep the incident open while its status moves: every one is allowed
// from every open status, and a repeat of the status is an update.
var verbs = []string{"update INC-1", "identified INC-1", "monitoring INC-1", "investigating INC-1"}

// drive sends n updates from workers responders at once, to the incidentbots
// at addrs in turn; between calls, at the points given, it runs the faults.
func drive(t *testing.T, r *responder, addrs []string, n, workers int, faults map[int]func()) {
	t.Helper()
	inTurn(n, workers, faults, func(i int) { r.update(addrs[i%len(addrs)], verbs[i%len(verbs)]) })
}

// inTurn runs send(0) to send(n-1) from workers goroutines, and the fault
// at a point before the send of that number while the others wait.
func inTurn(n, workers int, faults map[int]func(), send func(i int)) {
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				if f := faults[i]; f != nil {
					f() // the other workers wait: a fault happens between commands
				}
				mu.Unlock()
				if i >= n {
					return
				}
				send(i)
			}
		})
	}
	wg.Wait()
}

// suite adds up every fault test's tally for the line -long prints at the end.
var suite struct {
	sync.Mutex
	tally
}

// report logs the tally, adds it to the suite's, and fails the test when
// anything acknowledged was lost or anything shown twice.
func report(t *testing.T, name string, res tally) {
	t.Helper()
	t.Logf("%s: %s", name, res)
	suite.Lock()
	suite.acknowledged += res.acknowledged
	suite.recorded += res.recorded
	suite.lost += res.lost
	suite.duplicated += res.duplicated
	suite.postsExpected += res.postsExpected
	suite.postsSeen += res.postsSeen
	suite.Unlock()
	for _, p := range res.problems {
		t.Error(p)
	}
	if res.lost != 0 || res.duplicated != 0 || res.postsSeen != res.postsExpected {
		t.Errorf("%s: %s", name, res)
	}
}

func declare(t *testing.T, r *responder, addr string) {
	t.Helper()
	reply, err := r.send(addr, "C0GENERAL", "declare Faults at the edge --impact major")
	if err != nil || !strings.HasPrefix(reply, "Declared INC-1") {
		t.Fatalf("declare: %q, %v", reply, err)
	}
}

// TestFaultsChatAPI: Slack answers a share of calls with 429s (with and
// without Retry-After), 500s, dropped connections and answers that come too
// late, some after doing the call. Every update is still shown once.
func TestFaultsChatAPI(t *testing.T) {
	rs := startRedis(t)
	fake := chattest.NewSlack(t)
	fake.SetChaos(chattest.Chaos{Rate: 0.2, Seed: 7, Delay: 2 * time.Second})
	addr, _ := inProcess(t, slackVars(fake, rs.URL()))
	r := newResponder()
	declare(t, r, addr)
	drive(t, r, []string{addr}, scale(30, 600), 4, nil)
	res := check(t, rs.URL(), r, fake)
	t.Logf("faults injected: %v", fake.Faults())
	report(t, "chat-api", res)
}

// TestFaultsBotCrash kills the real binary (SIGKILL) twice while commands and
// posts are under way, and starts it again.
func TestFaultsBotCrash(t *testing.T) {
	rs := startRedis(t)
	fake := chattest.NewSlack(t)
	fake.SetChaos(chattest.Chaos{Rate: 0.1, Seed: 3, Kinds: []chattest.Fault{chattest.FaultSlowAfter}, Delay: 2 * time.Second})
	b := startBot(t, slackVars(fake, rs.URL()))
	r := newResponder()
	declare(t, r, b.addr)
	n := scale(45, 600)
	crash := func() { b.kill(); b.start() }
	drive(t, r, []string{b.addr}, n, 3, map[int]func(){n / 3: crash, 2 * n / 3: crash})
	res := check(t, rs.URL(), r, fake)
	report(t, "bot-crash", res)
}

// TestFaultsRedisRestart kills Redis (SIGKILL) mid-stream and starts it again
// on its append-only file. With appendfsync always nothing acknowledged may
// be lost; with everysec (in -long) up to the last second may be, and the
// figure is reported.
func TestFaultsRedisRestart(t *testing.T) {
	for _, fsync := range []string{"always", "everysec"} {
		t.Run(fsync, func(t *testing.T) {
			if fsync == "everysec" && !*long {
				t.Skip("the everysec measurement runs in -long")
			}
			rs := startRedis(t, "--appendonly", "yes", "--appendfsync", fsync)
			fake := chattest.NewSlack(t)
			addr, _ := inProcess(t, slackVars(fake, rs.URL()))
			r := newResponder()
			declare(t, r, addr)
			n := scale(40, 1000)
			drive(t, r, []string{addr}, n, 3, map[int]func(){n / 2: rs.restart})
			if fsync == "always" {
				report(t, "redis-restart-always", check(t, rs.URL(), r, fake))
				return
			}
			// A measurement: everysec may lose up to the last second.
			res := check(t, rs.URL(), r, fake)
			t.Logf("redis-restart-everysec: %s", res)
			fmt.Printf("redis-restart-everysec: %s (everysec may lose up to the last second)\n", res)
			if res.duplicated != 0 {
				t.Errorf("everysec duplicated %d updates", res.duplicated)
			}
		})
	}
}

// TestFaultsRedisDown: while Redis is away a command is answered within two
// seconds that it was NOT recorded, /readyz fails, and when Redis is back the
// bot carries on without a restart.
func TestFaultsRedisDown(t *testing.T) {
	rs := startRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	fake := chattest.NewSlack(t)
	addr, _ := inProcess(t, slackVars(fake, rs.URL()))
	r := newResponder()
	declare(t, r, addr)
	rs.kill()

	start := time.Now()
	reply, err := r.send(addr, "C0GENERAL", "update INC-1 said while Redis is away tok-away")
	if took := time.Since(start); err != nil || took > 2*time.Second || !strings.Contains(reply, "NOT recorded") {
		t.Errorf("with Redis away, answered %q, %v after %s; want NOT recorded within 2s", reply, err, took)
	}
	waitFor(t, "http://"+addr+"/readyz", http.StatusServiceUnavailable)

	rs.start()
	waitFor(t, "http://"+addr+"/readyz", http.StatusOK)
	drive(t, r, []string{addr}, 5, 1, nil)
	res := check(t, rs.URL(), r, fake)
	if res.acknowledged != 5 {
		t.Errorf("after Redis came back, %d of 5 updates were acknowledged", res.acknowledged)
	}
	report(t, "redis-down", res)
}

// TestFaultsReplicas races responders on one incident through two, then
// three, replicas of the bot against one Redis.
func TestFaultsReplicas(t *testing.T) {
	for _, replicas := range []int{2, 3} {
		t.Run(strconv.Itoa(replicas), func(t *testing.T) {
			rs := startRedis(t)
			fake := chattest.NewSlack(t)
			var addrs []string
			for range replicas {
				addr, _ := inProcess(t, slackVars(fake, rs.URL()))
				addrs = append(addrs, addr)
			}
			r := newResponder()
			declare(t, r, addrs[0])
			drive(t, r, addrs, scale(40, 1000), 2*replicas, nil)
			report(t, fmt.Sprintf("replicas-%d", replicas), check(t, rs.URL(), r, fake))
		})
	}
}

// TestFaultsMinReplicas: with INCIDENTBOT_REDIS_MIN_REPLICAS=1 a change is
// acknowledged once a replica has it, and when the replica is gone the
// responder is told the change is recorded but not yet safe.
func TestFaultsMinReplicas(t *testing.T) {
	primary := startRedis(t)
	replica := startRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(primary.port))
	waitReplicated(t, replica)
	fake := chattest.NewSlack(t)
	vars := slackVars(fake, primary.URL())
	vars["INCIDENTBOT_REDIS_MIN_REPLICAS"] = "1"
	addr, _ := inProcess(t, vars)
	r := newResponder()
	declare(t, r, addr)
	if reply, err := r.send(addr, "C0GENERAL", "update INC-1 both have it tok-both"); err != nil || !strings.HasPrefix(reply, "Update added") {
		t.Fatalf("with the replica up: %q, %v", reply, err)
	}
	replica.kill()
	start := time.Now()
	reply, err := r.send(addr, "C0GENERAL", "update INC-1 only the primary has it tok-alone")
	if took := time.Since(start); err != nil || !strings.Contains(reply, "Recorded, but only 0 of 1 Redis replicas confirmed it") || took > 2*time.Second {
		t.Errorf("with the replica gone: %q, %v after %s", reply, err, took)
	}
	r.note("tok-both", "Update added", nil)
	res := check(t, primary.URL(), r, fake)
	report(t, "min-replicas", res)
	if res.recorded != 2 {
		t.Errorf("%d updates recorded, want both: the unconfirmed one is on the primary", res.recorded)
	}
}

// TestFaultsLaggingReplicaHoldsPosts: with INCIDENTBOT_REDIS_MIN_REPLICAS
// 1 or all and the replica frozen (SIGSTOP, still connected as far as the
// primary knows), no post goes out under a lease the replica has not
// confirmed: a failover now could promote it without the lease, and another
// replica would post again without looking. Once the replica catches up,
// the posts go out, once.
func TestFaultsLaggingReplicaHoldsPosts(t *testing.T) {
	for _, setting := range []string{"1", "all"} {
		t.Run(setting, func(t *testing.T) { laggingReplica(t, setting) })
	}
}

func laggingReplica(t *testing.T, setting string) {
	primary := startRedis(t)
	replica := startRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(primary.port))
	waitReplicated(t, replica)
	fake := chattest.NewSlack(t)
	vars := slackVars(fake, primary.URL())
	vars["INCIDENTBOT_REDIS_MIN_REPLICAS"] = setting
	b := startBot(t, vars)
	r := newResponder()
	declare(t, r, b.addr)
	st := redistest.Open(t, primary.URL())
	waitDelivered(t, st, r.workspace(), 30*time.Second)
	posts := func() int { return fake.Calls("chat.postMessage") + fake.Calls("chat.update") }
	before := posts()

	replica.cmd.Process.Signal(syscall.SIGSTOP)
	reply, err := r.send(b.addr, "C0GENERAL", "update INC-1 the replica lags tok-lag")
	if err != nil || !strings.Contains(reply, "Recorded, but only 0 of 1 Redis replicas confirmed it") {
		t.Fatalf("with the replica frozen: %q, %v", reply, err)
	}
	bottest.Eventually(t, 30*time.Second, "a lane held back", func() bool { return strings.Count(b.logs.String(), "held back") >= 2 })
	if got := posts(); got != before {
		t.Errorf("%d posts went out under leases the replica had not confirmed", got-before)
	}
	replica.cmd.Process.Signal(syscall.SIGCONT)
	r.note("tok-lag", "Update added", nil)
	res := check(t, primary.URL(), r, fake)
	report(t, "lagging-replica", res)
	if res.postsSeen != res.postsExpected {
		t.Errorf("posts seen %d, want %d", res.postsSeen, res.postsExpected)
	}
}

// waitReplicated waits until a replica has synchronised with its primary.
func waitReplicated(t *testing.T, replica *redisServer) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: replica.Addr()})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		info, _ := rdb.Info(context.Background(), "replication").Result()
		if strings.Contains(info, "master_link_status:up") {
			return
		}
	}
	t.Fatal("the replica never synchronised")
}

// TestFaultsRemindOnce: three replicas look for quiet incidents a few times a
// second. An incident left quiet with reminders after a second is reminded
// once per second of quiet, not once per replica.
func TestFaultsRemindOnce(t *testing.T) {
	rs := startRedis(t)
	fake := chattest.NewSlack(t)
	var addrs []string
	for range 3 {
		vars := slackVars(fake, rs.URL())
		vars["INCIDENTBOT_REMIND_AFTER"] = "1s"
		addr, _ := inProcess(t, vars)
		addrs = append(addrs, addr)
	}
	r := newResponder()
	start := time.Now()
	declare(t, r, addrs[0])
	time.Sleep(3500 * time.Millisecond)
	r.update(addrs[1], "resolved INC-1")
	end := time.Now()
	report(t, "reminders", check(t, rs.URL(), r, fake))

	reminders := 0
	for _, c := range fake.Channels() {
		for _, m := range fake.Messages(c.ID) {
			if strings.Contains(plainJSON(m.Attachments), "No update for") {
				reminders++
			}
		}
	}
	// Times are kept to the second, so a reminder falls due at most once per
	// second boundary crossed while the incident was quiet.
	most := int(end.Unix() - start.Unix())
	if reminders < 1 || reminders > most {
		t.Errorf("%d reminders in %s of quiet; want 1 to %d", reminders, end.Sub(start).Round(time.Millisecond), most)
	}
	t.Logf("%d reminders in %s of quiet", reminders, end.Sub(start).Round(time.Millisecond))
}

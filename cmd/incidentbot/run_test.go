package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

// env is a getenv over a map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// lastReport cuts the last status report out of console output.
func lastReport(t *testing.T, out string) string {
	t.Helper()
	i := strings.LastIndex(out, "Customer.io incident\n")
	if i < 0 {
		t.Fatalf("no status report in the output:\n%s", out)
	}
	return strings.TrimRight(out[i:], "\n")
}

// checkSeed checks a report against the seed incident's text itself: every
// line of the seed, in order, with the report's components under their heading.
func checkSeed(t *testing.T, report string) {
	t.Helper()
	seed, err := os.ReadFile("testdata/seed-incident.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(string(seed), "\n")
	got := strings.Split(report, "\n")
	components := []string{"Data Processing", "Message Sending", "User Interface"}
	if len(got) != len(want)+len(components) {
		t.Fatalf("report has %d lines, the seed %d plus %d components", len(got), len(want), len(components))
	}
	if got[2] != want[2] {
		t.Errorf("summary sentence:\n got %q\nwant %q", got[2], want[2])
	}
	withoutComponents := append(append([]string{}, got[:4]...), got[4+len(components):]...)
	if diff := cmp.Diff(want, withoutComponents); diff != "" {
		t.Errorf("report differs from the seed (-seed +report):\n%s", diff)
	}
	if diff := cmp.Diff(components, got[4:4+len(components)]); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
}

func TestConsoleReplaysSeed(t *testing.T) {
	for _, tc := range []struct{ name, redis string }{
		{"Embedded", ""},
		{"RealRedis", os.Getenv("INCIDENTBOT_TEST_REDIS_URL")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "RealRedis" {
				if tc.redis == "" {
					t.Skip("INCIDENTBOT_TEST_REDIS_URL is not set; CI sets it")
				}
				tc.redis = redisFor(t, 6)
			}
			in, err := os.Open("testdata/seed-replay.txt")
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			var out, errs bytes.Buffer
			err = run(context.Background(), []string{"incidentbot", "console"},
				env(map[string]string{"INCIDENTBOT_ORG": "Customer.io", "REDIS_URL": tc.redis}), in, &out, &errs)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, errs.String())
			}
			checkSeed(t, lastReport(t, out.String()))
			if strings.Count(out.String(), "\n- postmortem Nov 06, 2025, 10:31 PM UTC\n") != 2 {
				t.Errorf("the postmortem was not posted to the console once and shown in the report once:\n%s", out.String())
			}
			warned := strings.Contains(errs.String(), "in-memory")
			if warned != (tc.redis == "") {
				t.Errorf("in-memory warning shown=%v with REDIS_URL=%q:\n%s", warned, tc.redis, errs.String())
			}
		})
	}
}

// TestBinaryReplaysSeed builds the real binary and pipes the seed into it,
// as the README's demo does.
func TestBinaryReplaysSeed(t *testing.T) {
	bin := build(t)
	cmd := exec.Command(bin, "console")
	cmd.Env = append(os.Environ(), "INCIDENTBOT_ORG=Customer.io", "REDIS_URL=")
	in, err := os.Open("testdata/seed-replay.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd.Stdin = in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("incidentbot console: %v", err)
	}
	checkSeed(t, lastReport(t, string(out)))
	if strings.Contains(string(out), "incident> ") {
		t.Error("a prompt was printed although stdin is not a terminal")
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if *long {
		fmt.Println(suite.tally) // the fault suite's one-line result
	}
	if built.bin != "" {
		os.RemoveAll(filepath.Dir(built.bin))
	}
	os.Exit(code)
}

var built struct {
	once      sync.Once
	bin, fail string
}

// build compiles the real binary once for every test that runs it.
func build(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "incidentbot-test")
		if err != nil {
			built.fail = err.Error()
			return
		}
		built.bin = filepath.Join(dir, "incidentbot")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.fail = fmt.Sprintf("go build: %v\n%s", err, out)
		}
	})
	if built.fail != "" {
		t.Fatal(built.fail)
	}
	return built.bin
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// redisFor returns the Redis of one test that runs incidentbot: on the real
// Redis (INCIDENTBOT_TEST_REDIS_URL) a database of its own, emptied first,
// because a running incidentbot delivers every workspace's posts it finds
// and another test's leftovers would reach this test's fake; else a
// miniredis server.
func redisFor(t *testing.T, db int) string {
	t.Helper()
	base := os.Getenv("INCIDENTBOT_TEST_REDIS_URL")
	if base == "" {
		return "redis://" + miniredis.RunT(t).Addr()
	}
	opt, err := redis.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	opt.DB = db
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	u.Path = "/" + strconv.Itoa(db)
	return u.String()
}

// waitFor polls url until it answers want, or fails the test.
func waitFor(t testing.TB, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d; last: %s", url, want, last)
}

// TestLocalMode runs incidentbot with no arguments: a console and the HTTP
// server together; the end of the console's input ends the program.
func TestLocalMode(t *testing.T) {
	addr := freeAddr(t)
	stdin, typing := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"incidentbot"}, env(map[string]string{"INCIDENTBOT_ADDR": addr}), stdin, &out, io.Discard)
	}()
	waitFor(t, "http://"+addr+"/healthz", http.StatusOK)
	waitFor(t, "http://"+addr+"/readyz", http.StatusOK)
	fmt.Fprintln(typing, "/incident declare Local test --impact minor")
	fmt.Fprintln(typing, "/incident show")
	typing.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("local mode did not end with its input")
	}
	if got := out.String(); !strings.Contains(got, "Declared INC-1: Local test") || !strings.Contains(got, "is experiencing a minor incident") {
		t.Errorf("console output:\n%s", got)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the HTTP server still answers after local mode ended")
	}
}

// TestServeReadiness: /readyz follows Redis, /healthz does not; SIGTERM ends
// the real binary cleanly.
func TestServeReadiness(t *testing.T) {
	mr := miniredis.RunT(t)
	addr := freeAddr(t)
	cmd := exec.Command(build(t), "serve")
	cmd.Env = append(os.Environ(), "INCIDENTBOT_ADDR="+addr, "REDIS_URL=redis://"+mr.Addr())
	var errs syncBuffer
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, "http://"+addr+"/readyz", http.StatusOK)
	mr.Close()
	waitFor(t, "http://"+addr+"/readyz", http.StatusServiceUnavailable)
	waitFor(t, "http://"+addr+"/healthz", http.StatusOK)
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if strings.Contains(errs.String(), "in-memory") {
		t.Error("warned about in-memory state although REDIS_URL was set")
	}
}

func TestStartupErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"BadConfigListsEveryProblem", []string{"incidentbot", "console"},
			map[string]string{"INCIDENTBOT_ADDR": "nowhere", "SLACK_APP_TOKEN": "xapp-secret-value", "REDIS_URL": "http://x"},
			[]string{"3 problem(s)", "INCIDENTBOT_ADDR", "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not", "REDIS_URL"}},
		{"DiscordKeyOfWrongLength", []string{"incidentbot", "serve"},
			map[string]string{"DISCORD_BOT_TOKEN": "t", "DISCORD_APP_ID": "1", "DISCORD_PUBLIC_KEY": "abcd"},
			[]string{"DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters"}},
		{"UnknownCommand", []string{"incidentbot", "launch"}, nil, []string{`unknown command "launch"`, "usage: incidentbot"}},
		{"TooManyArguments", []string{"incidentbot", "console", "extra"}, nil, []string{"too many arguments"}},
		{"UnreachableRedis", []string{"incidentbot", "console"}, map[string]string{"REDIS_URL": "redis://127.0.0.1:1"}, []string{"Redis does not answer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, env(tc.env), strings.NewReader(""), io.Discard, io.Discard)
			if err == nil {
				t.Fatal("run succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret-value") {
				t.Errorf("a secret is in the error: %q", err)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"incidentbot", "version"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "incidentbot ") {
		t.Errorf("version printed %q", out.String())
	}
}

// TestReadinessNeedsThePlatforms: /readyz fails while a configured chat
// platform refuses the bot's token, and says which; /healthz stays up.
func TestReadinessNeedsThePlatforms(t *testing.T) {
	slackFake := chattest.NewSlack(t)
	discordFake := chattest.NewDiscord(t)
	for name, vars := range map[string]map[string]string{
		"Slack": {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": slackSecret, "SLACK_API_URL": slackFake.URL},
		"Discord": {"DISCORD_BOT_TOKEN": "revoked", "DISCORD_APP_ID": chattest.DiscordAppID, "DISCORD_API_URL": discordFake.URL(),
			"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32)},
	} {
		t.Run(name, func(t *testing.T) {
			addr := freeAddr(t)
			vars["INCIDENTBOT_ADDR"] = addr
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"incidentbot", "serve"}, env(vars), strings.NewReader(""), io.Discard, io.Discard)
			}()
			defer func() { cancel(); <-done }()
			waitFor(t, "http://"+addr+"/healthz", http.StatusOK)
			resp, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), strings.ToLower(name)) {
				t.Errorf("/readyz with a refused token: %d %q", resp.StatusCode, body)
			}
		})
	}
}

// TestSentinelWithoutAllWarns: with Sentinel, start-up says which setting
// keeps acknowledged changes through a failover, unless it is set.
func TestSentinelWithoutAllWarns(t *testing.T) {
	const warning = "set INCIDENTBOT_REDIS_MIN_REPLICAS=all"
	for _, tc := range []struct {
		url, min string
		warned   bool
	}{
		{"redis://127.0.0.1:1?master_name=main", "", true},
		{"redis://127.0.0.1:1?master_name=main", "1", true},
		{"redis://127.0.0.1:1?master_name=main", "all", false},
		{"redis://127.0.0.1:1", "", false},
	} {
		var logs syncBuffer
		env := env(map[string]string{"REDIS_URL": tc.url, "INCIDENTBOT_REDIS_MIN_REPLICAS": tc.min})
		stopped, stop := context.WithCancel(context.Background())
		stop() // the warning comes before Redis is reached: no need to wait for it
		if err := run(stopped, []string{"incidentbot", "console"}, env, strings.NewReader(""), io.Discard, &logs); err == nil {
			t.Fatalf("%s: started with no Redis to reach", tc.url)
		}
		if got := strings.Contains(logs.String(), warning); got != tc.warned {
			t.Errorf("REDIS_URL=%s, MIN_REPLICAS=%q: warned %v, want %v\n%s", tc.url, tc.min, got, tc.warned, logs.String())
		}
	}
}

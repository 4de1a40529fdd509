package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server process of a test's own, on a free port in a
// temporary directory, that the test can kill and start again.
type redisServer struct {
	t    testing.TB
	dir  string
	port int
	args []string
	cmd  *exec.Cmd
}

// startRedis starts redis-server with extra arguments (persistence, a
// primary to replicate). Tests that need one skip when it is not installed.
func startRedis(t testing.TB, args ...string) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed; .ci/run installs it")
	}
	r := &redisServer{t: t, dir: t.TempDir(), port: freePort(t), args: args}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *redisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	args := append([]string{"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--logfile", filepath.Join(r.dir, "redis.log")}, r.args...)
	r.cmd = exec.Command("redis-server", args...)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr()})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if rdb.Ping(context.Background()).Err() == nil {
			return
		}
	}
	log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
	r.t.Fatalf("redis-server on %d did not start:\n%s", r.port, log)
}

// kill stops the server at once, as a crash would (SIGKILL).
func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(syscall.SIGKILL)
		r.cmd.Wait()
		r.cmd = nil
	}
}

// restart kills the server and starts it again on the same port and files.
func (r *redisServer) restart() {
	r.t.Helper()
	r.kill()
	r.start()
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// botProcess is the real binary, run as a replica would be, that a test can
// kill -9 and start again.
type botProcess struct {
	t      testing.TB
	env    []string
	addr   string
	nofile int // the open-file limit it runs under; 0 for the test's own
	cmd    *exec.Cmd
	logs   *syncBuffer
}

func startBot(t testing.TB, vars map[string]string) *botProcess {
	t.Helper()
	return launchBot(t, 0, vars)
}

// startBotLimited is startBot under an open-file limit of nofile, soft and
// hard, as `ulimit -n` sets it for a service.
func startBotLimited(t testing.TB, nofile int, vars map[string]string) *botProcess {
	t.Helper()
	return launchBot(t, nofile, vars)
}

func launchBot(t testing.TB, nofile int, vars map[string]string) *botProcess {
	t.Helper()
	b := &botProcess{t: t, addr: freeAddr(t), nofile: nofile, logs: &syncBuffer{}}
	b.env = append(os.Environ(), "INCIDENTBOT_ADDR="+b.addr)
	for k, v := range vars {
		b.env = append(b.env, k+"="+v)
	}
	b.start()
	t.Cleanup(b.kill)
	return b
}

func (b *botProcess) start() {
	b.t.Helper()
	b.cmd = exec.Command(build(b.t), "serve")
	if b.nofile > 0 {
		// exec, so that the process the test kills is the bot itself.
		b.cmd = exec.Command("sh", "-c", `ulimit -n "$1" && exec "$0" serve`, build(b.t), strconv.Itoa(b.nofile))
	}
	b.cmd.Env, b.cmd.Stderr = b.env, b.logs
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	waitFor(b.t, "http://"+b.addr+"/readyz", 200)
}

func (b *botProcess) kill() {
	if b.cmd != nil && b.cmd.Process != nil {
		b.cmd.Process.Signal(syscall.SIGKILL)
		b.cmd.Wait()
		b.cmd = nil
	}
}

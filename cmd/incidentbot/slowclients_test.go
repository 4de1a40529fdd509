//go:build unix

package main

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/httpserver"
)

// slowRequest is the stranger's request from the bug report: headers that
// announce a large body, unsigned, then the first byte of the body; the rest
// comes a byte at a time every trickleEvery.
const slowRequest = "POST /slack/commands HTTP/1.1\r\nHost: incidentbot\r\n" +
	"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nt"

const trickleEvery = 2 * time.Second

// slowConn is what one slow connection saw.
type slowConn struct {
	opened, closed time.Time
	// answered is true when the server replied before closing (the read
	// timeout's 400), false when it closed without a word (shed).
	answered bool
}

// openSlow connects to addr, sends slowRequest and keeps trickling until the
// server closes the connection; then it fills in rec and signals closed.
func openSlow(addr string, rec *slowConn, closed chan<- struct{}) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(c, slowRequest); err != nil {
		c.Close()
		return err
	}
	rec.opened = time.Now()
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(trickleEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				c.Write([]byte("x"))
			}
		}
	}()
	go func() {
		n, _ := io.Copy(io.Discard, c) // until EOF or a reset
		rec.closed, rec.answered = time.Now(), n > 0
		close(done)
		c.Close()
		closed <- struct{}{}
	}()
	return nil
}

// raiseFileLimit lifts the test's own soft open-file limit to the hard one,
// and skips the test when even that is below need.
func raiseFileLimit(t *testing.T, need uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot read the open-file limit: %v", err)
	}
	if uint64(lim.Max) < need {
		t.Skipf("the hard open-file limit is %d; this test holds its connections open and needs %d (ulimit -Hn)", lim.Max, need)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatalf("raising the open-file limit to %d: %v", lim.Max, err)
		}
	}
}

// maxConnsLogged is the connection bound the bot says it listens with.
func maxConnsLogged(t *testing.T, b *botProcess) int {
	t.Helper()
	m := regexp.MustCompile(`msg=listening .*max_conns=(\d+)`).FindStringSubmatch(b.logs.String())
	if m == nil {
		t.Fatalf("the bot did not log its connection bound:\n%s", b.logs.String())
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestSlowClientsCannotTieUpServer is the attack from the bug report on the
// real binary under a 1,024-descriptor limit, with the bound it derives from
// that limit: 2,000 connections trickle unsigned bodies. Every one is closed
// within the read timeout, the server never runs out of descriptors, and
// meanwhile /healthz and a signed command are answered.
func TestSlowClientsCannotTieUpServer(t *testing.T) {
	const slow = 2000
	raiseFileLimit(t, slow+500)
	fake := chattest.NewSlack(t)
	b := startBotLimited(t, 1024, slackVars(fake, redisFor(t, 7)))
	bound := maxConnsLogged(t, b)
	if bound >= 1024 || bound >= slow {
		t.Fatalf("the bot holds up to %d connections under a limit of 1024 descriptors; the attack of %d would not reach the bound", bound, slow)
	}

	recs := make([]slowConn, slow)
	closed := make(chan struct{}, slow)
	seen := 0 // connections closed so far
	// closedSoFar takes in the closes reported so far.
	closedSoFar := func() int {
		for {
			select {
			case <-closed:
				seen++
			default:
				return seen
			}
		}
	}
	// waitClosed waits until n are closed, or guard has passed.
	waitClosed := func(n int, guard time.Duration) bool {
		timeout := time.After(guard)
		for seen < n {
			select {
			case <-closed:
				seen++
			case <-timeout:
				return false
			}
		}
		return true
	}
	start := time.Now()
	var dialErrs []error
	var mu sync.Mutex
	var dialers sync.WaitGroup
	next := make(chan int)
	for range 64 {
		dialers.Go(func() {
			for i := range next {
				if err := openSlow(b.addr, &recs[i], closed); err != nil {
					mu.Lock()
					dialErrs = append(dialErrs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range slow {
		next <- i
	}
	close(next)
	dialers.Wait()
	if len(dialErrs) > 0 {
		t.Fatalf("%d of %d slow connections could not be made; first: %v", len(dialErrs), slow, dialErrs[0])
	}
	dialed := time.Since(start)

	// The probes queue behind every slow connection, so they are answered
	// only after the server has taken in all 2,000 while holding at most
	// bound of them: quickly only if it sheds, for no read timeout has run
	// out yet. Slack gives up after 3 s; 5 s leaves room for a loaded
	// machine and is still well under the read timeout a blocked accept
	// would wait out.
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	t0 := time.Now()
	resp, err := probe.Get("http://" + b.addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz during the attack: %v", err)
	}
	resp.Body.Close()
	healthz := time.Since(t0)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz answered %s during the attack", resp.Status)
	}
	r := newResponder()
	r.client = probe
	t0 = time.Now()
	reply, err := r.send(b.addr, "C0GENERAL", "declare Checkout fails --impact major")
	command := time.Since(t0)
	if err != nil || !strings.HasPrefix(reply, "Declared INC-1: Checkout fails") {
		t.Fatalf("a signed command during the attack: %q, %v", reply, err)
	}
	stillOpen := slow - closedSoFar()

	if !waitClosed(slow, httpserver.ReadTimeout+2*time.Minute) {
		t.Fatalf("%d of %d slow connections are still open", slow-seen, slow)
	}
	// From the client's last header byte to its read of the close: the
	// server's clock starts a little later, at the accept, and closes half a
	// second after its 400 so the answer is not lost to a reset.
	const margin = 10 * time.Second
	var longest time.Duration
	shed := 0
	for i, rec := range recs {
		held := rec.closed.Sub(rec.opened)
		longest = max(longest, held)
		if !rec.answered {
			shed++
		}
		if held > httpserver.ReadTimeout+margin {
			t.Errorf("slow connection %d was held %s; want it closed within the read timeout of %s", i, held.Round(time.Millisecond), httpserver.ReadTimeout)
		}
	}
	if shed == 0 {
		t.Error("no slow connection was shed; the bound was never reached or the listener waited instead")
	}
	if strings.Contains(b.logs.String(), "too many open files") {
		t.Errorf("the bot ran out of descriptors:\n%s", b.logs.String())
	}
	waitFor(t, "http://"+b.addr+"/healthz", http.StatusOK)
	t.Logf("bound %d under 1024 descriptors; %d slow connections dialled in %s; %d shed, %d closed by the read timeout, the longest held %s (from the start %s); /healthz answered in %s and a signed command in %s, with %d slow connections still open after",
		bound, slow, dialed.Round(time.Millisecond), shed, slow-shed, longest.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		healthz.Round(time.Millisecond), command.Round(time.Millisecond), stillOpen)
}

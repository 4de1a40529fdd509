package httpserver_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/internal/httpserver"
)

// guard bounds every wait on something that should happen at once, so a
// broken listener fails the test instead of hanging it; nothing here needs
// more than milliseconds.
const guard = 10 * time.Second

// pair is one connection as its two ends see it.
type pair struct{ client, server net.Conn }

func listen(t *testing.T, maxConns int) *httpserver.Listener {
	t.Helper()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := httpserver.NewListener(tcp, maxConns)
	t.Cleanup(func() { ln.Close() })
	return ln
}

// connect dials ln and accepts the connection.
func connect(t *testing.T, ln *httpserver.Listener) pair {
	t.Helper()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			t.Errorf("Accept: %v", err)
		}
		accepted <- c
	}()
	select {
	case server := <-accepted:
		return pair{client, server}
	case <-time.After(guard):
		t.Fatal("Accept blocked although the listener should always keep a place free")
		return pair{}
	}
}

// alive checks that both ends still talk.
func alive(t *testing.T, name string, p pair) {
	t.Helper()
	if _, err := p.server.Write([]byte("x")); err != nil {
		t.Fatalf("%s: the server end is closed: %v", name, err)
	}
	p.client.SetReadDeadline(time.Now().Add(guard))
	if _, err := io.ReadFull(p.client, make([]byte, 1)); err != nil {
		t.Fatalf("%s: the client end reads %v", name, err)
	}
}

// shed checks that the server closed the connection: the client reads the
// end of the stream (or a reset), not a timeout.
func shed(t *testing.T, name string, p pair) {
	t.Helper()
	p.client.SetReadDeadline(time.Now().Add(guard))
	_, err := p.client.Read(make([]byte, 1))
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s is still open (read: %v); want it closed by the listener", name, err)
	}
}

func TestListenerShedsOldest(t *testing.T) {
	ln := listen(t, 3)
	first, second := connect(t, ln), connect(t, ln)
	alive(t, "first", first)
	alive(t, "second", second)
	third := connect(t, ln) // takes the last place
	shed(t, "first", first)
	alive(t, "second", second)
	alive(t, "third", third)
	fourth := connect(t, ln)
	shed(t, "second", second)
	alive(t, "third", third)
	alive(t, "fourth", fourth)
}

// TestListenerShedsLongestWaiting: a connection that starts a request or
// goes idle goes last in line, so the one that has waited longest in its
// state (a stalled request) is shed, not the oldest.
func TestListenerShedsLongestWaiting(t *testing.T) {
	hook := httpserver.New(http.NotFoundHandler()).ConnState
	for _, tc := range []struct {
		state    http.ConnState
		wantShed string
	}{
		{http.StateActive, "second"},
		{http.StateIdle, "second"},
		{http.StateNew, "first"}, // accepted already counts from its accept
	} {
		t.Run(tc.state.String(), func(t *testing.T) {
			ln := listen(t, 3)
			conns := map[string]pair{"first": connect(t, ln), "second": connect(t, ln)}
			hook(conns["first"].server, tc.state)
			conns["third"] = connect(t, ln)
			for name, p := range conns {
				if name == tc.wantShed {
					shed(t, name, p)
				} else {
					alive(t, name, p)
				}
			}
		})
	}
}

// TestListenerClosedConnsFreePlaces: a connection the server closes leaves
// the line and gives its place back, once however often it is closed.
func TestListenerClosedConnsFreePlaces(t *testing.T) {
	ln := listen(t, 3)
	for i := range 10 { // with places kept, the third Accept would block
		p := connect(t, ln)
		p.server.Close()
		p.server.Close()
		shed(t, fmt.Sprint("closed connection ", i), p)
	}
	first, second := connect(t, ln), connect(t, ln)
	first.server.Close()
	third := connect(t, ln) // two open: no one is shed
	alive(t, "second", second)
	alive(t, "third", third)
	fourth := connect(t, ln) // the last place: the oldest still open goes
	shed(t, "second", second)
	alive(t, "third", third)
	alive(t, "fourth", fourth)
}

// stall opens a connection that announces a body, sends one byte of it and
// no more, as the stranger in the bug report did. Once the server closes it,
// closed is told whether any answer came first.
func stall(t *testing.T, addr string, closed chan<- bool) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /slow HTTP/1.1\r\nHost: bot\r\nContent-Length: 100000\r\n\r\nx")
	go func() {
		n, _ := io.Copy(io.Discard, c)
		closed <- n > 0
	}()
	return c
}

// TestServerAnswersWhileFull: with more stalled connections than the bound,
// a new request is answered at once, the stalled ones are shed without an
// answer, and once everything is closed no goroutine is left behind.
func TestServerAnswersWhileFull(t *testing.T) {
	before := runtime.NumGoroutine()
	ln := listen(t, 8)
	srv := httpserver.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		w.Write([]byte("ok\n"))
	}))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	const stalled = 20
	closed := make(chan bool, stalled)
	var clients []net.Conn
	for range stalled {
		clients = append(clients, stall(t, ln.Addr().String(), closed))
	}
	// The kernel queues connections in order, so this one is accepted after
	// every stalled one, when the bound is long reached.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: guard}
	resp, err := client.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("a request while the listener is full: %v", err)
	}
	resp.Body.Close()

	// At most 7 stalled connections fit beside the request; the others were
	// shed, which a client sees as a close without an answer. A read
	// timeout would have answered 400, and only after 10 s.
	for i := range stalled - 7 {
		select {
		case answered := <-closed:
			if answered {
				t.Errorf("a stalled connection got an answer; want it shed without one")
			}
		case <-time.After(guard):
			t.Fatalf("%d stalled connections closed; want at least %d shed", i, stalled-7)
		}
	}

	for _, c := range clients {
		c.Close()
	}
	srv.Close()
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	client.CloseIdleConnections()
	deadline := time.Now().Add(guard)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

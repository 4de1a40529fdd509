package httpserver

import (
	"container/list"
	"net"
	"net/http"
	"sync"

	"golang.org/x/net/netutil"
)

// Listener accepts at most a fixed number of connections at once, and when a
// new one takes the last place, closes the connection that has spent longest
// in its current state (waiting for headers, reading a body, idle between
// requests) so that the next one finds a place free.
//
// Blocking alone, as netutil.LimitListener does when full, would leave a
// health check or a signed command waiting in the kernel's queue until a
// stalled connection's ReadTimeout ran out, and a stranger who keeps opening
// stalled connections would keep the bot deaf for as long as they liked.
// Shedding the longest-waiting connection instead costs honest clients
// little: a platform's request arrives in one packet and is answered in
// milliseconds, and to push it to the front of the line a stranger would
// have to open the whole bound's worth of connections within those
// milliseconds; an idle keep-alive connection is simply dialled again.
// LimitListener stays underneath as the hard ceiling on descriptors; since
// shedding keeps a place free, it never has to block.
type Listener struct {
	inner net.Listener // netutil.LimitListener over the socket
	max   int

	mu    sync.Mutex
	conns list.List // of *conn, longest in its current state first
}

// Listen listens on the TCP address addr for at most maxConns connections at
// once; 0 means DefaultMaxConns.
func Listen(addr string, maxConns int) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if maxConns == 0 {
		maxConns = DefaultMaxConns()
	}
	return NewListener(ln, maxConns), nil
}

// NewListener bounds ln to maxConns connections at once; fewer than 2 are
// taken as 2, since shedding needs one place to keep free.
func NewListener(ln net.Listener, maxConns int) *Listener {
	maxConns = max(maxConns, 2)
	return &Listener{inner: netutil.LimitListener(ln, maxConns), max: maxConns}
}

// Accept waits for a connection; when it fills the last place, the one that
// has waited longest is closed before Accept returns.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.inner.Accept()
	if err != nil {
		return nil, err
	}
	tc := &conn{Conn: c, l: l}
	l.mu.Lock()
	tc.at = l.conns.PushBack(tc)
	var oldest *conn
	if l.conns.Len() >= l.max {
		oldest = l.conns.Front().Value.(*conn) // never tc: max is at least 2
	}
	l.mu.Unlock()
	if oldest != nil {
		// Closed here, not left to its goroutine, so that its place in
		// LimitListener is free before the next Accept.
		oldest.Close()
	}
	return tc, nil
}

// Close stops accepting; open connections are the server's to close.
func (l *Listener) Close() error { return l.inner.Close() }

// Addr is the address listened on.
func (l *Listener) Addr() net.Addr { return l.inner.Addr() }

// Max is how many connections may be open at once.
func (l *Listener) Max() int { return l.max }

// touch puts c last in line: it has just begun a request or become idle.
func (l *Listener) touch(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.at != nil {
		l.conns.MoveToBack(c.at)
	}
}

func (l *Listener) forget(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.at != nil {
		l.conns.Remove(c.at)
		c.at = nil
	}
}

// conn is an accepted connection that leaves the line when closed, by the
// server or by shedding, whichever comes first.
//
// LimitListener's connections hide the TCP connection's CloseWrite, so when
// the server closes early after an error answer it cannot half-close first;
// it still waits its half second before closing, which is what keeps the
// answer from being lost.
type conn struct {
	net.Conn
	l  *Listener
	at *list.Element // place in l.conns; nil once closed; guarded by l.mu
}

func (c *conn) Close() error {
	c.l.forget(c)
	return c.Conn.Close()
}

// trackState is the server's ConnState hook: a connection that starts a
// request or goes idle has just shown it is alive, so it goes last in line.
// Connections from another listener are left alone.
func trackState(c net.Conn, s http.ConnState) {
	tc, ok := c.(*conn)
	if !ok {
		return
	}
	switch s {
	case http.StateActive, http.StateIdle:
		tc.l.touch(tc)
	}
}

package httpserver

import (
	"net/http"
	"time"
)

// ReadTimeout is the longest a request may take to arrive, headers and body
// together. A stranger who trickles a body in a byte at a time loses the
// connection after it, signed or not. Slack and Discord send a few kilobytes
// at once, so ten seconds is far more than any of theirs needs.
const ReadTimeout = 10 * time.Second

// New returns the http.Server that serves h: no stage of a connection, from
// the first header byte to the last idle second, can be stretched by the
// client beyond a fixed time. Serve it on a Listener, which bounds how many
// connections are open at once and uses the states New reports to know
// which connection has waited longest.
func New(h http.Handler) *http.Server {
	return &http.Server{
		Handler: h,
		// Headers arrive in one packet from the platforms; slower is a
		// client holding the connection open on purpose.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       ReadTimeout,
		// Counted from the end of the headers, so it bounds the handler too:
		// the platforms give up on an answer after 3 s, and a reader that
		// will not take the response must not hold the connection forever.
		WriteTimeout: 15 * time.Second,
		// An idle keep-alive connection costs a descriptor; a minute covers
		// a platform sending a burst of commands and no more.
		IdleTimeout: 60 * time.Second,
		// The platforms' headers are well under 8 KiB; the default of 1 MiB
		// would let every connection make the server hold a megabyte.
		MaxHeaderBytes: 64 << 10,
		ConnState:      trackState,
	}
}

// Package signed reads requests that chat platforms sign: the body, within a
// size limit, checked before anything else reads it, and the freshness of
// the timestamp that the signature covers. Both doors answer alike: 413 for
// a body too large, 401 for anything unverified.
package signed

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Window is how far a request's timestamp may be from now: the five minutes
// Slack and Discord document, which also bound how long a captured request
// could be replayed.
const Window = 5 * time.Minute

// ErrStale is a timestamp that is missing, unreadable or outside Window.
var ErrStale = errors.New("signed: timestamp outside the 5-minute window")

// Fresh checks a timestamp of Unix seconds against now.
func Fresh(ts string, now time.Time) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrStale
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Window || d < -Window {
		return ErrStale
	}
	return nil
}

// Body reads r's body, at most limit bytes, and checks it with verify. It
// answers the request itself (413 or 401) and returns false when either
// fails; the caller then reads nothing more from it.
func Body(w http.ResponseWriter, r *http.Request, limit int64, verify func(http.Header, []byte) error) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	case err != nil:
		http.Error(w, "could not read the request", http.StatusBadRequest)
		return nil, false
	}
	if err := verify(r.Header, body); err != nil {
		http.Error(w, "request not verified", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

package slackapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// MaxBody bounds what is read of a request before it is verified.
const MaxBody = 256 << 10

// window is how far a request's timestamp may be from now: Slack's five
// minutes, which also bounds how long a captured request can be replayed.
const window = 5 * time.Minute

// Errors of verification; each is answered 401 and changes nothing.
var (
	ErrMissingHeaders = errors.New("slackapp: missing signature headers")
	ErrStale          = errors.New("slackapp: timestamp outside the 5-minute window")
	ErrBadSignature   = errors.New("slackapp: signature does not match")
)

// Verifier checks that a request comes from Slack: the HMAC-SHA256 signature
// of "v0:<timestamp>:<body>" under the signing secret, and a fresh timestamp.
type Verifier struct {
	Secret string
	// Now is the clock; time.Now when nil. Tests set it to check Slack's
	// documented example request.
	Now func() time.Time
}

// Verify checks the signature headers h against the raw body.
func (v Verifier) Verify(h http.Header, body []byte) error {
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return ErrMissingHeaders
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrStale
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if d := now().Sub(time.Unix(sec, 0)); d > window || d < -window {
		return ErrStale
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(v.Secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}

// Sign computes the signature Slack sends for body at timestamp ts.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// readVerified reads the request body, at most MaxBody, and verifies it. It
// answers the request itself (413 or 401) and returns false when it fails.
func (v Verifier) readVerified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	case err != nil:
		http.Error(w, "could not read the request", http.StatusBadRequest)
		return nil, false
	}
	if err := v.Verify(r.Header, body); err != nil {
		http.Error(w, "request not verified", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

package slackapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/incidentbot/incidentbot/internal/signed"
)

// MaxBody bounds what is read of a request before it is verified.
const MaxBody = 256 << 10

// Errors of verification; each is answered 401 and changes nothing.
var (
	ErrMissingHeaders = errors.New("slackapp: missing signature headers")
	ErrStale          = signed.ErrStale
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
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if err := signed.Fresh(ts, now()); err != nil {
		return err
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

// readVerified reads and verifies a request's body, or answers it 413 or 401.
func (v Verifier) readVerified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	return signed.Body(w, r, MaxBody, v.Verify)
}

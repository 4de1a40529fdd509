package discordapp

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/incidentbot/incidentbot/internal/signed"
)

// MaxBody bounds what is read of an interaction before it is verified.
const MaxBody = 256 << 10

// Errors of verification; each is answered 401 and changes nothing.
var (
	ErrMissingHeaders = errors.New("discordapp: missing signature headers")
	// ErrStale: discordgo checks only the signature; the window is what stops
	// a captured request from being replayed later.
	ErrStale        = signed.ErrStale
	ErrBadSignature = errors.New("discordapp: signature does not match")
)

// Verifier checks that an HTTP interaction comes from Discord: the Ed25519
// signature of timestamp+body under the application's public key, and a
// fresh timestamp.
type Verifier struct {
	Key ed25519.PublicKey // must be ed25519.PublicKeySize bytes; config checks it
	Now func() time.Time  // time.Now when nil
}

// Verify checks the signature headers h against the raw body.
func (v Verifier) Verify(h http.Header, body []byte) error {
	ts, sigHex := h.Get("X-Signature-Timestamp"), h.Get("X-Signature-Ed25519")
	if ts == "" || sigHex == "" {
		return ErrMissingHeaders
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if err := signed.Fresh(ts, now()); err != nil {
		return err
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize || len(v.Key) != ed25519.PublicKeySize {
		return ErrBadSignature
	}
	if !ed25519.Verify(v.Key, append([]byte(ts), body...), sig) {
		return ErrBadSignature
	}
	return nil
}

// readVerified reads and verifies a request's body, or answers it 413 or 401.
func (v Verifier) readVerified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	return signed.Body(w, r, MaxBody, v.Verify)
}

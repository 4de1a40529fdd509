package discordapp

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// MaxBody bounds what is read of an interaction before it is verified.
const MaxBody = 256 << 10

// window is how old an interaction's timestamp may be. Discord's library
// checks only the signature; the window is what stops a captured request
// from being replayed later.
const window = 5 * time.Minute

// Errors of verification; each is answered 401 and changes nothing.
var (
	ErrMissingHeaders = errors.New("discordapp: missing signature headers")
	ErrStale          = errors.New("discordapp: timestamp outside the 5-minute window")
	ErrBadSignature   = errors.New("discordapp: signature does not match")
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
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize || len(v.Key) != ed25519.PublicKeySize {
		return ErrBadSignature
	}
	if !ed25519.Verify(v.Key, append([]byte(ts), body...), sig) {
		return ErrBadSignature
	}
	return nil
}

// readVerified reads the body, at most MaxBody, and verifies it. It answers
// the request itself (413 or 401) and returns false when it fails.
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
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

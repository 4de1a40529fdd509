package slackapp_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/internal/slackapp"
)

// Slack's documented example request ("Verifying requests from Slack").
const (
	docSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	docTS     = "1531420618"
	docBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestVerifySlackExample(t *testing.T) {
	at := time.Unix(1531420618, 0)
	headers := func(sig, ts string) http.Header {
		h := http.Header{}
		if sig != "" {
			h.Set("X-Slack-Signature", sig)
		}
		if ts != "" {
			h.Set("X-Slack-Request-Timestamp", ts)
		}
		return h
	}
	for _, tc := range []struct {
		name   string
		secret string
		h      http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"OK", docSecret, headers(docSig, docTS), docBody, at.Add(time.Minute), nil},
		{"OKJustInsideWindow", docSecret, headers(docSig, docTS), docBody, at.Add(5 * time.Minute), nil},
		{"ErrStale", docSecret, headers(docSig, docTS), docBody, at.Add(5*time.Minute + time.Second), slackapp.ErrStale},
		{"ErrFromTheFuture", docSecret, headers(docSig, docTS), docBody, at.Add(-6 * time.Minute), slackapp.ErrStale},
		{"ErrWrongSecret", "another-secret", headers(docSig, docTS), docBody, at, slackapp.ErrBadSignature},
		{"ErrBodyChanged", docSecret, headers(docSig, docTS), docBody + "&text=resolved", at, slackapp.ErrBadSignature},
		{"ErrTimestampChanged", docSecret, headers(docSig, "1531420619"), docBody, at, slackapp.ErrBadSignature},
		{"ErrNoSignature", docSecret, headers("", docTS), docBody, at, slackapp.ErrMissingHeaders},
		{"ErrNoTimestamp", docSecret, headers(docSig, ""), docBody, at, slackapp.ErrMissingHeaders},
		{"ErrTimestampNotANumber", docSecret, headers(docSig, "soon"), docBody, at, slackapp.ErrStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := slackapp.Verifier{Secret: tc.secret, Now: func() time.Time { return tc.now }}
			if err := v.Verify(tc.h, []byte(tc.body)); !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	if got := slackapp.Sign(docSecret, docTS, []byte(docBody)); got != docSig {
		t.Errorf("Sign = %s, want Slack's %s", got, docSig)
	}
}

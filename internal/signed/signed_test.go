package signed_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/internal/signed"
)

func TestFresh(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for _, tc := range []struct {
		ts   string
		want error
	}{
		{"1700000000", nil},
		{"1699999700", nil},             // five minutes ago
		{"1699999699", signed.ErrStale}, // a second more
		{"1700000301", signed.ErrStale}, // from the future
		{"", signed.ErrStale},
		{"17e8", signed.ErrStale},
	} {
		if err := signed.Fresh(tc.ts, now); !errors.Is(err, tc.want) {
			t.Errorf("Fresh(%q) = %v, want %v", tc.ts, err, tc.want)
		}
	}
}

func TestBody(t *testing.T) {
	refuse := errors.New("no")
	for _, tc := range []struct {
		name   string
		body   string
		verify error
		want   int
		read   bool
	}{
		{"OK", "payload", nil, http.StatusOK, true},
		{"Unverified", "payload", refuse, http.StatusUnauthorized, false},
		{"TooLarge", strings.Repeat("x", 65), nil, http.StatusRequestEntityTooLarge, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, ok := signed.Body(w, r, 64, func(_ http.Header, b []byte) error { seen = string(b); return tc.verify })
				if ok != tc.read {
					t.Errorf("read = %v, want %v", ok, tc.read)
				}
				if ok {
					w.Write(body)
				}
			})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(tc.body)))
			if rec.Code != tc.want {
				t.Errorf("HTTP %d, want %d", rec.Code, tc.want)
			}
			if tc.want == http.StatusRequestEntityTooLarge && seen != "" {
				t.Error("an oversized body reached the verifier")
			}
		})
	}
}

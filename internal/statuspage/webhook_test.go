package statuspage_test

import (
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
	"github.com/incidentbot/incidentbot/internal/statuspage"
)

const secret = "a-secret-of-the-receiver"

// receiver is a webhook endpoint that verifies each payload's signature
// and keeps what it was told.
type receiver struct {
	mu       sync.Mutex
	statuses []string // the newest update's status of each payload
	keys     map[string]int
	bad      []string
	fail     int // answer 503 to this many first calls
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.fail > 0 {
		rc.fail--
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	sig := r.Header.Get(statuspage.SignatureHeader)
	ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
	tsTime := seedNow // the test's clock signs every payload
	if want := statuspage.Sign(secret, tsTime, body); !hmac.Equal([]byte(sig), []byte(want)) || ts == "" {
		rc.bad = append(rc.bad, "signature "+sig)
	}
	var p struct {
		Page     struct{ ID, StatusIndicator string } `json:"page"`
		Incident struct {
			Status          string `json:"status"`
			IncidentUpdates []struct {
				Status string `json:"status"`
			} `json:"incident_updates"`
		} `json:"incident"`
	}
	if err := json.Unmarshal(body, &p); err != nil || len(p.Incident.IncidentUpdates) == 0 {
		rc.bad = append(rc.bad, "payload "+string(body))
		return
	}
	rc.statuses = append(rc.statuses, p.Incident.IncidentUpdates[0].Status)
	rc.keys[r.Header.Get(statuspage.DeliveryHeader)]++
}

// TestWebhooks replays the seed with a webhook configured: the receiver
// gets every public update once, in order, signed, through the outbox's
// retries when it is down at first.
func TestWebhooks(t *testing.T) {
	rc := &receiver{keys: map[string]int{}, fail: 1}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	st := redistest.Open(t, "")
	h := statuspage.New(statuspage.Options{Source: st, Org: "Customer.io", Clock: bottest.NewClock(seedNow)})
	replaySeed(t, st, []string{srv.URL + "/hook"}, h.Webhooks(secret, srv.Client()))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	want := []string{"investigating", "investigating", "identified", "identified", "identified", "identified", "identified", "identified", "identified", "monitoring", "resolved", "resolved"}
	if diff := cmp.Diff(want, rc.statuses); diff != "" {
		t.Errorf("updates received (-want +got):\n%s", diff)
	}
	if len(rc.keys) != len(want) {
		t.Errorf("%d distinct deliveries, want %d: %v", len(rc.keys), len(want), rc.keys)
	}
	if len(rc.bad) > 0 {
		t.Errorf("refused: %q", rc.bad)
	}
}

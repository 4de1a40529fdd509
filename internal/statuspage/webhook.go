package statuspage

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// SignatureHeader carries a webhook's signature: "t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>" under the shared secret>". The time inside
// the signed text lets a receiver refuse old payloads replayed to it.
const SignatureHeader = "X-Incidentbot-Signature"

// DeliveryHeader names the update a webhook is about, the same on every
// retry, so a receiver can tell a repeat after a lost answer.
const DeliveryHeader = "X-Incidentbot-Delivery"

// Sign is the signature header's value of body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// webhookPayload is Statuspage's webhook body for an incident update.
type webhookPayload struct {
	Meta struct {
		Unsubscribe   string `json:"unsubscribe"`
		Documentation string `json:"documentation"`
	} `json:"meta"`
	Page struct {
		ID                string        `json:"id"`
		StatusIndicator   bot.Indicator `json:"status_indicator"`
		StatusDescription string        `json:"status_description"`
	} `json:"page"`
	Incident apiIncident `json:"incident"`
}

// Webhooks is the bot.Poster of webhook lanes: it posts Statuspage's
// payload of the update a job carries, signed, to the job's URL.
type Webhooks struct {
	h      *Handler
	secret string
	client *http.Client
}

// Webhooks returns the poster of webhooks signed with secret.
func (h *Handler) Webhooks(secret string, client *http.Client) *Webhooks {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Webhooks{h: h, secret: secret, client: client}
}

// Post delivers one update. An incident the page no longer shows (made
// private, or its impact set to none) is not told of: that is done, not
// failed.
func (wh *Webhooks) Post(ctx context.Context, p bot.Post) (string, error) {
	e := p.Message.Entry
	if e == nil {
		return "", bot.PermanentError{Err: errors.New("statuspage: a webhook job without its update")}
	}
	body, ok, err := wh.payload(ctx, p.Workspace, p.Message.Card.Number, e.Seq)
	if err != nil || !ok {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Channel, bytes.NewReader(body))
	if err != nil {
		return "", bot.PermanentError{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "incidentbot")
	req.Header.Set(SignatureHeader, Sign(wh.secret, wh.h.opt.Clock.Now(), body))
	req.Header.Set(DeliveryHeader, p.Key)
	res, err := wh.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("statuspage: webhook: %w", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
		return "", nil
	case code == http.StatusTooManyRequests:
		after, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		return "", &bot.RetryAfterError{After: time.Duration(max(after, 1)) * time.Second, Err: fmt.Errorf("webhook receiver answered %d", code)}
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout:
		return "", bot.PermanentError{Err: fmt.Errorf("webhook receiver answered %d", code)}
	default:
		return "", fmt.Errorf("statuspage: webhook receiver answered %d", code)
	}
}

// payload renders the update seq of an incident as the page shows it,
// with the updates up to it, reading the store again when the snapshot is
// older than the update.
func (wh *Webhooks) payload(ctx context.Context, ws bot.Workspace, number, seq int) ([]byte, bool, error) {
	id := bot.IncidentID(ws, number)
	for fresh := false; ; fresh = true {
		snap, err := wh.h.cache.fetch(ctx, "", fresh)
		if err != nil {
			return nil, false, err
		}
		inc, found := snap.page.Find(id)
		if found && (hasUpdate(inc, seq) || fresh) {
			return wh.render(snap, inc, seq)
		}
		if fresh {
			return nil, false, nil
		}
	}
}

func hasUpdate(inc bot.PublicIncident, seq int) bool {
	n := len(inc.Updates)
	return (n > 0 && inc.Updates[n-1].Seq >= seq) || (inc.Postmortem != nil && inc.Postmortem.Seq >= seq)
}

func (wh *Webhooks) render(snap *snapshot, inc bot.PublicIncident, seq int) ([]byte, bool, error) {
	var kept []bot.Entry
	for _, u := range inc.Updates {
		if u.Seq <= seq {
			kept = append(kept, u)
		}
	}
	if len(kept) == 0 {
		return nil, false, nil
	}
	inc.Updates = kept
	if inc.Postmortem != nil && inc.Postmortem.Seq > seq {
		inc.Postmortem = nil
	}
	var p webhookPayload
	a := wh.h.cache.api(snap.page, snap.url)
	p.Page.ID, p.Page.StatusIndicator, p.Page.StatusDescription = snap.page.ID, snap.page.Indicator, snap.page.Indicator.Description()
	p.Incident = a.incident(inc)
	if last := kept[len(kept)-1]; inc.Postmortem == nil {
		p.Incident.Status = last.Status // as it stood at this update
	}
	p.Meta.Documentation = snap.url + "api/v2/summary.json"
	p.Meta.Unsubscribe = snap.url
	body, err := json.Marshal(p)
	return body, err == nil, err
}

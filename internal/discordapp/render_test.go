package discordapp

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

func golden(t *testing.T, name string, v any) {
	t.Helper()
	bottest.Golden(t, name, bottest.JSON(t, v))
}

var card = bot.Card{
	Ref: "INC-12", Number: 12, Title: "Checkout fails for EU customers", Status: fsm.Identified, Impact: bot.ImpactMajor,
	Components: []string{"Payments", "API"}, Roles: map[bot.Role]string{bot.Commander: "100000000000000555"},
	Duration: 69 * time.Minute, Next: fsm.Allowed(fsm.Identified),
}

func entry(msg string) bot.Message {
	e := bot.Entry{Seq: 3, Kind: bot.KindUpdate, Status: fsm.Identified, At: time.Date(2025, 10, 30, 18, 34, 0, 0, time.UTC), Message: msg}
	return bot.Message{Kind: bot.MessageEntry, Card: card, Entry: &e, When: "Oct 30, 2025, 06:34 PM UTC", Moved: true}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         bot.Message
		inChannel bool
	}{
		{"entry-thread.json", entry("A bad deploy of the payment service."), true},
		{"entry-broadcast.json", entry("A bad deploy of the payment service."), false},
		{"summary.json", bot.Message{Kind: bot.MessageSummary, Card: card}, false},
		{"notice-assign.json", bot.Message{Kind: bot.MessageNotice, Card: card, Text: card.Heading() + "\n@100000000000000666 is now scribe.", Mention: "100000000000000666"}, true},
		{"draft.json", bot.Message{Kind: bot.MessageDraft, Card: card, Text: "# Postmortem: INC-12 Checkout fails\n\n## Root Cause\n"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) { golden(t, tc.name, render(tc.m, tc.inChannel)) })
	}
	golden(t, "modal-update.json", modal(bot.UpdateForm(card, fsm.Resolved)))
	golden(t, "modal-declare.json", modal(bot.DeclareForm()))
}

// TestLongPostmortemSplits: a 12,000-character postmortem goes out in
// messages Discord accepts, nothing cut.
func TestLongPostmortemSplits(t *testing.T) {
	body := strings.Repeat("A sentence of the postmortem. ", 400)
	m := render(entry(body), true)
	var total strings.Builder
	for _, e := range m.Embeds {
		if n := len([]rune(e.Description)); n > 4096 {
			t.Errorf("an embed of %d characters", n)
		}
		total.WriteString(e.Description)
	}
	if !strings.HasSuffix(total.String(), body) {
		t.Error("the split lost text")
	}
}

func TestVerifierNeverPanics(t *testing.T) {
	h := http.Header{}
	h.Set("X-Signature-Timestamp", "1700000000")
	h.Set("X-Signature-Ed25519", strings.Repeat("ab", 64))
	v := Verifier{Key: ed25519.PublicKey([]byte("short")), Now: func() time.Time { return time.Unix(1700000000, 0) }}
	if err := v.Verify(h, []byte("{}")); err != ErrBadSignature {
		t.Errorf("a key of the wrong length: %v, want ErrBadSignature", err)
	}
}

package discordapp_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

func TestDeclareAndIdentifyOverHTTP(t *testing.T) {
	r := newRig(t)
	code, pong := r.post(&discordgo.Interaction{Type: discordgo.InteractionPing})
	if code != http.StatusOK || pong.Type != discordgo.InteractionResponsePong {
		t.Fatalf("PING answered %d %+v, want PONG", code, pong)
	}
	if got := r.command("declare", map[string]any{"title": "Checkout fails", "impact": "major"}); !strings.HasPrefix(got, "Declared INC-1: Checkout fails") {
		t.Fatalf("declare answered %q", got)
	}
	r.settle()
	th := r.thread()
	if !strings.HasPrefix(th.Name, "INC-1 Checkout fails") || !slices.Contains(th.Members, "100000000000000777") {
		t.Errorf("thread %+v: want it named for the incident, with the declarer in it", th)
	}
	roots := r.fake.Messages(broadcast)
	if len(roots) != 1 || roots[0].Embeds[0].Color != 0xE01E5A {
		t.Fatalf("broadcast channel: %+v, want one red embed", roots)
	}
	if got := r.command("identified", map[string]any{"message": "A bad deploy"}); got != "INC-1 is now identified (was investigating)." {
		// Typed in the origin channel: the only open incident.
		t.Errorf("identified answered %q", got)
	}
	r.settle()
	if posts := r.fake.Messages(th.ID); len(posts) != 2 || !strings.Contains(posts[1].Embeds[0].Description, "A bad deploy") {
		t.Errorf("thread posts: %+v", posts)
	}
	root := r.fake.Messages(broadcast)[0]
	if root.Edits != 1 || !strings.Contains(root.Embeds[0].Title, "Identified") {
		t.Errorf("root edited %d times, titled %q", root.Edits, root.Embeds[0].Title)
	}
	if replies := r.fake.Messages(root.ID); len(replies) != 2 {
		t.Errorf("thread under the root holds %d replies, want 2", len(replies))
	}
	for _, m := range append(r.fake.Messages(th.ID), r.fake.Messages(root.ID)...) {
		if m.AllowedMentions == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Errorf("message %s sent with allowed_mentions %+v; Discord would parse mentions", m.ID, m.AllowedMentions)
		}
		if m.Nonce == "" || !m.EnforceNonce {
			t.Errorf("message %s sent without an enforced nonce", m.ID)
		}
	}
}

func TestEveryoneInAnUpdatePingsNoOne(t *testing.T) {
	r := newRig(t)
	r.command("declare", map[string]any{"title": "Logins fail"})
	r.command("update", map[string]any{"message": "@everyone <@&200000000000000010> look"})
	r.settle()
	posts := r.fake.Messages(r.thread().ID)
	last := posts[len(posts)-1]
	if !strings.Contains(last.Embeds[0].Description, "@everyone") {
		t.Fatalf("the update did not arrive: %+v", last)
	}
	if last.AllowedMentions == nil || len(last.AllowedMentions.Parse) != 0 || len(last.AllowedMentions.Roles) != 0 {
		t.Errorf("allowed_mentions %+v: @everyone would ping", last.AllowedMentions)
	}
}

func TestRateLimitedPostDeliveredOnce(t *testing.T) {
	r := newRig(t)
	r.fake.FailNext("POST /channels/{id}/messages", 1, http.StatusTooManyRequests, 500*time.Millisecond)
	start := time.Now()
	r.command("declare", map[string]any{"title": "Slow down"})
	r.settle()
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("delivered after %s, before Discord's retry-after", waited)
	}
	all := append(r.fake.Messages(r.thread().ID), r.fake.Messages(broadcast)...)
	root := r.fake.Messages(broadcast)[0]
	all = append(all, r.fake.Messages(root.ID)...)
	if len(all) != 3 {
		t.Errorf("%d messages, want 3 (thread entry, root, reply), each once", len(all))
	}
}

func TestRefusedInteractions(t *testing.T) {
	r := newRig(t)
	body := []byte(`{"type":1}`)
	for _, tc := range []struct {
		name string
		ts   string
		sign func(ts string) string
		body []byte
		want int
	}{
		{"BadSignature", now(), func(string) string { return strings.Repeat("00", 64) }, body, http.StatusUnauthorized},
		{"WrongKey", now(), func(ts string) string { _, other := chattest.NewDiscordKey(t); return other(ts, body) }, body, http.StatusUnauthorized},
		{"Stale", ago(6 * time.Minute), func(ts string) string { return r.sign(ts, body) }, body, http.StatusUnauthorized},
		{"MissingHeaders", "", func(string) string { return "" }, body, http.StatusUnauthorized},
		{"Oversized", now(), func(ts string) string { return r.sign(ts, body) }, append(body, make([]byte, 300<<10)...), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", r.srv.URL, strings.NewReader(string(tc.body)))
			if tc.ts != "" {
				req.Header.Set("X-Signature-Timestamp", tc.ts)
				req.Header.Set("X-Signature-Ed25519", tc.sign(tc.ts))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("HTTP %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

// TestSnoozeButton: the button on a reminder snoozes the incident's
// reminders and answers whoever pressed it.
func TestSnoozeButton(t *testing.T) {
	r := newRig(t)
	r.command("declare", map[string]any{"title": "Voice is down"})
	r.settle()
	i := chattest.SlashInteraction("declare", nil, "100000000000000777")
	i.Type, i.ChannelID = discordgo.InteractionMessageComponent, r.thread().ID
	i.Data = discordgo.MessageComponentInteractionData{CustomID: "snooze:1", ComponentType: discordgo.ButtonComponent}
	_, resp := r.post(i)
	if resp.Data == nil || !strings.Contains(resp.Data.Content, "INC-1's reminders are snoozed until") {
		t.Fatalf("the snooze button answered %+v", resp.Data)
	}
}

// TestFollowUpDoneButton: the button on a follow-up marks it done and says so.
func TestFollowUpDoneButton(t *testing.T) {
	r := newRig(t)
	r.command("declare", map[string]any{"title": "Voice is down"})
	r.command("followup", map[string]any{"action": "add", "text": "Add a fallback region"})
	r.settle()
	i := chattest.SlashInteraction("declare", nil, "100000000000000777")
	i.Type, i.ChannelID = discordgo.InteractionMessageComponent, r.thread().ID
	i.Data = discordgo.MessageComponentInteractionData{CustomID: "followup:1:1", ComponentType: discordgo.ButtonComponent}
	_, resp := r.post(i)
	if resp.Data == nil || resp.Data.Content != "Follow-up 1 of INC-1 is done: Add a fallback region" {
		t.Fatalf("the done button answered %+v", resp.Data)
	}
}

// TestReminderMentionsCommsLead: a quiet incident's reminder reaches Discord
// with its comms lead in the content, allowed to be pinged, and no one else.
func TestReminderMentionsCommsLead(t *testing.T) {
	r := startRig(t, map[bot.Impact]time.Duration{bot.ImpactNone: time.Second})
	r.command("declare", map[string]any{"title": "Voice is down"})
	if got := r.command("assign", map[string]any{"role": "comms", "user": "<@100000000000000888>"}); !strings.Contains(got, "is now comms") {
		t.Fatalf("assign answered %q", got)
	}
	r.settle()
	thread := r.thread().ID
	var reminder *chattest.DiscordMessage
	bottest.Eventually(t, 20*time.Second, "a reminder in the incident thread", func() bool {
		for _, m := range r.fake.Messages(thread) {
			if strings.Contains(m.Content, "stakeholders are waiting") && reminder == nil {
				reminder = &m
			}
		}
		return reminder != nil
	})
	if reminder.Content != "<@100000000000000888> stakeholders are waiting for an update on INC-1." || !slices.Equal(reminder.AllowedMentions.Users, []string{"100000000000000888"}) {
		t.Errorf("the reminder reads %q, pinging %v", reminder.Content, reminder.AllowedMentions.Users)
	}
}

// TestShowOfTenThousandUpdates: on Discord, /incident show of a
// 10,000-update incident answers with the first update, the count left out
// and the newest, in embeds only the asker sees; then a follow-up, also the
// asker's alone, attaches the whole report.
func TestShowOfTenThousandUpdates(t *testing.T) {
	clock := bottest.NewClock(time.Date(2025, 10, 30, 17, 0, 0, 0, time.UTC))
	r := startRigOf(t, rigSettings{clock: clock})
	bottest.LongIncident(t, r.svc, clock, workspace, chattest.DiscordChannelID, 10000)
	i := r.fake.RegisterInteraction(chattest.SlashInteraction("show", map[string]any{"incident": "INC-1"}, "100000000000000777"))
	code, answer := r.post(i)
	if code != http.StatusOK || answer.Data == nil || answer.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Fatalf("HTTP %d, %+v; want an answer only the asker sees", code, answer)
	}
	var shown strings.Builder
	for _, e := range answer.Data.Embeds {
		shown.WriteString(e.Description)
	}
	raw, _ := json.MarshalIndent(answer.Data, "", "  ")
	bottest.Golden(t, "show-ten-thousand.json", raw)
	if !strings.HasSuffix(shown.String(), "Step 9999 of a long night") || !strings.Contains(shown.String(), "(9926 earlier updates are left out here;") {
		t.Errorf("the answer hides the newest update or miscounts those left out:\n%s", shown.String())
	}
	var files []chattest.DiscordFile
	bottest.Eventually(t, 30*time.Second, "the whole report attached for the asker", func() bool {
		for _, resp := range r.fake.InteractionResponses() {
			if resp.InteractionID == i.ID && len(resp.Files) > 0 {
				if resp.Flags&discordgo.MessageFlagsEphemeral == 0 {
					t.Error("the whole report is shown to everyone")
				}
				files = resp.Files
			}
		}
		return files != nil
	})
	if len(files) != 1 {
		t.Fatalf("files attached: %d, want the whole report", len(files))
	}
	if f := files[0]; f.Name != "INC-1-report.txt" || strings.Count(f.Content, " of a long night") != 10000 {
		t.Errorf("whole report %q holds %d of 10000 updates", f.Name, strings.Count(f.Content, " of a long night"))
	}
}

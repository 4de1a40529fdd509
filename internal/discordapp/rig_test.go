package discordapp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/discordapp"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

const broadcast = "300000000000000099"

var workspace = bot.Workspace{Platform: bot.Discord, ID: chattest.DiscordGuildID}

// rig is the Discord door on the embedded Redis, talking to the fake
// Discord, with the delivery loop running.
type rig struct {
	t     *testing.T
	fake  *chattest.Discord
	store *redisstore.Store
	svc   *bot.Service
	app   *discordapp.App
	srv   *httptest.Server
	pub   ed25519.PublicKey
	sign  func(ts string, body []byte) string
	n     int
}

// newRig starts the door; an optional timeout bounds each call to Discord.
func newRig(t *testing.T, timeout ...time.Duration) *rig { return startRig(t, nil, timeout...) }

// startRig is newRig with reminders after cadence running.
func startRig(t *testing.T, cadence map[bot.Impact]time.Duration, timeout ...time.Duration) *rig {
	set := rigSettings{deliver: true, cadence: cadence}
	if len(timeout) > 0 {
		set.timeout = timeout[0]
	}
	return startRigOf(t, set)
}

// rigSettings vary a rig: with delivery running or not, reminders after
// cadence, a bound on each call to Discord, the service's clock.
type rigSettings struct {
	deliver bool
	cadence map[bot.Impact]time.Duration
	timeout time.Duration
	clock   bot.Clock
}

func startRigOf(t *testing.T, set rigSettings) *rig {
	t.Helper()
	cadence := set.cadence
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := redistest.Open(t, "")
	fake := chattest.NewDiscord(t)
	s, err := discordapp.NewSession(chattest.DiscordToken, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	postTimeout := 10 * time.Second
	if set.timeout > 0 {
		postTimeout = set.timeout
		s.Client.Timeout = postTimeout
	}
	pub, sign := chattest.NewDiscordKey(t)
	svc := bot.NewService(bot.Options{Store: st, Org: "Acme", Broadcast: map[bot.Platform]string{bot.Discord: broadcast}, Cadence: cadence, Clock: set.clock})
	app := discordapp.New(discordapp.Options{Service: svc, Session: s, Verifier: discordapp.Verifier{Key: pub}, Broadcast: broadcast})
	d := bot.NewDelivery(bot.DeliveryOptions{
		Outbox: st, Posters: map[bot.Platform]bot.Poster{bot.Discord: app.Poster()},
		Sweep: 10 * time.Millisecond, BaseDelay: 20 * time.Millisecond, PostTimeout: postTimeout,
	})
	if set.deliver {
		go d.Run(ctx)
		go svc.RunReminders(ctx)
	}
	srv := httptest.NewServer(app.Interactions())
	t.Cleanup(srv.Close)
	return &rig{t: t, fake: fake, store: st, svc: svc, app: app, srv: srv, pub: pub, sign: sign}
}

// post sends an interaction signed as Discord signs it and returns the HTTP
// status and the decoded answer.
func (r *rig) post(i *discordgo.Interaction) (int, discordgo.InteractionResponse) {
	r.t.Helper()
	if i.ID == "" {
		r.n++
		i.ID, i.Token = strconv.Itoa(500000000000000000+r.n), "token-"+strconv.Itoa(r.n)
	}
	body, err := chattest.EncodeInteraction(i)
	if err != nil {
		r.t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest("POST", r.srv.URL, bytes.NewReader(body))
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", r.sign(ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer discordgo.InteractionResponse
	json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer
}

// command runs /incident <sub> with options over HTTP and returns the text
// of the ephemeral answer.
func (r *rig) command(sub string, opts map[string]any) string {
	r.t.Helper()
	code, answer := r.post(chattest.SlashInteraction(sub, opts, "100000000000000777"))
	if code != http.StatusOK || answer.Data == nil {
		r.t.Fatalf("%s %v: HTTP %d, %+v", sub, opts, code, answer)
	}
	if answer.Type == discordgo.InteractionResponseChannelMessageWithSource && answer.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		r.t.Errorf("%s answered for everyone to see", sub)
	}
	return answer.Data.Content
}

func (r *rig) settle() {
	r.t.Helper()
	bottest.WaitDelivered(r.t, r.store, workspace)
}

// thread is the one incident thread the bot opened.
func (r *rig) thread() chattest.DiscordChannel {
	r.t.Helper()
	var threads []chattest.DiscordChannel
	for _, c := range r.fake.Channels() {
		if c.Thread && c.ParentID == chattest.DiscordChannelID {
			threads = append(threads, c)
		}
	}
	if len(threads) != 1 {
		r.t.Fatalf("incident threads: %+v, want one", r.fake.Channels())
	}
	return threads[0]
}

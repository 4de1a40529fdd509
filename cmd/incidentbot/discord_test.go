package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

const discordBroadcast = "300000000000000099"

// discordRun is the real run() serving Discord against the fake, over HTTP
// interactions when sign is set, else over the gateway.
type discordRun struct {
	t    *testing.T
	fake *chattest.Discord
	addr string
	sign func(ts string, body []byte) string
	n    int
}

func startDiscord(t *testing.T, org string, overHTTP bool, db int) *discordRun {
	t.Helper()
	redisURL := redisFor(t, db)
	d := &discordRun{t: t, fake: chattest.NewDiscord(t), addr: freeAddr(t)}
	vars := map[string]string{
		"INCIDENTBOT_ADDR": d.addr, "INCIDENTBOT_ORG": org, "REDIS_URL": redisURL,
		"DISCORD_BOT_TOKEN": chattest.DiscordToken, "DISCORD_APP_ID": chattest.DiscordAppID,
		"DISCORD_BROADCAST_CHANNEL": discordBroadcast, "DISCORD_API_URL": d.fake.URL(),
	}
	if overHTTP {
		pub, sign := chattest.NewDiscordKey(t)
		vars["DISCORD_PUBLIC_KEY"], d.sign = hex.EncodeToString(pub), sign
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"incidentbot", "serve"}, env(vars), strings.NewReader(""), io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	waitFor(t, "http://"+d.addr+"/readyz", http.StatusOK)
	if !overHTTP {
		wait, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		if err := d.fake.GatewayConnected(wait); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// guild is a guild of the test's own, so runs on a shared Redis never meet.
func guild() string {
	b := make([]byte, 8)
	rand.Read(b)
	n := uint64(0)
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return strconv.FormatUint(n%900000000000000000+100000000000000000, 10)
}

// interact posts a signed interaction and returns the answer's text.
func (d *discordRun) interact(i *discordgo.Interaction) string {
	d.t.Helper()
	d.n++
	i.ID, i.Token = strconv.Itoa(600000000000000000+d.n), "token-"+strconv.Itoa(d.n)
	body, err := chattest.EncodeInteraction(i)
	if err != nil {
		d.t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest("POST", "http://"+d.addr+"/discord/interactions", bytes.NewReader(body))
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", d.sign(ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer discordgo.InteractionResponse
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK || answer.Data == nil {
		d.t.Fatalf("HTTP %d, %v", resp.StatusCode, err)
	}
	var b strings.Builder
	b.WriteString(answer.Data.Content)
	for _, e := range answer.Data.Embeds {
		b.WriteString(e.Description)
	}
	return b.String()
}

// slash is /incident <sub> typed in channel of guild g.
func slash(g, channel, sub string, opts map[string]any) *discordgo.Interaction {
	i := chattest.SlashInteraction(sub, opts, "100000000000000777")
	i.GuildID, i.ChannelID = g, channel
	return i
}

// threadOf waits for the one thread opened in channel and returns its ID.
func (d *discordRun) threadOf(channel string) string {
	d.t.Helper()
	var id string
	bottest.Eventually(d.t, 10*time.Second, "the incident thread", func() bool {
		for _, c := range d.fake.Channels() {
			if c.Thread && c.ParentID == channel {
				id = c.ID
				return true
			}
		}
		return false
	})
	return id
}

func TestDiscordOverHTTPEndToEnd(t *testing.T) {
	d := startDiscord(t, "Acme", true, 3)
	g, origin := guild(), "300000000000000010"
	if got := d.interact(slash(g, origin, "declare", map[string]any{"title": "Checkout fails", "impact": "major"})); !strings.HasPrefix(got, "Declared INC-1: Checkout fails") {
		t.Fatalf("declare answered %q", got)
	}
	thread := d.threadOf(origin)
	bottest.Eventually(t, 10*time.Second, "the broadcast embed and the first post", func() bool {
		return len(d.fake.Messages(discordBroadcast)) == 1 && len(d.fake.Messages(thread)) == 1
	})
	root := d.fake.Messages(discordBroadcast)[0]
	if got := d.interact(slash(g, thread, "identified", map[string]any{"message": "A bad deploy"})); got != "INC-1 is now identified (was investigating)." {
		t.Errorf("identified answered %q", got)
	}
	bottest.Eventually(t, 10*time.Second, "the update in the thread, under the root, and the root edited", func() bool {
		return len(d.fake.Messages(thread)) == 2 && len(d.fake.Messages(root.ID)) == 2 && d.fake.Messages(discordBroadcast)[0].Edits == 1
	})
	time.Sleep(200 * time.Millisecond) // nothing more may arrive
	seen := len(d.fake.Messages(thread)) + len(d.fake.Messages(discordBroadcast)) + len(d.fake.Messages(root.ID))
	if dups := d.fake.Duplicates(); seen != 5 || dups != nil {
		t.Errorf("%d messages, duplicates %q; want each of the 5 once", seen, dups)
	}
}

func TestDiscordOverGatewayEndToEnd(t *testing.T) {
	d := startDiscord(t, "Acme", false, 4)
	origin := "300000000000000011"
	i := slash(chattest.DiscordGuildID, origin, "declare", map[string]any{"title": "Over the gateway"})
	if err := d.fake.SendInteraction(context.Background(), i); err != nil {
		t.Fatal(err)
	}
	thread := d.threadOf(origin)
	bottest.Eventually(t, 10*time.Second, "the answer, the broadcast embed and the first post", func() bool {
		r := d.fake.InteractionResponses()
		return len(r) == 1 && strings.HasPrefix(r[0].Content, "Declared INC-") && len(d.fake.Messages(discordBroadcast)) == 1 && len(d.fake.Messages(thread)) == 1
	})
}

// TestDiscordReplaysSeedLikeTheConsole: the seed's commands, sent as Discord
// interactions with typed options, end in the very report the console prints.
func TestDiscordReplaysSeedLikeTheConsole(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed-replay.txt")
	if err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	if err := run(context.Background(), []string{"incidentbot", "console"}, env(map[string]string{"INCIDENTBOT_ORG": "Customer.io"}),
		bytes.NewReader(seed), &console, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := lastReport(t, console.String())

	d := startDiscord(t, "Customer.io", true, 5)
	g, channel := guild(), "300000000000000012"
	var got string
	lines := bufio.NewScanner(bytes.NewReader(seed))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		cmd, err := bot.Parse(lines.Text(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		got = d.interact(slash(g, channel, string(cmd.Name), optionsOf(cmd)))
		if cmd.Name == bot.CmdDeclare {
			channel = d.threadOf(channel) // responders carry on in the thread
		}
	}
	if got != want {
		t.Errorf("Discord's report differs from the console's:\n--- discord\n%s\n--- console\n%s", got, want)
	}
}

// optionsOf writes a parsed command as the typed options a Discord client
// sends for it.
func optionsOf(c bot.Command) map[string]any {
	opts := map[string]any{}
	set := func(name, v string) {
		if v != "" {
			opts[name] = v
		}
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	switch c.Name {
	case bot.CmdDeclare:
		set("title", c.Text)
		set("message", c.Message)
		set("components", strings.Join(c.Components, ", "))
		set("impact", string(c.Impact))
		set("started", stamp(c.Started))
	case bot.CmdPostmortem:
		set("body", c.Text)
	default:
		set("message", c.Text)
	}
	set("at", stamp(c.At))
	if c.Ref != 0 {
		set("incident", bot.FormatRef(c.Ref))
	}
	return opts
}

func TestDiscordRegister(t *testing.T) {
	fake := chattest.NewDiscord(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"incidentbot", "discord-register"}, env(map[string]string{
		"DISCORD_BOT_TOKEN": chattest.DiscordToken, "DISCORD_APP_ID": chattest.DiscordAppID,
		"DISCORD_GUILD_ID": chattest.DiscordGuildID, "DISCORD_API_URL": fake.URL(),
	}), nil, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cmds := fake.CommandsFor(chattest.DiscordGuildID); len(cmds) != 1 || cmds[0].Name != "incident" || len(cmds[0].Options) != 19 {
		t.Errorf("registered %+v", cmds)
	}
	if !strings.Contains(out.String(), "Registered /incident in guild "+chattest.DiscordGuildID) {
		t.Errorf("printed %q", out.String())
	}
}

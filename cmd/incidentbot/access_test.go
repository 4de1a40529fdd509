package main

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

// TestSlackWhoMayDoWhat runs the real binary against the fake Slack with
// SLACK_RESPONDERS set: outsiders are refused with a sentence and change
// nothing, the declarer and responders get through, a private incident
// stays in its private channel, and the audit trail shows the refusals.
func TestSlackWhoMayDoWhat(t *testing.T) {
	fake := chattest.NewSlack(t)
	fake.SetUserGroup("S0ONCALL", "U0RESP")
	fake.AddPrivateChannel("C0HR", "hr-matters")
	b := startBot(t, map[string]string{
		"REDIS_URL": redisFor(t, 8), "SLACK_BOT_TOKEN": chattest.SlackBotToken, "SLACK_SIGNING_SECRET": slackSecret,
		"SLACK_BROADCAST_CHANNEL": "C0BROADCAST", "SLACK_API_URL": fake.URL, "SLACK_RESPONDERS": "S0ONCALL",
	})
	s := &slackRun{t: t, fake: fake, addr: b.addr, team: "T" + rand.Text()[:8]}

	if got := s.commandAs("U0DANA", "C0GENERAL", "declare Checkout fails"); !strings.HasPrefix(got, "Declared INC-1") {
		t.Fatalf("a member's declaration answered %q", got)
	}
	bottest.Eventually(t, 10*time.Second, "INC-1's channel and broadcast", func() bool {
		return len(fake.Channels()) == 1 && len(fake.Messages("C0BROADCAST")) == 2
	})
	refusal := "Only responders (@S0ONCALL) or INC-1's declarer and commander @dana may "
	for _, tc := range []struct{ line, action string }{
		{"resolved INC-1 All good", "resolve INC-1."},
		{"assign INC-1 commander <@U0EVE|eve>", "assign roles on INC-1."},
	} {
		if got := s.commandAs("U0EVE", "C0RANDOM", tc.line); got != refusal+tc.action {
			t.Errorf("an outsider's %q answered\n %q\nwant %q", tc.line, got, refusal+tc.action)
		}
	}
	if got := s.commandAs("U0DANA", "C0GENERAL", "update INC-1 Still looking"); got != "Update added to INC-1 (investigating)." {
		t.Errorf("the declarer's update answered %q", got)
	}
	if got := s.commandAs("U0RESP", "C0GENERAL", "resolved INC-1 All good"); got != "INC-1 is now resolved (was investigating)." {
		t.Errorf("a responder's resolve answered %q", got)
	}
	if got := s.commandAs("U0EVE", "C0RANDOM", "postmortem INC-1 It was DNS."); got != "Only responders (@S0ONCALL) or INC-1's commander @dana may publish the postmortem of INC-1." {
		t.Errorf("an outsider's publish answered %q", got)
	}
	report := s.commandAs("U0EVE", "C0GENERAL", "show INC-1")
	if strings.Count(report, "\n- ") != 3 || strings.Contains(report, "@eve") || strings.Contains(report, "It was DNS") {
		t.Errorf("the refusals changed the incident:\n%s", report)
	}

	// Private: --private, and any declaration from a private channel.
	if got := s.commandAs("U0DANA", "C0GENERAL", "declare Salary data exposed --private"); !strings.HasPrefix(got, "Declared INC-2") {
		t.Fatalf("private declaration answered %q", got)
	}
	if got := s.commandAs("U0DANA", "C0HR", "declare Payroll mix-up"); !strings.HasPrefix(got, "Declared INC-3") {
		t.Fatalf("declaration from a private channel answered %q", got)
	}
	bottest.Eventually(t, 10*time.Second, "two private incident channels with the declarer in them", func() bool {
		chs := fake.Channels()
		return len(chs) == 3 && chs[1].Private && chs[2].Private && !chs[0].Private &&
			strings.Join(chs[1].Members, ",") == "U0DANA" && strings.Join(chs[2].Members, ",") == "U0DANA"
	})
	for _, m := range fake.Messages("C0BROADCAST") {
		if strings.Contains(m.Text, "Salary") || strings.Contains(m.Text, "Payroll") {
			t.Errorf("a private incident reached the stakeholders: %q", m.Text)
		}
	}
	if list := s.commandAs("U0RESP", "C0GENERAL", "list --all"); strings.Contains(list, "INC-2") || strings.Contains(list, "INC-3") || strings.Contains(list, "Salary") {
		t.Errorf("list in another channel shows a private incident:\n%s", list)
	}

	trail := s.commandAs("U0RESP", "C0GENERAL", "audit INC-1")
	for _, want := range []string{"@eve was refused /incident resolved in C0RANDOM", "@eve was refused /incident postmortem", "@resp did /incident resolved"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the audit trail lacks %q:\n%s", want, trail)
		}
	}
	if got := s.commandAs("U0EVE", "C0GENERAL", "audit INC-1"); !strings.HasPrefix(got, "Only responders") {
		t.Errorf("an outsider read the audit trail: %q", got)
	}
}

// TestDiscordWhoMayDoWhat: roles come with the interaction; a private
// incident is a private thread with its declarer in it.
func TestDiscordWhoMayDoWhat(t *testing.T) {
	fake := chattest.NewDiscord(t)
	pub, sign := chattest.NewDiscordKey(t)
	const oncall = "500000000000000001"
	b := startBot(t, map[string]string{
		"REDIS_URL": redisFor(t, 9), "DISCORD_BOT_TOKEN": chattest.DiscordToken, "DISCORD_APP_ID": chattest.DiscordAppID,
		"DISCORD_BROADCAST_CHANNEL": discordBroadcast, "DISCORD_API_URL": fake.URL(), "DISCORD_PUBLIC_KEY": hex.EncodeToString(pub),
		"DISCORD_RESPONDERS": oncall,
	})
	d := &discordRun{t: t, fake: fake, addr: b.addr, sign: sign}
	g, origin := guild(), "300000000000000020"
	as := func(user string, roles []string, channel, sub string, opts map[string]any) string {
		i := slash(g, channel, sub, opts)
		i.Member.User = &discordgo.User{ID: user, Username: "user" + user[len(user)-2:]}
		i.Member.Roles = roles
		return d.interact(i)
	}
	const dana, eve, resp = "100000000000000011", "100000000000000022", "100000000000000033"
	if got := as(dana, nil, origin, "declare", map[string]any{"title": "Voice is down"}); !strings.HasPrefix(got, "Declared INC-1") {
		t.Fatalf("declare answered %q", got)
	}
	thread := d.threadOf(origin)
	if got := as(eve, []string{"500000000000000002"}, thread, "resolved", map[string]any{"message": "Fine now"}); got != "Only responders (@"+oncall+") or INC-1's declarer and commander @user11 may resolve INC-1." {
		t.Errorf("an outsider's resolve answered %q", got)
	}
	if got := as(resp, []string{oncall}, thread, "resolved", map[string]any{"message": "Fine now"}); got != "INC-1 is now resolved (was investigating)." {
		t.Errorf("a responder's resolve answered %q", got)
	}

	privateOrigin := "300000000000000021"
	if got := as(dana, nil, privateOrigin, "declare", map[string]any{"title": "Leaked keys", "private": true}); !strings.HasPrefix(got, "Declared INC-2") {
		t.Fatalf("private declare answered %q", got)
	}
	bottest.Eventually(t, 10*time.Second, "a private thread with the declarer in it", func() bool {
		for _, c := range fake.Channels() {
			if c.ParentID == privateOrigin {
				return c.Type == discordgo.ChannelTypeGuildPrivateThread && strings.Join(c.Members, ",") == dana
			}
		}
		return false
	})
	for _, m := range fake.Messages(discordBroadcast) {
		for _, e := range m.Embeds {
			if strings.Contains(e.Title+e.Description, "Leaked") {
				t.Errorf("the private incident reached the stakeholders: %+v", e)
			}
		}
	}
}

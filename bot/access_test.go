package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
)

// directory is a bot.Directory with fixed answers, counting its calls.
type directory struct {
	groups  map[string][]string // members by group
	private map[string]bool
	err     error
	calls   atomic.Int32
}

func (d *directory) Among(_ context.Context, _ bot.Workspace, user string, groups []string) ([]string, error) {
	d.calls.Add(1)
	if d.err != nil {
		return nil, d.err
	}
	var in []string
	for _, g := range groups {
		if slices.Contains(d.groups[g], user) {
			in = append(in, g)
		}
	}
	return in, nil
}

func (d *directory) Private(_ context.Context, _ bot.Workspace, channel string) (bool, error) {
	return d.private[channel], d.err
}

// withAccess gives the harness Slack responders (the group S0ONCALL, whose
// member is U0ONCALL, and the user U0LEAD) and its directory.
func (h *harness) withAccess(dir *directory) {
	h.opt.Responders = map[bot.Platform][]string{bot.Slack: {"S0ONCALL", "U0LEAD"}, bot.Discord: {"900000000000000001"}}
	h.opt.Directories = map[bot.Platform]bot.Directory{bot.Slack: dir}
	h.svc = bot.NewService(h.opt)
}

// as runs a line as actor in h.channel.
func (h *harness) as(actor, line string) (bot.Reply, error) {
	return h.svc.Handle(context.Background(), bot.Request{
		Workspace: h.ws, Channel: h.channel, Actor: actor, ActorName: strings.ToLower(strings.TrimPrefix(actor, "U0")),
		Text: line, RequestID: bottest.RequestID(),
	})
}

// TestWhoMayDoWhat walks the rules: anyone declares; changes are for
// responders, the declarer and role holders; publishing is for responders,
// the commander and the comms lead. A refusal says who may, and changes
// nothing but the audit trail.
func TestWhoMayDoWhat(t *testing.T) {
	h := newHarness(t, start)
	dir := &directory{groups: map[string][]string{"S0ONCALL": {"U0ONCALL"}}}
	h.withAccess(dir)
	mustAs := func(actor, line string) bot.Reply {
		t.Helper()
		r, err := h.as(actor, line)
		if err != nil {
			t.Fatalf("%s: %q: %v", actor, line, err)
		}
		return r
	}
	mustAs("U0OUTSIDER", "declare Checkout fails") // anyone may declare; the declarer is its commander
	mustAs("U0LEAD", "assign commander <@U0CMD|cmd>")
	mustAs("U0CMD", "assign scribe <@U0SCRIBE|scribe>")

	for _, tc := range []struct {
		actor, line string
		refusal     string // "" when allowed
	}{
		{"U0STRANGER", "resolved INC-1 All good",
			"Only responders (@S0ONCALL, @U0LEAD) or INC-1's declarer @outsider, commander @cmd and scribe @scribe may resolve INC-1."},
		{"U0STRANGER", "assign commander <@U0STRANGER|stranger>",
			"Only responders (@S0ONCALL, @U0LEAD) or INC-1's declarer @outsider, commander @cmd and scribe @scribe may assign roles on INC-1."},
		{"U0STRANGER", "impact critical", "Only responders (@S0ONCALL, @U0LEAD) or INC-1's declarer @outsider, commander @cmd and scribe @scribe may change the impact of INC-1."},
		{"U0STRANGER", "visibility private", "Only responders (@S0ONCALL, @U0LEAD) or INC-1's declarer @outsider, commander @cmd and scribe @scribe may change who can see INC-1."},
		{"U0STRANGER", "audit", "Only responders (@S0ONCALL, @U0LEAD) or INC-1's declarer @outsider, commander @cmd and scribe @scribe may read the audit trail of INC-1."},
		{"U0OUTSIDER", "update Still looking", ""}, // the declarer
		{"U0SCRIBE", "identified A bad deploy", ""},
		{"U0ONCALL", "monitoring Rolled back", ""}, // a responder through the group
		{"U0LEAD", "resolved All good", ""},        // a responder by name
		{"U0STRANGER", "postmortem INC-1 It was the deploy.",
			"Only responders (@S0ONCALL, @U0LEAD) or INC-1's commander @cmd may publish the postmortem of INC-1."},
		{"U0SCRIBE", "postmortem INC-1 It was the deploy.",
			"Only responders (@S0ONCALL, @U0LEAD) or INC-1's commander @cmd may publish the postmortem of INC-1."},
		{"U0SCRIBE", "postmortem INC-1", ""}, // the draft is a change, for role holders too
		{"U0CMD", "postmortem INC-1 It was the deploy.", ""},
		{"U0STRANGER", "postmortem INC-1 Amended.",
			"Only responders (@S0ONCALL, @U0LEAD) or INC-1's commander @cmd may amend the postmortem of INC-1."},
	} {
		before := h.find(1)
		entries := len(bottest.MustTimeline(t, h.store, h.ws, 1))
		_, err := h.as(tc.actor, tc.line)
		if tc.refusal == "" {
			if err != nil {
				t.Errorf("%s: %q refused: %v", tc.actor, tc.line, err)
			}
			continue
		}
		var e *bot.Error
		if !errors.As(err, &e) || e.Code != bot.EFORBIDDEN || e.Message != tc.refusal {
			t.Errorf("%s: %q\n got %v\nwant EFORBIDDEN %q", tc.actor, tc.line, err, tc.refusal)
		}
		after := h.find(1)
		if after.Version != before.Version || len(bottest.MustTimeline(t, h.store, h.ws, 1)) != entries {
			t.Errorf("%s: refused %q changed the incident", tc.actor, tc.line)
		}
	}

	// Every refusal is in the audit trail, and responders can read it.
	trail := mustAs("U0LEAD", "audit INC-1").Text
	if n := strings.Count(trail, "was refused"); n != 8 {
		t.Errorf("audit trail shows %d refusals, want 8:\n%s", n, trail)
	}
	for _, want := range []string{"@stranger was refused /incident resolved in C1: Only responders", "@lead did /incident resolved in C1"} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit trail lacks %q:\n%s", want, trail)
		}
	}
}

// TestRespondersByPlatform: Discord roles come with the request, the console
// is always a responder, an unset list lets every member in, and a directory
// that cannot answer refuses with a sentence instead of guessing.
func TestRespondersByPlatform(t *testing.T) {
	h := newHarness(t, start)
	dir := &directory{}
	h.withAccess(dir)
	h.do("declare Checkout fails") // @tester declares

	discord := bot.Workspace{Platform: bot.Discord, ID: "G1"}
	run := func(ws bot.Workspace, actor string, groups []string, line string) error {
		_, err := h.svc.Handle(context.Background(), bot.Request{Workspace: ws, Channel: "C1", Actor: actor, Groups: groups, Text: line, RequestID: bottest.RequestID()})
		return err
	}
	if err := run(discord, "900000000000000010", nil, "declare Voice down"); err != nil {
		t.Fatal(err)
	}
	if err := run(discord, "900000000000000011", []string{"900000000000000002"}, "update INC-1 Hi"); code(err) != bot.EFORBIDDEN {
		t.Errorf("a Discord member without the role: %v, want EFORBIDDEN", err)
	}
	if err := run(discord, "900000000000000011", []string{"900000000000000002", "900000000000000001"}, "update INC-1 Hi"); err != nil {
		t.Errorf("a Discord member with the responder role: %v", err)
	}
	if err := run(bot.Workspace{Platform: bot.Console, ID: "local"}, "@me", nil, "declare Local"); err != nil {
		t.Fatal(err)
	}
	if err := run(bot.Workspace{Platform: bot.Console, ID: "local"}, "@someone", nil, "resolved INC-1 Done"); err != nil {
		t.Errorf("the console: %v", err)
	}

	dir.err = errors.New("slack is slow")
	err := run(h.ws, "U0SOMEONE", nil, "resolved INC-1 Done")
	if code(err) != bot.EUNAVAILABLE || !strings.Contains(bot.ErrorMessage(err), "NOT recorded") {
		t.Errorf("directory down: %v, want EUNAVAILABLE saying it was not recorded", err)
	}
	if h.find(1).Status != "investigating" {
		t.Error("a command whose asker could not be checked changed the incident")
	}

	h.opt.Responders = nil
	h.svc = bot.NewService(h.opt)
	if err := run(h.ws, "U0ANYONE", nil, "resolved INC-1 Done"); err != nil {
		t.Errorf("without responders every member may: %v", err)
	}
}

// code is the code of a *bot.Error, or "" for any other error.
func code(err error) string {
	var e *bot.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

var start = time.Date(2025, 10, 30, 17, 0, 0, 0, time.UTC)

// TestErrors shows the sentence a responder reads for each refusal of the
// service, and checks that a refused command changes nothing.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup []string
		line  string
		code  string
		want  string
	}{
		{"ErrResolvedToIdentified", []string{"declare A", "resolved Done"}, "identified INC-1 Again",
			bot.ECONFLICT, "INC-1 is resolved. From resolved you can: investigating (reopen), postmortem."},
		{"ErrInvestigatingToPostmortem", []string{"declare A"}, "postmortem INC-1 Body",
			bot.ECONFLICT, "INC-1 is investigating. From investigating you can: identified, monitoring, resolved."},
		{"ErrPostmortemPublished", []string{"declare A", "resolved Done", "postmortem INC-1 Body"}, "investigating INC-1 Back",
			bot.ECONFLICT, "INC-1 has a published postmortem; it can only be amended: /incident postmortem INC-1 <body>."},
		{"ErrUpdateAfterPostmortem", []string{"declare A", "resolved Done", "postmortem INC-1 Body"}, "update INC-1 Customer comms sent",
			bot.ECONFLICT, "INC-1 has a published postmortem; it can only be amended: /incident postmortem INC-1 <body>."},
		{"ErrResolvedAfterPostmortem", []string{"declare A", "resolved Done", "postmortem INC-1 Body"}, "resolved INC-1 Done again",
			bot.ECONFLICT, "INC-1 has a published postmortem; it can only be amended: /incident postmortem INC-1 <body>."},
		{"ErrDraftWhileOpen", []string{"declare A"}, "postmortem INC-1",
			bot.ECONFLICT, "INC-1 is investigating; its postmortem comes once it is resolved: /incident resolved INC-1 <message>."},
		{"ErrAtBeforeLastEntry", []string{"declare A --at 2025-10-30T16:30:00Z"}, "update --at 2025-10-30T16:00:00Z Late",
			bot.EINVALID, "--at (Oct 30, 2025, 04:00 PM UTC) is before the latest entry of INC-1 (Oct 30, 2025, 04:30 PM UTC); the timeline stays in order."},
		{"ErrAtInFuture", []string{"declare A"}, "update --at 2025-10-30T17:01:00Z Soon",
			bot.EINVALID, "--at (Oct 30, 2025, 05:01 PM UTC) is in the future; it is now Oct 30, 2025, 05:00 PM UTC."},
		{"ErrDeclareAtInFuture", nil, "declare A --at 2025-10-31T00:00:00Z",
			bot.EINVALID, "--at (Oct 31, 2025, 12:00 AM UTC) is in the future; it is now Oct 30, 2025, 05:00 PM UTC."},
		{"ErrStartedInFuture", nil, "declare A --started 2025-10-31 00:00",
			bot.EINVALID, "--started (Oct 31, 2025, 12:00 AM UTC) is in the future; it is now Oct 30, 2025, 05:00 PM UTC."},
		{"ErrStartedAfterDeclared", nil, "declare A --at 2025-10-30T16:00:00Z --started 2025-10-30T16:30:00Z",
			bot.EINVALID, "--started (Oct 30, 2025, 04:30 PM UTC) is after the declaration (Oct 30, 2025, 04:00 PM UTC); it is when impact began, so it comes first."},
		{"ErrNoneOpen", nil, "update Hello",
			bot.ENOTFOUND, "No incident is open here. Name one (for example INC-7), or open one with /incident declare <title>."},
		{"ErrNotFound", []string{"declare A"}, "update INC-9 Hello",
			bot.ENOTFOUND, "There is no INC-9 here. The latest is INC-1. /incident list shows the open incidents."},
		{"ErrNotFoundEmpty", nil, "show 3",
			bot.ENOTFOUND, "There is no INC-3 here. /incident list shows the open incidents."},
		{"ErrSeveralOpen", []string{"declare Database down", "declare Slow search"}, "identified Found it",
			bot.EINVALID, "Several incidents are open: INC-2 (Slow search), INC-1 (Database down). Say which one, for example /incident identified INC-2 ..."},
		{"ErrSameImpact", []string{"declare A --impact minor"}, "impact minor",
			bot.EINVALID, "INC-1 is already at impact minor."},
		{"ErrSameComponents", []string{`declare A --components "API, Web"`}, `components "API,Web"`,
			bot.EINVALID, "INC-1 already lists those components."},
		{"ErrSameRole", []string{"declare A"}, "assign commander @tester",
			bot.EINVALID, "@tester is already commander of INC-1."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, start)
			for _, line := range tc.setup {
				h.do(line)
			}
			before := h.snapshot()
			err := h.fail(tc.line)
			if got := bot.ErrorCode(err); got != tc.code {
				t.Errorf("code %q, want %q", got, tc.code)
			}
			if got := bot.ErrorMessage(err); got != tc.want {
				t.Errorf("message:\n got %q\nwant %q", got, tc.want)
			}
			if after := h.snapshot(); after != before {
				t.Errorf("a refused command changed the store:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// snapshot summarises every incident of the harness's workspace.
func (h *harness) snapshot() string {
	h.t.Helper()
	incs, err := h.store.List(context.Background(), h.ws, true)
	if err != nil {
		h.t.Fatal(err)
	}
	var b strings.Builder
	for _, inc := range incs {
		b.WriteString(inc.Ref() + ":" + string(inc.Status) + ":" + string(inc.Impact) + ";")
		b.WriteString(strings.Repeat("e", len(bottest.MustTimeline(h.t, h.store, h.ws, inc.Number))))
	}
	bl, _ := h.store.Backlog(context.Background(), h.ws)
	b.WriteString(strings.Repeat("j", bl.Queued))
	return b.String()
}

func TestLifecycleThroughCommands(t *testing.T) {
	h := newHarness(t, start)
	steps := []struct {
		line, reply string
		status      fsm.Status
	}{
		{"declare Checkout fails --impact major", "Declared INC-1: Checkout fails (investigating, impact major). Move it on with /incident identified <message>; add news with /incident update <message>.", fsm.Investigating},
		{"identify Bad deploy", "INC-1 is now identified (was investigating).", fsm.Identified},
		{"identified Still the deploy", "Update added to INC-1 (identified).", fsm.Identified},
		{"investigating Wrong cause", "INC-1 is now investigating (was identified).", fsm.Investigating},
		{"monitoring Rolled back", "INC-1 is now monitoring (was investigating).", fsm.Monitoring},
		{"resolve All clear", "INC-1 is now resolved (was monitoring).", fsm.Resolved},
		{"update INC-1 Credits issued", "Update added to INC-1 (resolved).", fsm.Resolved},
		{"postmortem INC-1 A bad deploy; we now canary.", "Published the postmortem of INC-1; stakeholders have it.", fsm.Postmortem},
		{"postmortem INC-1 A bad deploy; we now canary everything.", "Amended the postmortem of INC-1.", fsm.Postmortem},
	}
	for _, st := range steps {
		h.clock.Advance(10 * time.Minute)
		if got := h.do(st.line).Text; got != st.reply {
			t.Errorf("%q replied\n %q\nwant %q", st.line, got, st.reply)
		}
		if got := h.find(1).Status; got != st.status {
			t.Errorf("after %q the status is %s, want %s", st.line, got, st.status)
		}
	}
	inc := h.find(1)
	for st, want := range map[fsm.Status]string{
		fsm.Investigating: "17:10", fsm.Identified: "17:20", fsm.Monitoring: "17:50", fsm.Resolved: "18:00", fsm.Postmortem: "18:20",
	} {
		if got := inc.Milestones[st].Format("15:04"); got != want {
			t.Errorf("milestone %s at %s, want %s (the first entry into it)", st, got, want)
		}
	}
	if got := h.do("postmortem INC-1 --at 2025-10-30T18:30:00Z Amended as of now").Text; !strings.HasSuffix(got, "Recorded as of Oct 30, 2025, 06:30 PM UTC.") {
		t.Errorf("a backdated entry's reply does not say when it was recorded as: %q", got)
	}
}

func TestFieldsAndRoles(t *testing.T) {
	h := newHarness(t, start)
	h.do(`declare Logins fail --components "Auth"`)
	for _, tc := range []struct{ line, reply string }{
		{"impact critical", "INC-1: Impact is now critical (was none)."},
		{`components INC-1 "Auth, SSO"`, "INC-1: Affected components: Auth, SSO (were: Auth)."},
		{`components ""`, "INC-1: Affected components: none (were: Auth, SSO)."},
		{"assign comms <@U42|sam>", "INC-1: @sam is now comms."},
		{"assign #1 commander @alex", "INC-1: @alex is now commander."},
	} {
		if got := h.do(tc.line).Text; got != tc.reply {
			t.Errorf("%q replied\n %q\nwant %q", tc.line, got, tc.reply)
		}
	}
	inc := h.find(1)
	if inc.Impact != bot.ImpactCritical || len(inc.Components) != 0 || inc.Roles[bot.Comms] != "U42" || inc.Roles[bot.Commander] != "@alex" {
		t.Errorf("incident after field changes: %+v", inc)
	}
	// Field changes are kept for the postmortem but are not public updates.
	report := h.do("show").Text
	if strings.Contains(report, "Impact is now") || strings.Count(report, "\n- ") != 1 {
		t.Errorf("field changes leaked into the public timeline:\n%s", report)
	}
	if n := len(bottest.MustTimeline(t, h.store, h.ws, 1)); n != 6 {
		t.Errorf("timeline keeps %d entries, want 6", n)
	}
}

// TestPosts checks the plain text of every kind of post against a golden file.
func TestPosts(t *testing.T) {
	h := newHarness(t, start)
	h.do(`declare Checkout fails --impact major --components "Payments, API" --message "Card payments fail for some EU customers."`)
	h.clock.Advance(52 * time.Minute)
	h.do("identified A bad deploy of the payment service")
	h.do("assign scribe @jo")
	h.clock.Advance(time.Hour)
	h.do("resolved Payments work again")
	h.clock.Advance(24 * time.Hour)
	h.do("postmortem INC-1")
	// Each lane in its order, the incident channel's first: lanes do not
	// wait for each other, so how they interleave is not promised.
	var channel, broadcast strings.Builder
	root := ""
	for _, c := range h.deliver() {
		b := &channel
		if c.Channel == "C-BROADCAST" {
			b = &broadcast
		}
		if c.Op == "post" && c.Message.Kind == bot.MessageSummary {
			root = c.Ref
		}
		b.WriteString("=== " + c.Op + " " + c.Channel)
		if c.Thread != "" {
			b.WriteString(" thread " + strings.ReplaceAll(c.Thread, root, "root"))
		}
		if c.Op == "edit" {
			b.WriteString(" " + strings.ReplaceAll(c.Ref, root, "root"))
		}
		b.WriteString(" (" + string(c.Message.Kind) + ")\n" + c.Message.Text + "\n")
	}
	golden(t, "posts.golden", channel.String()+broadcast.String())
}

func TestCustomPostmortemTemplate(t *testing.T) {
	tmpl, err := bot.ParsePostmortemTemplate("{{.Ref}} lasted {{.TimeToResolve}}; identified after {{.TimeToIdentify}}.\n")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, start)
	h.opt.Postmortem = tmpl
	h.svc = bot.NewService(h.opt)
	h.do("declare A")
	h.clock.Advance(90 * time.Minute)
	h.do("resolved Fixed")
	h.do("postmortem INC-1")
	calls := h.deliver()
	if got := calls[len(calls)-1].Message.Text; got != "INC-1 lasted 1h 30m; identified after n/a.\n" {
		t.Errorf("draft from the custom template: %q", got)
	}
	for _, bad := range []string{"{{.Nope}}", "{{if}}"} {
		if _, err := bot.ParsePostmortemTemplate(bad); err == nil {
			t.Errorf("template %q accepted", bad)
		}
	}
}

func TestListAndHelp(t *testing.T) {
	h := newHarness(t, start)
	if got := h.do("list").Text; got != "No incident is open. /incident list --all shows past ones; /incident declare <title> opens one." {
		t.Errorf("empty list: %q", got)
	}
	h.do("declare Database down --impact critical")
	h.clock.Advance(time.Hour)
	h.do("declare Slow search")
	h.do("resolved INC-1 Back")
	if got, want := h.do("list").Text, "Open incidents, newest first:\nINC-2 · investigating · impact none · 0m · Slow search"; got != want {
		t.Errorf("list:\n got %q\nwant %q", got, want)
	}
	if got, want := h.do("list --all").Text, "Incidents, newest first:\nINC-2 · investigating · impact none · 0m · Slow search\nINC-1 · resolved · impact critical · 1h · Database down"; got != want {
		t.Errorf("list --all:\n got %q\nwant %q", got, want)
	}
	full := h.do("help").Text
	for _, name := range []string{"declare", "investigating", "identified", "monitoring", "resolved", "update", "postmortem", "show", "list", "impact", "components", "assign", "help"} {
		if !strings.Contains(full, "/incident "+name) {
			t.Errorf("help does not mention %s", name)
		}
	}
	if got := h.do("help resolve").Text; !strings.HasPrefix(got, "/incident resolved [<ref>] <message> [--at <time>]\nImpact is over.") {
		t.Errorf("help resolve: %q", got)
	}
}

// TestStoreDown: with Redis gone, the responder hears at once that nothing
// was recorded, and never sees the internal error.
func TestStoreDown(t *testing.T) {
	h := newHarness(t, start)
	h.do("declare A")
	h.store.Close()
	err := h.fail("update Still here?")
	if bot.ErrorCode(err) != bot.EUNAVAILABLE || !strings.Contains(bot.ErrorMessage(err), "NOT recorded") {
		t.Errorf("got %v, want EUNAVAILABLE saying it was NOT recorded", err)
	}
	if strings.Contains(bot.ErrorMessage(err), "redis") {
		t.Errorf("internal detail shown to a responder: %q", bot.ErrorMessage(err))
	}
}

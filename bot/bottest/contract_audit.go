package bottest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// testAuditTrail: every change is in the trail with the change itself (the
// same write), refusals are appended beside them, and queries select by
// incident, time and count.
func testAuditTrail(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	ws := NewWorkspace()
	ctx := context.Background()
	MustHandle(t, s, ws, "C1", "declare Checkout fails")
	MustHandle(t, s, ws, "C1", "declare Search is slow")
	MustHandle(t, s, ws, "C1", "update INC-1 Still looking")
	refusal := bot.AuditRecord{At: time.Now().UTC().Truncate(time.Millisecond), Platform: ws.Platform, Workspace: ws.ID, Actor: "U0STRANGER",
		Command: bot.CmdResolved, Incident: 1, Channel: "C9", RequestID: RequestID(), Refused: true, Detail: "Only responders may resolve INC-1."}
	if err := b.Audit(ctx, ws, refusal); err != nil {
		t.Fatal(err)
	}

	recs, err := b.AuditTrail(ctx, bot.AuditQuery{Workspace: ws, Incident: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, string(r.Command))
		if r.Workspace != ws.ID || r.Platform != ws.Platform || r.Incident != 1 || r.RequestID == "" || r.At.IsZero() {
			t.Errorf("record %+v lacks who, where or when", r)
		}
	}
	if want := "declare update resolved"; joinWords(got) != want {
		t.Errorf("INC-1's trail: %s, want %s", joinWords(got), want)
	}
	if last := recs[len(recs)-1]; !last.Refused || last.Actor != "U0STRANGER" || last.Detail != refusal.Detail {
		t.Errorf("the refusal reads back as %+v", last)
	}
	if recs[0].Actor != "@tester" || recs[0].Refused {
		t.Errorf("the declaration reads back as %+v", recs[0])
	}

	all, err := b.AuditTrail(ctx, bot.AuditQuery{Workspace: ws})
	if err != nil || len(all) != 4 {
		t.Errorf("whole trail: %d records, %v; want 4", len(all), err)
	}
	newest, err := b.AuditTrail(ctx, bot.AuditQuery{Workspace: ws, Limit: 2})
	if err != nil || len(newest) != 2 || newest[1].Command != bot.CmdResolved || newest[0].Command != bot.CmdUpdate {
		t.Errorf("newest two: %+v, %v", newest, err)
	}
	later, err := b.AuditTrail(ctx, bot.AuditQuery{Workspace: ws, Since: time.Now().Add(time.Hour)})
	if err != nil || len(later) != 0 {
		t.Errorf("records from an hour on: %+v, %v; want none", later, err)
	}
	other, err := b.AuditTrail(ctx, bot.AuditQuery{Workspace: NewWorkspace()})
	if err != nil || len(other) != 0 {
		t.Errorf("another workspace's trail: %+v, %v; want none", other, err)
	}
}

// testTenantsApart: workspace IDs that differ only in characters a store
// escapes are still two tenants.
func testTenantsApart(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	base := NewWorkspace()
	a := bot.Workspace{Platform: base.Platform, ID: base.ID + "}"}
	z := bot.Workspace{Platform: base.Platform, ID: base.ID + "%7D"}
	MustHandle(t, s, a, "C1", "declare Tenant A is down")
	MustHandle(t, s, z, "C1", "declare Tenant Z is down")
	MustHandle(t, s, z, "C1", "declare Tenant Z again")
	if inc := MustFind(t, b, a, 1); inc.Title != "Tenant A is down" {
		t.Errorf("%q's INC-1 is %q", a.ID, inc.Title)
	}
	if inc := MustFind(t, b, z, 1); inc.Title != "Tenant Z is down" {
		t.Errorf("%q's INC-1 is %q", z.ID, inc.Title)
	}
	f, err := b.Find(context.Background(), bot.Lookup{Workspace: a, Number: 2, RequestID: RequestID()})
	if err != nil || f.Incident != nil || f.LastNumber != 1 {
		t.Errorf("%q sees %+v, %v of the other tenant", a.ID, f, err)
	}
}

func joinWords(words []string) string { return strings.Join(words, " ") }

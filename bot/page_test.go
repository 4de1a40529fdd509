package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
)

func TestParseCatalog(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     bot.Catalog
		err      string
	}{
		{"Plain", "Data Processing, Message Sending, User Interface",
			bot.Catalog{{Name: "Data Processing"}, {Name: "Message Sending"}, {Name: "User Interface"}}, ""},
		{"Grouped", "Delivery: Email, SMS; API",
			bot.Catalog{{Name: "Email", Group: "Delivery"}, {Name: "SMS", Group: "Delivery"}, {Name: "API"}}, ""},
		{"Empty", "", nil, ""},
		{"ErrTwice", "API, api", nil, "named twice"},
		{"ErrNamelessGroup", ": Email", nil, "no name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bot.ParseCatalog(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("catalog (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseComponentsWithStatus(t *testing.T) {
	cmd, err := bot.Parse(`/incident declare Down --impact minor --components "API=major_outage, Web, DB=under maintenance" --internal`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"API", "Web", "DB"}, cmd.Components); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	want := map[string]bot.ComponentStatus{"API": bot.MajorOutage, "DB": bot.UnderMaintenance}
	if diff := cmp.Diff(want, cmd.ComponentStatus); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if !cmd.Internal {
		t.Error("--internal not read")
	}
	if _, err := bot.Parse(`/incident components "API=broken"`, nil); err == nil || !strings.Contains(err.Error(), "major_outage") {
		t.Errorf("an unknown status: err = %v, want one listing the statuses", err)
	}
}

// pageHarness is a harness whose service knows the seed's components.
func pageHarness(t *testing.T) *harness {
	h := newHarness(t, time.Date(2025, 10, 30, 18, 0, 0, 0, time.UTC))
	cat, err := bot.ParseCatalog("Data Processing, Message Sending, User Interface")
	if err != nil {
		t.Fatal(err)
	}
	h.opt.Components = cat
	h.svc = bot.NewService(h.opt)
	return h
}

func TestComponentsKnownOnly(t *testing.T) {
	h := pageHarness(t)
	err := h.fail(`/incident declare Slow --impact minor --components "Data Procesing"`)
	if !strings.Contains(err.Error(), `Did you mean "Data Processing"?`) {
		t.Errorf("err = %v, want the nearest name suggested", err)
	}
	h.do(`/incident declare Slow --impact minor --components "data processing=partial_outage"`)
	inc := bottest.MustFind(t, h.store, h.ws, 1)
	if diff := cmp.Diff([]string{"Data Processing"}, inc.Components); diff != "" {
		t.Errorf("names are not written as configured (-want +got):\n%s", diff)
	}
	if got := inc.ComponentStatus["Data Processing"]; got != bot.PartialOutage {
		t.Errorf("explicit status = %q", got)
	}
}

// page builds the page from what the harness's store holds.
func (h *harness) page() bot.Page {
	h.t.Helper()
	var recs []bot.PageRecord
	for _, inc := range h.list(true) {
		recs = append(recs, bot.PageRecord{Incident: inc, Timeline: bottest.MustTimeline(h.t, h.store, h.ws, inc.Number)})
	}
	cat := h.opt.Components
	return bot.BuildPage("Acme", cat, recs, h.clock.Now())
}

func (h *harness) list(all bool) []bot.Incident {
	h.t.Helper()
	incs, err := h.store.List(context.Background(), h.ws, all)
	if err != nil {
		h.t.Fatal(err)
	}
	return incs
}

func TestPageWorstWins(t *testing.T) {
	h := pageHarness(t)
	h.do(`/incident declare Slow processing --impact minor --components "Data Processing"`)
	h.do(`/incident declare Sending down --impact critical --components "Message Sending, Data Processing=degraded_performance"`)
	h.do(`/incident declare Internal only --impact critical --components "User Interface" --internal`)
	h.do(`/incident declare Nothing hurts --components "User Interface"`)
	p := h.page()
	got := map[string]bot.ComponentStatus{}
	for _, c := range p.Components {
		got[c.Name] = c.Status
	}
	want := map[string]bot.ComponentStatus{"Data Processing": bot.DegradedPerformance, "Message Sending": bot.MajorOutage, "User Interface": bot.Operational}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("component statuses (-want +got):\n%s", diff)
	}
	if p.Indicator != bot.IndicatorCritical || p.Indicator.Description() != "Major System Outage" {
		t.Errorf("indicator %q %q", p.Indicator, p.Indicator.Description())
	}
	if len(p.Incidents) != 2 {
		t.Errorf("page shows %d incidents, want the 2 public ones with impact", len(p.Incidents))
	}
	h.do(`/incident resolved INC-2 Fixed`)
	h.do(`/incident resolved INC-1 Fixed`)
	p = h.page()
	for _, c := range p.Components {
		if c.Status != bot.Operational {
			t.Errorf("%s is %s with nothing open", c.Name, c.Status)
		}
	}
	if p.Indicator != bot.IndicatorNone || p.Indicator.Description() != "All Systems Operational" {
		t.Errorf("indicator %q with nothing open", p.Indicator)
	}
	days := p.History("Message Sending", 90, time.UTC)
	if last := days[89]; last.Status != bot.MajorOutage || len(last.Incidents) != 1 || days[88].Status != bot.Operational {
		t.Errorf("history: today %+v, yesterday %+v", last, days[88])
	}
}

func TestPagePublicUpdatesOnly(t *testing.T) {
	h := pageHarness(t)
	h.do(`/incident declare Slow --impact major --components "Data Processing"`)
	h.do(`/incident assign commander @alex`)
	h.do(`/incident update Still slow`)
	h.do(`/incident resolved Fine`)
	h.do(`/incident postmortem INC-1 It was the disk.`)
	p := h.page()
	inc := p.Incidents[0]
	var msgs []string
	for _, u := range inc.Updates {
		msgs = append(msgs, u.Message)
	}
	if diff := cmp.Diff([]string{"We are investigating this issue.", "Still slow", "Fine"}, msgs); diff != "" {
		t.Errorf("updates (-want +got):\n%s", diff)
	}
	if inc.Postmortem == nil || inc.Postmortem.Message != "It was the disk." {
		t.Errorf("postmortem %+v", inc.Postmortem)
	}
	if inc.ID != bot.IncidentID(h.ws, 1) || len(inc.ID) != 12 {
		t.Errorf("ID %q", inc.ID)
	}
}

// FuzzParseCatalog feeds the operator's list anything: it never panics, and
// what it accepts finds each of its names again in any letter case.
func FuzzParseCatalog(f *testing.F) {
	for _, seed := range []string{"Data Processing, Message Sending, User Interface", "Delivery: Email, SMS; API", ";;:,", "A: B: C", "é, É"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cat, err := bot.ParseCatalog(s)
		if err != nil {
			return
		}
		for _, d := range cat {
			if got, ok := cat.Lookup(strings.ToUpper(d.Name)); !ok || !strings.EqualFold(got, d.Name) {
				t.Errorf("%q: Lookup(%q) = %q, %v", s, strings.ToUpper(d.Name), got, ok)
			}
		}
	})
}

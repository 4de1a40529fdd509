package bot

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is the status report, laid out as the seed incident's readers saw
// it (testdata/seed-incident.txt): what /incident show answers.
type Report struct {
	Org      string
	Incident Incident
	Timeline []Entry
	Now      time.Time
	Location *time.Location
	// NextUpdate is when the next update was promised, if it is to come.
	NextUpdate string
	// First, when set, is the start of a long timeline whose newest
	// entries are Timeline; the updates between them are counted from the
	// incident, not read.
	First []Entry
	// Whole renders every update, however long the report grows: the file
	// doors attach when a reply had to leave updates out.
	Whole bool
	// FullAt is where every update can be read (the status page's incident
	// page), named when updates are left out; without it the report says
	// that the whole report follows as a file.
	FullAt string
}

// String renders the report, one line per piece, with no trailing newline.
func (r Report) String() string {
	s, _ := r.render()
	return s
}

// render renders the report and counts the updates it left out.
func (r Report) render() (string, int) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s incident\n%s\n%s\n", r.Org, r.Incident.Title, Summary(r.Org, &r.Incident, r.Now, r.Location))
	if r.NextUpdate != "" {
		fmt.Fprintf(&b, "Next update by %s\n", r.NextUpdate)
	}
	if len(r.Incident.Components) > 0 {
		b.WriteString("Affected components\n")
		for _, c := range r.Incident.Components {
			b.WriteString(c + "\n")
		}
	}
	b.WriteString("Update timeline")
	var first string
	for _, e := range r.First {
		if e.Public() {
			first = fmt.Sprintf("\n%s\n%s", entryLine(e, r.Location), e.Message)
			break
		}
	}
	// Newest first into the room left, then written oldest first: a long
	// incident's report keeps its latest updates, which readers came for.
	var kept []string
	room := MaxReportChars - utf8.RuneCountInString(b.String()+first) - leftOutRoom - len(r.FullAt)
	if r.Whole {
		room = math.MaxInt
	}
	shown := 0
	for _, e := range slices.Backward(r.Timeline) {
		if !e.Public() {
			continue
		}
		piece := fmt.Sprintf("\n%s\n%s", entryLine(e, r.Location), e.Message)
		n := utf8.RuneCountInString(piece)
		if n > room {
			break // once one is left out, so are all older ones
		}
		kept, room, shown = append(kept, piece), room-n, shown+1
	}
	public := 0
	if r.First == nil {
		for _, e := range r.Timeline {
			if e.Public() {
				public++
			}
		}
	} else {
		public = r.Incident.Updates
	}
	left := public - shown
	if first != "" {
		b.WriteString(first)
		left--
	}
	switch {
	case left > 0 && r.FullAt != "":
		fmt.Fprintf(&b, "\n(%d earlier updates are left out here; every one is at %s)", left, r.FullAt)
	case left > 0:
		fmt.Fprintf(&b, "\n(%d earlier updates are left out here; the whole report follows as a file.)", left)
	}
	for _, piece := range slices.Backward(kept) {
		b.WriteString(piece)
	}
	return b.String(), max(left, 0)
}

// MaxReportChars bounds a report so that every platform shows all of it:
// Discord's embeds hold 6,000 characters in all.
const MaxReportChars = 5500

// leftOutRoom keeps room for the line that says updates were left out.
const leftOutRoom = 100

// entryLine is an entry's heading: "- identified Oct 30, 2025, 06:34 PM UTC".
func entryLine(e Entry, loc *time.Location) string {
	return fmt.Sprintf("- %s %s", e.Status, e.At.In(loc).Format(entryLayout))
}

// Summary is the one sentence that tells a stakeholder what happened: "Acme
// experienced a major incident on October 30, 2025 affecting A and B, lasting
// 4h 32m. ..." or, while open, "Acme is experiencing ..., ongoing for 1h 9m. ...".
func Summary(org string, inc *Incident, now time.Time, loc *time.Location) string {
	affecting := ""
	if len(inc.Components) > 0 {
		affecting = " affecting " + componentPhrase(inc.Components)
	}
	d := FormatDuration(inc.Duration(now))
	if inc.Open() {
		return fmt.Sprintf("%s is experiencing %s%s, ongoing for %s. The latest update is at the end of the timeline below.",
			org, impactPhrase(inc.Impact), affecting, d)
	}
	return fmt.Sprintf("%s experienced %s on %s%s, lasting %s. The incident has been resolved; the full update timeline is below.",
		org, impactPhrase(inc.Impact), inc.DeclaredAt.In(loc).Format(dayLayout), affecting, d)
}

// impactPhrase reads "a major incident", or "an incident" when impact is none.
func impactPhrase(im Impact) string {
	if im == ImpactNone || im == "" {
		return "an incident"
	}
	return "a " + string(im) + " incident"
}

// componentPhrase names at most two components and counts the rest:
// "A", "A and B", "A and B and 1 more component", "A and B and 3 more components".
func componentPhrase(cs []string) string {
	switch len(cs) {
	case 0:
		return ""
	case 1:
		return cs[0]
	case 2:
		return cs[0] + " and " + cs[1]
	case 3:
		return cs[0] + " and " + cs[1] + " and 1 more component"
	}
	return fmt.Sprintf("%s and %s and %d more components", cs[0], cs[1], len(cs)-2)
}

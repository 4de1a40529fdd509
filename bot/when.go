package bot

import (
	"fmt"
	"time"
)

// wallLayouts are the wall-clock forms --at and --started accept beside
// RFC 3339; they are read in the team's zone.
var wallLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
}

// readTime returns the moments a typed time can mean. RFC 3339 (a Z or an
// offset) means what it says. A wall-clock time means that reading in loc:
// one moment, or two when a change of the clocks skips or repeats it, read
// with the offsets in force before and after the change (skipped tells
// which). Each reading keeps the offset it was read with. ok is false when s
// is no time at all.
func readTime(s string, loc *time.Location) (readings []time.Time, skipped, ok bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return []time.Time{t}, false, true
	}
	for _, layout := range wallLayouts {
		wall, err := time.ParseInLocation(layout, s, time.UTC)
		if err != nil {
			continue
		}
		// The offsets either side of any change of the clocks that day.
		var candidates []time.Time
		for _, probe := range []time.Time{wall.Add(-36 * time.Hour), wall.Add(36 * time.Hour)} {
			_, off := probe.In(loc).Zone()
			c := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.FixedZone("", off))
			if len(candidates) == 0 || !c.Equal(candidates[0]) {
				candidates = append(candidates, c)
			}
		}
		for _, c := range candidates {
			if sameWallClock(c.In(loc), wall) {
				readings = append(readings, c)
			}
		}
		if len(readings) == 0 {
			return candidates, true, true
		}
		return readings, false, true
	}
	return nil, false, false
}

func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

// zoneName is how a responder is told the zone their times are read in.
func zoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}

// ambiguousTime refuses a wall-clock time that names no single moment, and
// offers the readings it could mean: each as the RFC 3339 that says it, and
// as the timeline would show it.
func ambiguousTime(flag, typed string, readings []time.Time, skipped bool, loc *time.Location) *Error {
	var options [2]string
	for i, r := range readings[:2] {
		options[i] = fmt.Sprintf("%s (%s)", r.Format(time.RFC3339), r.In(loc).Format(entryLayout))
	}
	if skipped {
		return Errorf(EINVALID, "--%s %s does not exist in %s: the clocks skip it. Write %s or %s.", flag, clip(typed, 40), zoneName(loc), options[0], options[1])
	}
	return Errorf(EINVALID, "--%s %s happens twice in %s, as the clocks go back. Write %s for the first or %s for the second.", flag, clip(typed, 40), zoneName(loc), options[0], options[1])
}

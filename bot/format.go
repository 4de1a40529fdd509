package bot

import (
	"fmt"
	"strings"
	"time"
)

// Layouts of times and durations as the seed incident's readers saw them
// (testdata/seed-incident.txt).
const (
	entryLayout = "Jan 02, 2006, 03:04 PM MST" // timeline entries
	dayLayout   = "January 2, 2006"            // the day in the summary sentence
	fullLayout  = "2006-01-02 15:04:05 MST"    // the postmortem timeline
)

// FormatDuration floors d to the minute and writes it largest unit first,
// leaving out zero units: "4h 32m", "52m", "1d 3h 4m", "0m".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	mins := int64(d / time.Minute)
	days, hours, minutes := mins/(24*60), mins/60%24, mins%60
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%dh", hours))
	}
	if minutes > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%dm", minutes))
	}
	return strings.Join(parts, " ")
}

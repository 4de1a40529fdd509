package bot

import (
	"fmt"

	"github.com/incidentbot/incidentbot/fsm"
)

// The labels of the buttons under posts, the same on every platform.

// MoveLabel labels the button of a move: "Identified", "Investigating
// (wrong cause)".
func MoveLabel(mv fsm.Move) string {
	if mv.Reason != "" {
		return mv.To.Title() + " (" + mv.Reason + ")"
	}
	return mv.To.Title()
}

// AddUpdateLabel labels the button that adds an update in the same status.
const AddUpdateLabel = "Add update"

// SnoozeLabel labels the button on a reminder that puts reminders off.
func SnoozeLabel() string { return "Snooze " + FormatDuration(SnoozeButton) }

// FollowUpDoneLabel labels the button that marks follow-up n done.
func FollowUpDoneLabel(n int) string { return fmt.Sprintf("Mark %d done", n) }

package bot

import (
	"strings"
	"unicode/utf8"
)

// checkTitle normalises a title's spacing and checks its length; the typed
// command and the declare form both pass through it.
func checkTitle(title string) (string, error) {
	title = strings.Join(strings.Fields(title), " ")
	if n := utf8.RuneCountInString(title); n > MaxTitle {
		return "", Errorf(EINVALID, "The title is %d characters long; the limit is %d. Keep it short and put details in --message.", n, MaxTitle)
	}
	return title, nil
}

// checkMessage checks the length of a timeline message, or of a postmortem.
func checkMessage(name Name, msg string) error {
	n := utf8.RuneCountInString(msg)
	if name == CmdPostmortem && n > MaxPostmortem {
		return Errorf(EINVALID, "The postmortem is %d characters long; the limit is %d. Shorten it, or link to the full document.", n, MaxPostmortem)
	}
	if name != CmdPostmortem && n > MaxMessage {
		return Errorf(EINVALID, "The message is %d characters long; the limit is %d. Split it into several updates.", n, MaxMessage)
	}
	return nil
}

// checkFirstUpdate checks the length of a declaration's first update.
func checkFirstUpdate(msg string) error {
	if n := utf8.RuneCountInString(msg); n > MaxMessage {
		return Errorf(EINVALID, "The first update is %d characters long; the limit is %d. Shorten it, or post the rest with /incident update.", n, MaxMessage)
	}
	return nil
}

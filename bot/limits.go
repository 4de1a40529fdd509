package bot

import (
	"strings"
	"unicode/utf8"
)

// checkTitle cleans a title (see cleanText), normalises its spacing and
// checks its length; the typed command and the declare form both pass
// through it. A title that was only invisible characters is refused.
func checkTitle(raw string) (string, error) {
	title := strings.Join(strings.Fields(cleanText(raw, false)), " ")
	if onlyInvisible(raw, title) {
		return "", Errorf(EINVALID, "The title has no visible characters. Give the incident a title people can read.")
	}
	if n := utf8.RuneCountInString(title); n > MaxTitle {
		return "", Errorf(EINVALID, "The title is %d characters long; the limit is %d. Keep it short and put details in --message.", n, MaxTitle)
	}
	return title, nil
}

// checkMessage cleans a timeline message, or a postmortem, and checks its
// length.
func checkMessage(name Name, raw string) (string, error) {
	msg := strings.TrimSpace(cleanText(raw, true))
	if onlyInvisible(raw, msg) {
		return "", Errorf(EINVALID, "The message has no visible characters. Write what stakeholders should read.")
	}
	n := utf8.RuneCountInString(msg)
	if name == CmdPostmortem && n > MaxPostmortem {
		return "", Errorf(EINVALID, "The postmortem is %d characters long; the limit is %d. Shorten it, or link to the full document.", n, MaxPostmortem)
	}
	if name != CmdPostmortem && n > MaxMessage {
		return "", Errorf(EINVALID, "The message is %d characters long; the limit is %d. Split it into several updates.", n, MaxMessage)
	}
	return msg, nil
}

// checkFirstUpdate cleans a declaration's first update and checks its length.
func checkFirstUpdate(raw string) (string, error) {
	msg := strings.TrimSpace(cleanText(raw, true))
	if onlyInvisible(raw, msg) {
		return "", Errorf(EINVALID, "The first update has no visible characters. Write what stakeholders should read.")
	}
	if n := utf8.RuneCountInString(msg); n > MaxMessage {
		return "", Errorf(EINVALID, "The first update is %d characters long; the limit is %d. Shorten it, or post the rest with /incident update.", n, MaxMessage)
	}
	return msg, nil
}

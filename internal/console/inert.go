package console

import (
	"regexp"
	"strings"
	"unicode"
)

// escapeSequence matches what a terminal acts on instead of showing: CSI
// sequences (colours, cursor moves, "ESC [ 2 J" clearing the screen), OSC
// sequences (window titles, hyperlinks) ended by BEL or ST, and two-byte
// escapes; the 8-bit CSI and OSC forms too.
var escapeSequence = regexp.MustCompile(`(\x1b\[|\x{9b})[0-9:;<=>?]*[ -/]*[@-~]?|(\x1b\]|\x{9d})[^\x07\x1b\x{9c}]*(\x07|\x1b\\|\x{9c})?|\x1b[ -~]?`)

// inert makes text safe to print on a terminal: escape sequences that a
// responder's words (or anything else stored) might carry are removed, and
// so is every other control character but newline and tab.
func inert(s string) string {
	s = escapeSequence.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

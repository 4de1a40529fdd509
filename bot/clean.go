package bot

import (
	"strings"
	"unicode"
)

// What responders type reaches channels, reports and a public status page, so
// characters that change how text reads without showing are taken out before
// anything is kept: bidi embeddings, overrides and isolates (which can make
// "resolved" read as something else), zero-width characters, byte-order
// marks, and control characters. Messages keep their newlines and tabs;
// titles and names are one line.

// invisible reports the runes taken out of every text.
func invisible(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200E', '\u200F', '\u2060', '\uFEFF', '\u061C', '\u180E':
		return true
	}
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// cleanText returns s without invisible and control characters. With lines
// set, newlines and tabs stay; otherwise they become spaces. A zero-width
// joiner stays only inside an emoji sequence (👩‍💻), where it is what
// joins the picture.
func cleanText(s string, lines bool) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for _, r := range s {
		switch {
		case invisible(r):
			continue
		case r == '\u200D' && !emojiPart(prev):
			continue
		case r == '\n' || r == '\t':
			if !lines {
				r = ' '
			}
		case unicode.IsControl(r):
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// emojiPart reports runes after which a zero-width joiner continues an emoji.
func emojiPart(r rune) bool {
	return unicode.Is(unicode.So, r) || r == '\uFE0F' || r >= 0x1F3FB && r <= 0x1F3FF
}

// onlyInvisible reports whether s had something to say before cleaning and
// nothing after it.
func onlyInvisible(raw, cleaned string) bool {
	return strings.TrimSpace(raw) != "" && strings.TrimSpace(cleaned) == ""
}

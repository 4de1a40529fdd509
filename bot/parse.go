package bot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what responders type, so that every post fits every platform.
const (
	MaxTitle         = 150
	MaxMessage       = 3000
	MaxPostmortem    = 12000
	MaxComponents    = 25
	MaxComponentName = 100
)

// token is one word of a command line. raw is the word as typed, quotes
// included; start and end are its byte offsets in the line.
type token struct {
	text, raw  string
	start, end int
	quoted     bool
}

// openQuotes maps each quote that opens a string to the quotes that close it.
// Slack clients turn "straight" quotes into “curly” ones, so both count.
var openQuotes = map[rune]string{
	'"':  `"”“`,
	'“':  `"”“`,
	'”':  `"”“`,
	'\'': `'’‘`,
	'‘':  `'’‘`,
}

// tokenize splits a line shell-like into words. A quote opens a string only
// at the start of a word and closes it only before a space or the end, so an
// apostrophe ("we're", "we’re") is just a letter; a quote that never closes
// is taken literally rather than refused.
func tokenize(line string) []token {
	var toks []token
	i := 0
	for i < len(line) {
		r, size := utf8.DecodeRuneInString(line[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		if closers, ok := openQuotes[r]; ok {
			if end := closingQuote(line, i+size, closers); end >= 0 {
				_, csize := utf8.DecodeRuneInString(line[end:])
				toks = append(toks, token{text: line[i+size : end], raw: line[i : end+csize], start: i, end: end + csize, quoted: true})
				i = end + csize
				continue
			}
		}
		end := i
		for end < len(line) {
			r, size := utf8.DecodeRuneInString(line[end:])
			if unicode.IsSpace(r) {
				break
			}
			end += size
		}
		toks = append(toks, token{text: line[i:end], raw: line[i:end], start: i, end: end})
		i = end
	}
	return toks
}

// closingQuote finds, from byte offset from, the first quote in closers that
// stands before a space or the end of line, or returns -1.
func closingQuote(line string, from int, closers string) int {
	for j := from; j < len(line); {
		r, size := utf8.DecodeRuneInString(line[j:])
		if strings.ContainsRune(closers, r) {
			next, _ := utf8.DecodeRuneInString(line[j+size:])
			if j+size == len(line) || unicode.IsSpace(next) {
				return j
			}
		}
		j += size
	}
	return -1
}

// flagName returns the name of a flag token ("--at", "--at=...", and "—at"
// as macOS and Slack autocorrect "--"), or "" when the token is not a flag.
func flagName(t token) (name, value string, hasValue bool) {
	if t.quoted {
		return "", "", false
	}
	s := t.text
	switch {
	case strings.HasPrefix(s, "--"):
		s = s[2:]
	case strings.HasPrefix(s, "—"), strings.HasPrefix(s, "–"):
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		// A dash before an unknown word is prose, not a flag.
		if n, _, _ := strings.Cut(s, "="); !contains(allFlags, n) {
			return "", "", false
		}
	default:
		return "", "", false
	}
	name, value, hasValue = strings.Cut(s, "=")
	return name, value, hasValue
}

// allFlags is every flag name any command knows.
var allFlags = []string{"impact", "components", "message", "started", "at", "all"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ParseRef reads an incident reference: "INC-12", "inc-12", "#12" or "12".
func ParseRef(s string) (int, bool) {
	switch {
	case len(s) > 4 && strings.EqualFold(s[:4], "INC-"):
		s = s[4:]
	case strings.HasPrefix(s, "#"):
		s = s[1:]
	}
	if s == "" || len(s) > 9 || s[0] == '0' {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

package bot

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what responders type, so that every post fits every platform.
const (
	MaxTitle      = 150
	MaxMessage    = 3000
	MaxPostmortem = 12000
	// MaxLine bounds a whole command line before it is read at all.
	MaxLine          = 64 * 1024
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

// quoteClass tells which quotes close a string another quote opened. Slack
// clients turn "straight" quotes into “curly” ones, so both count.
func quoteClass(r rune) (class int, ok bool) {
	switch r {
	case '"', '“', '”':
		return 1, true
	case '\'', '‘', '’':
		return 2, true
	}
	return 0, false
}

// tokenize splits a line shell-like into words. A quote opens a string only
// at the start of a word (or of a flag's value, --message="...") and closes
// it only before a space or the end, so an apostrophe ("we're", "we’re") is
// just a letter; a quote that never closes is taken literally.
func tokenize(line string) []token {
	closers := closingQuotes(line)
	var toks []token
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		if class, ok := quoteClass(r); ok {
			if end := closers.after(class, i+size); end >= 0 {
				csize := closers.size(end)
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
		t := token{text: line[i:end], raw: line[i:end], start: i, end: end}
		if eq := strings.IndexByte(t.text, '='); eq > 0 && isDash(t.text) && eq+1 < len(t.text) {
			// --message="We are on it": the quote opens the value.
			q, qsize := utf8.DecodeRuneInString(t.text[eq+1:])
			if class, ok := quoteClass(q); ok {
				if close := closers.after(class, i+eq+1+qsize); close >= 0 {
					t.end = close + closers.size(close)
					t.text = line[i:i+eq+1] + line[i+eq+1+qsize:close]
					t.raw = line[i:t.end]
				}
			}
		}
		toks = append(toks, t)
		i = t.end
	}
	return toks
}

// quoteEnds lists, per quote class, the byte offsets of the quotes that can
// close a string: those before a space or the end of the line. Finding a
// closer is then a binary search, so a line full of lone quotes costs no
// more than n log n.
type quoteEnds struct {
	line    string
	byClass [3][]int
}

func closingQuotes(line string) quoteEnds {
	q := quoteEnds{line: line}
	for j, r := range line {
		class, ok := quoteClass(r)
		if !ok {
			continue
		}
		next, _ := utf8.DecodeRuneInString(line[j+utf8.RuneLen(r):])
		if j+utf8.RuneLen(r) == len(line) || unicode.IsSpace(next) {
			q.byClass[class] = append(q.byClass[class], j)
		}
	}
	return q
}

// after returns the first closer of class at or after byte offset from, or -1.
func (q quoteEnds) after(class, from int) int {
	ends := q.byClass[class]
	if k := sort.SearchInts(ends, from); k < len(ends) {
		return ends[k]
	}
	return -1
}

// size is the byte length of the quote at offset j.
func (q quoteEnds) size(j int) int {
	_, n := utf8.DecodeRuneInString(q.line[j:])
	return n
}

// isDash reports whether a word starts like a flag: "--", or the "—" and
// "–" that macOS and Slack autocorrect "--" into.
func isDash(s string) bool {
	return strings.HasPrefix(s, "--") || strings.HasPrefix(s, "—") || strings.HasPrefix(s, "–")
}

// flag is a word read as a flag: --at, --at=..., or —at as macOS and Slack
// autocorrect "--". Names are read in lower case.
type flag struct {
	name, value string
	hasValue    bool
	// autocorrected flags ("—at") may as well be prose ("—at least"): when
	// they do not parse as a flag they are taken as text.
	autocorrected bool
}

// flagOf reads t as a flag; ok is false for a word that is not one.
func flagOf(t token) (f flag, ok bool) {
	if t.quoted || !isDash(t.text) {
		return flag{}, false
	}
	s := t.text
	if strings.HasPrefix(s, "--") {
		s = s[2:]
	} else {
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		f.autocorrected = true
	}
	f.name, f.value, f.hasValue = strings.Cut(s, "=")
	f.name = strings.ToLower(f.name)
	if f.name == "" || f.autocorrected && !slices.Contains(allFlags, f.name) {
		return flag{}, false // "--" and "—" in prose are just dashes
	}
	return f, true
}

// allFlags is every flag name any command knows.
var allFlags = []string{"impact", "components", "message", "started", "at", "all", "private", "internal", "since", "next", "owner", "due", "mine", "overdue"}

// ParseRef reads an incident reference: "INC-12", "inc-12", "#12" or "12"
// (the grammar takes a bare number only where it cannot be text).
// Leading zeros are read after a prefix ("INC-0012"), not in a bare number,
// which is more likely the start of a message ("007 ...").
func ParseRef(s string) (int, bool) {
	prefixed := true
	switch {
	case hasRefPrefix(s):
		s = s[4:]
	case strings.HasPrefix(s, "#"):
		s = s[1:]
	default:
		prefixed = false
	}
	if prefixed {
		s = strings.TrimLeft(s, "0")
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

// isBareNumber reports whether a reference was written without INC- or #.
func isBareNumber(s string) bool {
	return !hasRefPrefix(s) && !strings.HasPrefix(s, "#")
}

// hasRefPrefix reports whether s starts with "INC-" in any letter case: a
// word that does is meant as a reference, even a mistyped one.
func hasRefPrefix(s string) bool {
	return len(s) >= 4 && strings.EqualFold(s[:4], "INC-")
}

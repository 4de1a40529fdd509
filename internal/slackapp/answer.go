package slackapp

import "encoding/json"

// withoutMessage is Slack's answer to a post or an edit with its top-level
// "message" member cut out, or nil when it has none or is not a JSON object
// that can be walked so. It walks the top level only: the message, blocks
// and all, is skipped by counting brackets outside strings, one pass over
// its bytes where decoding the answer took encoding/json two (a validation
// and a decode that skips it), and was a tenth of delivery's CPU.
//
// What is left is checked whole (json.Valid, on a hundred bytes or so), so
// slack-go never gets what Slack did not send.
func withoutMessage(b []byte) []byte {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return nil
	}
	i = skipSpace(b, i+1)
	prev := -1 // where the member before ends, before its comma
	for i < len(b) && b[i] != '}' {
		key := i
		keyEnd := skipString(b, i)
		if keyEnd < 0 {
			return nil
		}
		i = skipSpace(b, keyEnd)
		if i == len(b) || b[i] != ':' {
			return nil
		}
		end := skipValue(b, skipSpace(b, i+1))
		if end < 0 {
			return nil
		}
		i = skipSpace(b, end)
		if i == len(b) || b[i] != ',' && b[i] != '}' {
			return nil
		}
		if string(b[key:keyEnd]) == `"message"` {
			from, to := key, i+1 // the member and the comma after it
			if b[i] == '}' {
				to = end // the last member: the comma before it, if any
				if prev >= 0 {
					from = prev
				}
			}
			cut := append(append(make([]byte, 0, len(b)-(to-from)), b[:from]...), b[to:]...)
			if !json.Valid(cut) {
				return nil
			}
			return cut
		}
		prev = end
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipString is the end of the string starting at i, or -1.
func skipString(b []byte, i int) int {
	if i == len(b) || b[i] != '"' {
		return -1
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++ // whatever is escaped, \" above all, is not the end
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue is the end of the value starting at i, or -1. Objects and
// arrays end where their brackets balance; a string's brackets do not count.
func skipValue(b []byte, i int) int {
	if i == len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	start := i // a number, true, false or null
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && !isSpace(b[i]) {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

package slackapp

import (
	"encoding/json"
	"maps"
	"testing"
)

// trimCases are answers as Slack and the fake write them, and what is left
// once the message is cut: nil when there is none to cut or the answer is
// not an object.
var trimCases = []struct{ name, in, want string }{
	{"Slack's order", `{"ok":true,"channel":"C1","ts":"1.2","message":{"text":"hi","blocks":[{"type":"section"}]}}`, `{"ok":true,"channel":"C1","ts":"1.2"}`},
	{"the fake's order", `{"channel":"C1","message":{"text":"hi"},"ok":true,"ts":"1.2"}`, `{"channel":"C1","ok":true,"ts":"1.2"}`},
	{"first", `{"message":{"text":"hi"},"ok":true}`, `{"ok":true}`},
	{"alone", `{"message":{}}`, `{}`},
	{"spaced", "{ \"ok\" : true ,\n  \"message\" : { \"a\" : [ 1 , 2 ] } \n}", "{ \"ok\" : true \n}"},
	{"brackets and quotes in its strings", `{"message":{"text":"} ] \" { [ \\","x":["\"}"]},"ts":"1.2"}`, `{"ts":"1.2"}`},
	{"a message key inside the message", `{"ok":true,"message":{"message":"x","ts":"9.9"},"ts":"1.2"}`, `{"ok":true,"ts":"1.2"}`},
	{"an error, no message", `{"ok":false,"error":"channel_not_found"}`, ""},
	{"a string named message", `{"ok":true,"message":"hello"}`, `{"ok":true}`},
	{"an array", `[{"message":1}]`, ""},
	{"cut short", `{"ok":true,"message":{"text":"hi"`, ""},
	{"no colon", `{"ok" true,"message":{}}`, ""},
	{"empty", ``, ""},
	{"an empty object", `{}`, ""},
}

func TestWithoutMessage(t *testing.T) {
	for _, c := range trimCases {
		if got := withoutMessage([]byte(c.in)); string(got) != c.want || (got == nil) != (c.want == "") {
			t.Errorf("%s: %s\ngave %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// FuzzWithoutMessage: for any JSON object, what is left is valid JSON with
// every member but the message as it came; for anything else, nothing
// slack-go could not read.
func FuzzWithoutMessage(f *testing.F) {
	for _, c := range trimCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := withoutMessage(in)
		if out != nil && !json.Valid(out) {
			t.Fatalf("%q gave invalid %q", in, out)
		}
		var whole map[string]json.RawMessage
		if json.Unmarshal(in, &whole) != nil || whole == nil {
			return
		}
		_, had := whole["message"]
		if !had {
			if out != nil {
				t.Fatalf("%q has no message, gave %q", in, out)
			}
			return
		}
		var left map[string]json.RawMessage
		if err := json.Unmarshal(out, &left); err != nil {
			t.Fatalf("%q gave %q: %v", in, out, err)
		}
		delete(whole, "message")
		delete(left, "message") // a second message member, where a key repeats
		if !maps.EqualFunc(whole, left, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
			t.Fatalf("%q gave %q: members %v, want %v", in, out, left, whole)
		}
	})
}

package slackapp_test

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/slackapp"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sign(ts, body string) string { return slackapp.Sign(secret, ts, []byte(body)) }

func slashCommand(channel, text string) slack.SlashCommand {
	return slack.SlashCommand{TeamID: chattest.SlackTeamID, ChannelID: channel, UserID: "U0ALEX", Command: "/incident", Text: text}
}

// ephemeralAnswer is the answer to a slash command only its typist sees.
type ephemeralAnswer struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

// plain re-encodes JSON as Slack reads it, without Go's \u0026 for &, so a
// test sees the entities the door wrote.
func plain(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return b.String()
}

package chattest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// The chat.* methods of the fake Slack.

func (s *Slack) postMessage(f url.Values) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	if err := checkSlackContent(f, true); err != nil {
		return nil, err
	}
	thread := f.Get("thread_ts")
	if thread != "" {
		if root := s.findLocked(ch.ID, thread); root == nil || root.ThreadTS != "" {
			return nil, slackError("thread_not_found")
		}
	}
	s.tsSeq++
	m := &SlackMessage{
		Channel:  ch.ID,
		TS:       fmt.Sprintf("%d.%06d", time.Now().Unix(), s.tsSeq),
		ThreadTS: thread,
		Raw:      f,
	}
	m.setContent(f)
	s.msgs[ch.ID] = append(s.msgs[ch.ID], m)
	return slackObj{"channel": ch.ID, "ts": m.TS, "message": slackMessageJSON(m)}, nil
}

func (s *Slack) updateMessage(f url.Values) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	m := s.findLocked(ch.ID, f.Get("ts"))
	if m == nil {
		return nil, slackError("message_not_found")
	}
	if err := checkSlackContent(f, false); err != nil {
		return nil, err
	}
	m.setContent(f)
	m.Edits++
	m.Raw = f
	return slackObj{"channel": ch.ID, "ts": m.TS, "text": m.Text, "message": slackMessageJSON(m)}, nil
}

// checkSlackContent answers invalid_blocks or invalid_attachments for a field
// that is not a JSON array, invalid_metadata_format for metadata that is not
// {"event_type":"…","event_payload":{…}}, and no_text for a post with nothing
// to show or an update that changes nothing.
func checkSlackContent(f url.Values, post bool) error {
	if f.Has("metadata") {
		var md struct {
			EventType    string         `json:"event_type"`
			EventPayload map[string]any `json:"event_payload"`
		}
		if json.Unmarshal([]byte(f.Get("metadata")), &md) != nil || md.EventType == "" || md.EventPayload == nil {
			return slackError("invalid_metadata_format")
		}
	}
	shown := f.Get("text") != ""
	for _, field := range []string{"blocks", "attachments"} {
		var list []json.RawMessage
		if f.Has(field) && json.Unmarshal([]byte(f.Get(field)), &list) != nil {
			return slackError("invalid_" + field)
		}
		shown = shown || len(list) > 0
	}
	if post && !shown || !post && !f.Has("text") && !f.Has("blocks") && !f.Has("attachments") {
		return slackError("no_text")
	}
	return nil
}

// setContent writes the fields a call sends. Like Slack's chat.update, it
// keeps what a call leaves out, metadata included; an empty array clears
// blocks or attachments.
func (m *SlackMessage) setContent(f url.Values) {
	if f.Has("text") {
		m.Text = f.Get("text")
	}
	if f.Has("blocks") {
		m.Blocks = json.RawMessage(f.Get("blocks"))
	}
	if f.Has("attachments") {
		m.Attachments = json.RawMessage(f.Get("attachments"))
	}
	if f.Has("metadata") {
		m.Metadata = json.RawMessage(f.Get("metadata"))
	}
}

// slackMessageJSON renders a message as chat.postMessage and chat.update
// answer it, metadata included.
func slackMessageJSON(m *SlackMessage) slackObj {
	o := slackObj{"type": "message", "user": SlackBotUserID, "bot_id": SlackBotID, "text": m.Text, "ts": m.TS}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		o["blocks"] = m.Blocks
	}
	if len(m.Attachments) > 0 {
		o["attachments"] = m.Attachments
	}
	if len(m.Metadata) > 0 {
		o["metadata"] = m.Metadata
	}
	return o
}

func (s *Slack) findLocked(channel, ts string) *SlackMessage {
	for _, m := range s.msgs[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

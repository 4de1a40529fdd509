package chattest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// The reader's view of both fakes, for exactly-once checks: what a member of
// a channel would see more than once.

// Duplicates lists what a reader would see twice: one line per repeated key,
// "<channel> <key> x<count>" among top-level messages and
// "<channel>/<root ts> <key> x<count>" within a thread, sorted. A message's
// key is `metadata <JSON>` when it has metadata (keys sorted, so key order
// does not matter), else `text "<text>"`, else its blocks and attachments.
// Messages are compared as they read now, after edits. Nil means none.
func (s *Slack) Duplicates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[string]int{}
	for channel, msgs := range s.msgs {
		for _, m := range msgs {
			where := channel
			if m.ThreadTS != "" {
				where += "/" + m.ThreadTS
			}
			counts[where+" "+m.readerKey()]++
		}
	}
	return repeated(counts)
}

func (m *SlackMessage) readerKey() string {
	if len(m.Metadata) > 0 {
		d := json.NewDecoder(strings.NewReader(string(m.Metadata)))
		d.UseNumber()
		var v any
		if d.Decode(&v) == nil {
			if b, err := json.Marshal(v); err == nil {
				return "metadata " + string(b)
			}
		}
	}
	if m.Text != "" {
		return "text " + strconv.Quote(m.Text)
	}
	return "content " + strconv.Quote(string(m.Blocks)+string(m.Attachments))
}

// Duplicates lists what a reader would see twice: one line per repeated key,
// "<channel or thread ID> <key> x<count>" for messages, sorted. A message's
// key is `nonce "<nonce>"` when it was sent with an enforced nonce (a nonce
// Discord does not enforce may be reused on purpose), else
// `embed "<title>\n<description>"` over its embeds, else `content "<text>"`.
// Ephemeral messages are left out; messages are compared as they read now,
// after edits. Threads count too, as `<parent ID> thread "<name>" x<count>`,
// and channels as `<guild ID> channel "<name>" x<count>`: a retried create
// makes a second one of the same name. Nil means none.
func (d *Discord) Duplicates() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	counts := map[string]int{}
	for channel, msgs := range d.byChannel {
		for _, m := range msgs {
			if !m.hidden {
				counts[channel+" "+m.readerKey()]++
			}
		}
	}
	for _, c := range d.channels {
		if c.Thread {
			counts[c.ParentID+" thread "+strconv.Quote(c.Name)]++
		} else {
			counts[c.GuildID+" channel "+strconv.Quote(c.Name)]++
		}
	}
	return repeated(counts)
}

func (m *message) readerKey() string {
	if m.EnforceNonce && m.Nonce != "" {
		return "nonce " + strconv.Quote(m.Nonce)
	}
	var parts []string
	for _, e := range clone[[]*discordgo.MessageEmbed](m.embeds) {
		if e != nil && (e.Title != "" || e.Description != "") {
			parts = append(parts, e.Title+"\n"+e.Description)
		}
	}
	if len(parts) > 0 {
		return "embed " + strconv.Quote(strings.Join(parts, "\n\n"))
	}
	return "content " + strconv.Quote(m.Content)
}

// repeated renders the keys counted more than once as "<key> x<count>", sorted.
func repeated(counts map[string]int) []string {
	var out []string
	for k, n := range counts {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s x%d", k, n))
		}
	}
	slices.Sort(out)
	return out
}

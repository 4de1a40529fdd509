package chattest

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/slack-go/slack"
)

// The conversations.* methods of the fake Slack that manage channels.

func (s *Slack) createChannel(f url.Values) (slackObj, error) {
	name := f.Get("name")
	switch {
	case name == "":
		return nil, slackError("invalid_name_required")
	case len([]rune(name)) > 80:
		return nil, slackError("invalid_name_maxlength")
	case strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "":
		return nil, slackError("invalid_name_specials")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.chans {
		if ch.Name == name {
			return nil, slackError("name_taken")
		}
	}
	s.idSeq++
	ch := &SlackChannel{ID: fmt.Sprintf("C%04d", s.idSeq), Name: name, Private: f.Get("is_private") == "true"}
	s.chans[ch.ID] = ch
	s.created = append(s.created, ch.ID)
	return slackObj{"channel": s.channelJSONLocked(ch)}, nil
}

// invite fails as a whole, like Slack, when any user is already a member.
func (s *Slack) invite(f url.Values) (slackObj, error) {
	return s.withChannel(f, func(ch *SlackChannel) error {
		users := strings.FieldsFunc(f.Get("users"), func(r rune) bool { return r == ',' || r == ' ' })
		if len(users) == 0 {
			return slackError("no_user")
		}
		for _, u := range users {
			if u == SlackBotUserID {
				return slackError("cant_invite_self")
			}
			if slices.Contains(ch.Members, u) {
				return slackError("already_in_channel")
			}
		}
		for _, u := range users {
			if !slices.Contains(ch.Members, u) { // a user named twice joins once
				ch.Members = append(ch.Members, u)
			}
		}
		return nil
	})
}

func (s *Slack) setTopic(f url.Values) (slackObj, error) {
	return s.withChannel(f, func(ch *SlackChannel) error {
		if len([]rune(f.Get("topic"))) > 250 {
			return slackError("too_long")
		}
		ch.Topic = f.Get("topic")
		return nil
	})
}

// join is harmless: the bot is a member of every channel.
func (s *Slack) join(f url.Values) (slackObj, error) {
	return s.withChannel(f, func(*SlackChannel) error { return nil })
}

// channelInfo serves conversations.info.
func (s *Slack) channelInfo(f url.Values) (slackObj, error) {
	return s.withChannel(f, func(*SlackChannel) error { return nil })
}

// groupMembers serves usergroups.users.list: a group's members, or
// no_such_subteam for an ID that is no group.
func (s *Slack) groupMembers(f url.Values) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	users, ok := s.groups[f.Get("usergroup")]
	if !ok {
		return nil, slackError("no_such_subteam")
	}
	return slackObj{"users": append([]string{}, users...)}, nil
}

// withChannel runs change on the request's channel and answers with the channel.
func (s *Slack) withChannel(f url.Values, change func(*SlackChannel) error) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	if err := change(ch); err != nil {
		return nil, err
	}
	return slackObj{"channel": s.channelJSONLocked(ch)}, nil
}

// channelJSONLocked answers with slack-go's own type, so the client can
// decode it. The bot is the creator of the channels conversations.create
// made; who made the others the fake does not know.
func (s *Slack) channelJSONLocked(ch *SlackChannel) slack.Channel {
	var c slack.Channel
	c.ID, c.Name, c.NameNormalized = ch.ID, ch.Name, ch.Name
	c.IsChannel, c.IsPrivate, c.IsMember = true, ch.Private, true
	c.Members = append([]string{SlackBotUserID}, ch.Members...)
	if slices.Contains(s.created, ch.ID) {
		c.Creator = SlackBotUserID
	}
	c.Topic = slack.Topic{Value: ch.Topic, Creator: SlackBotUserID}
	return c
}

// listChannels serves conversations.list: every channel the fake knows
// (created, added or used), by ID, none archived, public ones for types
// public_channel (the default) and private ones for private_channel. Pages
// hold limit channels (100 by default, at most 1000).
func (s *Slack) listChannels(f url.Values) (slackObj, error) {
	types := map[string]bool{}
	for t := range strings.SplitSeq(cmp.Or(f.Get("types"), "public_channel"), ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains([]string{"public_channel", "private_channel", "mpim", "im"}, t) {
			return nil, slackError("invalid_types")
		}
		types[t] = true
	}
	limit, err := slackLimit(f, 100, 1000)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []slack.Channel
	for _, id := range slices.Sorted(maps.Keys(s.chans)) {
		ch := s.chans[id]
		if ch.Private && types["private_channel"] || !ch.Private && types["public_channel"] {
			list = append(list, s.channelJSONLocked(ch))
		}
	}
	page, next, err := slackPage(list, func(c slack.Channel) string { return c.ID }, f.Get("cursor"), limit)
	if err != nil {
		return nil, err
	}
	return slackObj{"channels": page, "response_metadata": slackObj{"next_cursor": next}}, nil
}

// channelLocked finds a channel by ID, remembering a C… or G… ID on first use.
func (s *Slack) channelLocked(id string) (*SlackChannel, error) {
	if ch, ok := s.chans[id]; ok {
		return ch, nil
	}
	if len(id) < 2 || (id[0] != 'C' && id[0] != 'G') {
		return nil, slackError("channel_not_found")
	}
	ch := &SlackChannel{ID: id, Private: id[0] == 'G'} // G…: a private channel made before 2021
	s.chans[id] = ch
	return ch, nil
}

func (ch *SlackChannel) copy() SlackChannel {
	c := *ch
	c.Members = append([]string(nil), ch.Members...)
	return c
}

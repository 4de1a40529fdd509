package slackapp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
)

// directoryTTL is how long an answer from Slack is trusted: someone added to
// the on-call group is a responder within a minute, and a burst of commands
// asks Slack once.
const directoryTTL = time.Minute

// Directory tells the core what a slash command does not carry: who is in a
// user group, and whether a channel is private.
type Directory struct {
	api *slack.Client
	now func() time.Time
	log bot.Logger

	mu      sync.Mutex
	groups  map[string]cached[[]string] // members, by workspace and group
	private map[string]cached[bool]     // by workspace and channel
}

type cached[T any] struct {
	value T
	at    time.Time
}

var _ bot.Directory = (*Directory)(nil)

// Directory returns the door's Directory, which the service asks.
func (a *App) Directory() *Directory { return a.dir }

func newDirectory(api *slack.Client, log bot.Logger) *Directory {
	return &Directory{api: api, now: time.Now, log: log,
		groups: map[string]cached[[]string]{}, private: map[string]cached[bool]{}}
}

// Among returns those of groups that user is a member of. User IDs in groups
// are not groups and are passed over, as are IDs Slack knows no group by.
func (d *Directory) Among(ctx context.Context, ws bot.Workspace, user string, groups []string) ([]string, error) {
	var in []string
	for _, g := range groups {
		if !strings.HasPrefix(g, "S") {
			continue
		}
		members, err := d.members(ctx, ws, g)
		if err != nil {
			return nil, err
		}
		if slices.Contains(members, user) {
			in = append(in, g)
		}
	}
	return in, nil
}

func (d *Directory) members(ctx context.Context, ws bot.Workspace, group string) ([]string, error) {
	key := ws.ID + "/" + group
	if c, ok := lookup(d, d.groups, key); ok {
		return c, nil
	}
	members, err := d.api.GetUserGroupMembersContext(ctx, group)
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && se.Err == "no_such_subteam":
		d.log.Warn("slack: a responder group Slack does not know; check SLACK_RESPONDERS", "group", group)
		members, err = nil, nil
	case err != nil:
		return nil, err
	}
	keep(d, d.groups, key, members)
	return members, nil
}

// Private reports whether a channel is private. A channel Slack will not
// show the bot (channel_not_found: a private channel it is not in) is.
func (d *Directory) Private(ctx context.Context, ws bot.Workspace, channel string) (bool, error) {
	if strings.HasPrefix(channel, "G") {
		return true, nil // private channels made before 2021
	}
	key := ws.ID + "/" + channel
	if p, ok := lookup(d, d.private, key); ok {
		return p, nil
	}
	ch, err := d.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	var se slack.SlackErrorResponse
	private := false
	switch {
	case errors.As(err, &se) && se.Err == "channel_not_found":
		private = true
	case err != nil:
		return false, err
	default:
		private = ch.IsPrivate
	}
	d.remember(ws, channel, private)
	return private, nil
}

// remember records what a request already told about a channel (Slack names
// private channels "privategroup" in slash commands), sparing the call.
func (d *Directory) remember(ws bot.Workspace, channel string, private bool) {
	keep(d, d.private, ws.ID+"/"+channel, private)
}

// maxCached bounds each cache: past it, stale answers are dropped.
const maxCached = 4096

// lookup returns a cached answer younger than directoryTTL.
func lookup[T any](d *Directory, m map[string]cached[T], key string) (T, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := m[key]
	if !ok || d.now().Sub(c.at) >= directoryTTL {
		var zero T
		return zero, false
	}
	return c.value, true
}

func keep[T any](d *Directory, m map[string]cached[T], key string, v T) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if len(m) >= maxCached {
		for k, c := range m {
			if now.Sub(c.at) >= directoryTTL {
				delete(m, k)
			}
		}
	}
	m[key] = cached[T]{v, now}
}

package chattest

import (
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// The routes of the fake Discord that list what the bot created, so that a
// bot unsure whether its thread or channel was made can look for it.

// activeThreads serves GET /guilds/{id}/threads/active: every thread created
// in the guild, none ever archived, and no thread members.
func (d *Discord) activeThreads(w http.ResponseWriter, r *http.Request, p []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	threads := []*discordgo.Channel{}
	for _, c := range d.channels {
		if c.Thread && c.GuildID == p[0] {
			threads = append(threads, c.wire())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"threads": threads, "members": []any{}})
}

// guildChannels serves GET /guilds/{id}/channels: the channels created in the
// guild, threads left out as on Discord. Channels the bot merely posted to
// are not listed.
func (d *Discord) guildChannels(w http.ResponseWriter, r *http.Request, p []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	chs := []*discordgo.Channel{}
	for _, c := range d.channels {
		if !c.Thread && c.GuildID == p[0] {
			chs = append(chs, c.wire())
		}
	}
	writeJSON(w, http.StatusOK, chs)
}

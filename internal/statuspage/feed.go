package statuspage

import "github.com/incidentbot/incidentbot/bot"

// renderFeeds is filled in with the Atom and RSS feeds.
func (h *Handler) renderFeeds(bot.Page, string, map[string]doc) error { return nil }

package statuspage

import (
	"encoding/xml"
	"fmt"
	"slices"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// The feeds have one entry per public update, newest first, so a reader
// learns of each as it comes, and the postmortem too.

// maxFeedEntries is how many updates a feed holds.
const maxFeedEntries = 100

// feedEntry is one update as both feeds tell it.
type feedEntry struct {
	id, title, body, link string
	at                    time.Time
}

func feedEntries(page bot.Page, url string) []feedEntry {
	var out []feedEntry
	for _, inc := range page.Incidents {
		updates := inc.Updates
		if inc.Postmortem != nil {
			updates = append(slices.Clone(updates), *inc.Postmortem)
		}
		for _, u := range updates {
			out = append(out, feedEntry{
				id:    url + "incidents/" + inc.ID + "#" + bot.UpdateID(inc.ID, u.Seq),
				title: fmt.Sprintf("%s: %s", inc.Incident.Title, label(string(u.Status))),
				body:  u.Message, link: url + "incidents/" + inc.ID, at: u.At,
			})
		}
	}
	slices.SortStableFunc(out, func(a, b feedEntry) int { return b.at.Compare(a.at) })
	if len(out) > maxFeedEntries {
		out = out[:maxFeedEntries]
	}
	return out
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Link      atomLink `xml:"link"`
	Content   atomText `xml:"content"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	Description string  `xml:"description"`
	PubDate     string  `xml:"pubDate"`
	GUID        rssGUID `xml:"guid"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	ID          string `xml:",chardata"`
}

type rssFeed struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Atom    string   `xml:"xmlns:atom,attr"`
	Channel struct {
		Title         string    `xml:"title"`
		Link          string    `xml:"link"`
		Description   string    `xml:"description"`
		Language      string    `xml:"language"`
		LastBuildDate string    `xml:"lastBuildDate"`
		Self          atomLink  `xml:"atom:link"`
		Items         []rssItem `xml:"item"`
	} `xml:"channel"`
}

// renderFeeds renders /history.atom and /history.rss.
func (h *Handler) renderFeeds(page bot.Page, url string, docs map[string]doc) error {
	entries := feedEntries(page, url)
	updated := page.Updated
	if updated.IsZero() {
		updated = page.Built
	}
	title := page.Org + " status - incident history"
	atom := atomFeed{Lang: "en", ID: url + "history", Title: title, Updated: updated.UTC().Format(time.RFC3339), Author: page.Org,
		Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: url}, {Rel: "self", Type: "application/atom+xml", Href: url + "history.atom"}}}
	var rss rssFeed
	rss.Version, rss.Atom = "2.0", "http://www.w3.org/2005/Atom"
	rss.Channel.Title, rss.Channel.Link, rss.Channel.Language = title, url, "en"
	rss.Channel.Description = "Every update of " + page.Org + "'s public incidents."
	rss.Channel.LastBuildDate = updated.UTC().Format(time.RFC1123Z)
	rss.Channel.Self = atomLink{Rel: "self", Type: "application/rss+xml", Href: url + "history.rss"}
	for _, e := range entries {
		at := e.at.UTC().Format(time.RFC3339)
		atom.Entries = append(atom.Entries, atomEntry{ID: e.id, Title: e.title, Published: at, Updated: at,
			Link: atomLink{Rel: "alternate", Type: "text/html", Href: e.link}, Content: atomText{Type: "text", Text: e.body}})
		rss.Channel.Items = append(rss.Channel.Items, rssItem{Title: e.title, Link: e.link, Description: e.body,
			PubDate: e.at.UTC().Format(time.RFC1123Z), GUID: rssGUID{ID: e.id}})
	}
	for path, v := range map[string]any{"history.atom": atom, "history.rss": rss} {
		b, err := xml.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("statuspage: %s: %w", path, err)
		}
		ctype := "application/atom+xml; charset=utf-8"
		if path == "history.rss" {
			ctype = "application/rss+xml; charset=utf-8"
		}
		docs[path] = newDoc(ctype, append([]byte(xml.Header), b...), false)
	}
	return nil
}

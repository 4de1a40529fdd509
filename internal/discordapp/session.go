package discordapp

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
)

// NewSession returns a discordgo session for the bot token that leaves rate
// limits to the delivery loop and, when apiURL is set, sends every request
// there instead of to Discord (tests and proxies). discordgo's endpoints are
// package variables fixed at start-up, so the redirection is done by the
// HTTP client, touching no globals.
func NewSession(token, apiURL string) (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, err
	}
	s.ShouldRetryOnRateLimit = false
	// A connection kept open for each of delivery's calls at once, where
	// Go's default keeps two and a burst dialled anew for most calls.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 2 * bot.DefaultWorkers(bot.Discord)
	s.Client = &http.Client{Timeout: 10 * time.Second, Transport: t}
	if apiURL != "" {
		base, err := url.Parse(apiURL)
		if err != nil {
			return nil, err
		}
		s.Client.Transport = rewrite{base: base, next: t}
	}
	return s, nil
}

// rewrite sends each request to base, keeping its path under base's.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.base.Scheme, rw.base.Host, ""
	r.URL.Path = strings.TrimSuffix(rw.base.Path, "/") + r.URL.Path
	return rw.next.RoundTrip(r)
}

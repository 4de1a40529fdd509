package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/incidentbot/incidentbot/bot"
)

// Status configures the public status page, its API, feeds and webhooks.
type Status struct {
	// Off turns the page and its API off (INCIDENTBOT_STATUS=off).
	Off bool
	// Path is where the page is served, "/" by default; the API and feeds
	// sit under it.
	Path string
	// Components is the page's list of components, in order.
	Components bot.Catalog
	// Webhooks are the URLs told of every public update.
	Webhooks []string
	// WebhookSecret signs webhook payloads; receivers verify with it.
	WebhookSecret string
	// URL is the page's public address, ending in "/"
	// (INCIDENTBOT_STATUS_URL): chat replies too long to show every update
	// point there. Empty when unknown, or when the page is off.
	URL string
}

// loadStatus reads the status page's variables, reporting every problem.
func loadStatus(env func(string) string) (Status, []error) {
	var s Status
	var problems []error
	switch v := strings.ToLower(env("INCIDENTBOT_STATUS")); v {
	case "", "on":
	case "off":
		s.Off = true
	default:
		problems = append(problems, errors.New("INCIDENTBOT_STATUS must be on (the default) or off"))
	}
	s.Path = env("INCIDENTBOT_STATUS_PATH")
	if s.Path == "" {
		s.Path = "/"
	}
	if u, err := url.Parse(s.Path); err != nil || !strings.HasPrefix(s.Path, "/") || u.Path != s.Path || strings.Contains(s.Path, "//") {
		problems = append(problems, fmt.Errorf("INCIDENTBOT_STATUS_PATH %q must be a path like /status", clipped(s.Path)))
	}
	s.Path = strings.TrimSuffix(s.Path, "/") + "/"
	cat, err := bot.ParseCatalog(env("INCIDENTBOT_COMPONENTS"))
	if err != nil {
		problems = append(problems, fmt.Errorf("INCIDENTBOT_COMPONENTS: %v", err))
	}
	s.Components = cat
	for raw := range strings.SplitSeq(env("INCIDENTBOT_WEBHOOKS"), ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, fmt.Errorf("INCIDENTBOT_WEBHOOKS: %q is not an http(s) URL", clipped(raw)))
			continue
		}
		s.Webhooks = append(s.Webhooks, raw)
	}
	if raw := env("INCIDENTBOT_STATUS_URL"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			problems = append(problems, fmt.Errorf("INCIDENTBOT_STATUS_URL %q must be the page's address, like https://status.example.com/", clipped(raw)))
		} else if !s.Off {
			s.URL = strings.TrimSuffix(raw, "/") + "/"
		}
	}
	s.WebhookSecret = env("INCIDENTBOT_WEBHOOK_SECRET")
	if len(s.Webhooks) > 0 && len(s.WebhookSecret) < 16 {
		problems = append(problems, errors.New("INCIDENTBOT_WEBHOOK_SECRET must be set, at least 16 characters, when INCIDENTBOT_WEBHOOKS is: receivers verify every payload with it"))
	}
	return s, problems
}

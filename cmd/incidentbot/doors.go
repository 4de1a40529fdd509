package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/config"
	"github.com/incidentbot/incidentbot/internal/discordapp"
	"github.com/incidentbot/incidentbot/internal/httpserver"
	"github.com/incidentbot/incidentbot/internal/slackapp"
	"github.com/incidentbot/incidentbot/internal/statuspage"
)

// doors is what the chat platforms add to a run: posters for the delivery
// loop, HTTP routes, and connections to keep open.
type doors struct {
	// checks say whether each configured door can reach its platform.
	checks      []func(context.Context) error
	posters     map[bot.Platform]bot.Poster
	directories map[bot.Platform]bot.Directory // filled before the first request
	routes      httpserver.Deps
	runs        []func(ctx context.Context) error
	webhooks    bot.Poster // nil without INCIDENTBOT_WEBHOOKS
}

// broadcasts lists the stakeholders' channel of each configured platform.
func broadcasts(cfg config.Config) map[bot.Platform]string {
	b := map[bot.Platform]string{}
	if cfg.Slack.Enabled() && cfg.Slack.BroadcastChannel != "" {
		b[bot.Slack] = cfg.Slack.BroadcastChannel
	}
	if cfg.Discord.Enabled() && cfg.Discord.BroadcastChannel != "" {
		b[bot.Discord] = cfg.Discord.BroadcastChannel
	}
	return b
}

// openStatusPage adds the public status page, its API and feeds, unless
// INCIDENTBOT_STATUS=off, and the poster of webhooks, which renders what
// the page shows even when the page itself is off.
func (d *doors) openStatusPage(cfg config.Config, src statuspage.Source, log *slog.Logger) {
	page := statuspage.New(statuspage.Options{Source: src, Org: cfg.Org, Components: cfg.Status.Components,
		Path: cfg.Status.Path, Location: cfg.Location, Logger: log})
	if len(cfg.Status.Webhooks) > 0 {
		d.webhooks = page.Webhooks(cfg.Status.WebhookSecret, &http.Client{Timeout: cfg.PostTimeout})
	}
	if !cfg.Status.Off {
		d.routes.StatusPath, d.routes.StatusPage = cfg.Status.Path, page
	}
}

// openSlack adds the Slack door: slash commands and interactions over HTTP
// when a signing secret is set, over Socket Mode when an app token is.
func (d *doors) openSlack(cfg config.Slack, timeout time.Duration, svc *bot.Service, log *slog.Logger) {
	opts := []slack.Option{slack.OptionHTTPClient(slackapp.HTTPClient(timeout))}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	app := slackapp.New(slackapp.Options{
		Service: svc, API: slack.New(cfg.BotToken, opts...),
		Verifier: slackapp.Verifier{Secret: cfg.SigningSecret}, Broadcast: cfg.BroadcastChannel, Logger: log,
	})
	d.posters[bot.Slack] = app.Poster()
	d.directories[bot.Slack] = app.Directory()
	d.checks = append(d.checks, cached(authCheckEvery, app.Authenticated))
	if cfg.SigningSecret != "" {
		d.routes.SlackCommands, d.routes.SlackInteractions = app.Commands(), app.Interactions()
	}
	if cfg.AppToken != "" {
		d.runs = append(d.runs, func(ctx context.Context) error { return app.RunSocketMode(ctx) })
	}
}

// openDiscord adds the Discord door: interactions over HTTP when a public key
// is set (the token then serves REST calls only), else over the gateway.
func (d *doors) openDiscord(cfg config.Discord, timeout time.Duration, svc *bot.Service, log *slog.Logger) error {
	s, err := discordapp.NewSession(cfg.BotToken, cfg.APIURL)
	if err != nil {
		return fmt.Errorf("discord: %w", err)
	}
	s.Client.Timeout = timeout
	app := discordapp.New(discordapp.Options{
		Service: svc, Session: s, Verifier: discordapp.Verifier{Key: cfg.PublicKey},
		Broadcast: cfg.BroadcastChannel, Channels: cfg.Channels, Logger: log,
	})
	d.posters[bot.Discord] = app.Poster()
	d.checks = append(d.checks, cached(authCheckEvery, app.Authenticated))
	if cfg.PublicKey != nil {
		d.routes.DiscordInteractions = app.Interactions()
	} else {
		d.runs = append(d.runs, app.RunGateway)
	}
	return nil
}

// authCheckEvery is how often readiness asks a platform whether it still
// accepts the bot's token: often enough to notice a revoked token, seldom
// enough that probes cost the platform nothing.
const authCheckEvery = 30 * time.Second

// cached answers check's last result until it is ttl old.
func cached(ttl time.Duration, check func(context.Context) error) func(context.Context) error {
	var mu sync.Mutex
	var at time.Time
	var last error
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() || time.Since(at) >= ttl {
			last, at = check(ctx), time.Now()
		}
		return last
	}
}

// ready is readiness: Redis writable, and every door's platform reachable.
func (d *doors) ready(store func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := store(ctx); err != nil {
			return err
		}
		for _, check := range d.checks {
			if err := check(ctx); err != nil {
				return err
			}
		}
		return nil
	}
}

// registerDiscord registers /incident with Discord: in DISCORD_GUILD_ID when
// set (at once), else globally.
func registerDiscord(cfg config.Discord, stdout io.Writer) error {
	if !cfg.Enabled() {
		return errors.New("discord-register needs DISCORD_BOT_TOKEN and DISCORD_APP_ID")
	}
	s, err := discordapp.NewSession(cfg.BotToken, cfg.APIURL)
	if err != nil {
		return err
	}
	if err := discordapp.Register(s, cfg.AppID, cfg.GuildID); err != nil {
		return err
	}
	where := "globally (Discord may take up to an hour to show it)"
	if cfg.GuildID != "" {
		where = "in guild " + cfg.GuildID
	}
	fmt.Fprintf(stdout, "Registered /%s %s.\n", discordapp.CommandName, where)
	return nil
}

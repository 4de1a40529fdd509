package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/config"
	"github.com/incidentbot/incidentbot/internal/console"
	"github.com/incidentbot/incidentbot/internal/httpserver"
	"github.com/incidentbot/incidentbot/internal/metrics"
	"github.com/incidentbot/incidentbot/internal/redisstore"
)

const usage = `usage: incidentbot [command]

Commands:
  (none)    local mode without chat credentials: a console plus the HTTP server;
            with chat credentials set, the same as serve
  serve     the HTTP server and the chat doors, without a console
  console   read /incident commands from stdin, print replies and posts; no listener
  discord-register
            register /incident with Discord (in DISCORD_GUILD_ID when set)
  audit [--workspace <platform>:<id>] [--since <time>]
            print the audit trail as JSON lines, oldest first
  outbox list|replay|purge [--workspace <platform>:<id>] [--incident <n>] [--id <entry>]
            the posts parked after failing: list them, send them again, delete them
  stats [--since 90d] [--workspace <platform>:<id>] [--format table|csv|json]
            how long incidents took to identify, mitigate and resolve
  version   print the version

Configuration comes from the environment; see README.md.`

// mode is what one run of incidentbot does.
type mode struct {
	console bool // read commands from stdin
	listen  bool // serve HTTP
}

// run is the whole program, with its world passed in so tests can run it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	if len(args) > 2 && sub != "audit" && sub != "outbox" && sub != "stats" {
		return fmt.Errorf("too many arguments\n%s", usage)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg, err := config.Load(getenv)
	if err != nil && sub != "version" && sub != "help" {
		return err
	}
	if cfg.LogJSON {
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	}
	redisstore.RouteLogs(log)
	var m mode
	switch sub {
	case "":
		m = mode{console: !chatConfigured(cfg), listen: true}
	case "serve":
		m = mode{listen: true}
	case "console":
		m = mode{console: true}
	case "audit":
		return printAudit(ctx, cfg, args[2:], stdout)
	case "outbox":
		return outboxCommand(ctx, cfg, args[2:], stdout)
	case "stats":
		return printStats(ctx, cfg, args[2:], stdout)
	case "version":
		fmt.Fprintln(stdout, "incidentbot", version())
		return nil
	case "discord-register":
		return registerDiscord(cfg.Discord, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", sub, usage)
	}
	return serve(ctx, cfg, m, log, stdin, stdout)
}

// responders lists who may change any incident, per chat platform. A door
// without a list lets every member in, and serving says so once.
func responders(cfg config.Config, m mode, log *slog.Logger) map[bot.Platform][]string {
	r := map[bot.Platform][]string{bot.Slack: cfg.Slack.Responders, bot.Discord: cfg.Discord.Responders}
	if !m.listen {
		return r
	}
	for _, door := range []struct {
		on  bool
		p   bot.Platform
		env string
	}{{cfg.Slack.Enabled(), bot.Slack, "SLACK_RESPONDERS"}, {cfg.Discord.Enabled(), bot.Discord, "DISCORD_RESPONDERS"}} {
		if door.on && len(r[door.p]) == 0 {
			log.Warn("every member may change every incident; set "+door.env+" to the user groups and people who respond", "platform", string(door.p))
		}
	}
	return r
}

func chatConfigured(cfg config.Config) bool {
	return cfg.Slack.Enabled() || cfg.Discord.Enabled()
}

// serve wires the parts for a mode and runs them until the console ends or
// ctx is done.
func serve(ctx context.Context, cfg config.Config, m mode, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	minReplicas := cfg.MinReplicas
	if minReplicas == config.AllReplicas { // each package names "all" its own way
		minReplicas = redisstore.AllReplicas
	}
	store, err := redisstore.Open(ctx, redisstore.Options{URL: cfg.RedisURL, Logger: log, MinReplicas: minReplicas, ReclaimAfter: cfg.ReclaimAfter})
	if err != nil {
		return err
	}
	defer store.Close()

	var delivery *bot.Delivery // made once the doors it posts through exist
	observer := metrics.New(store)
	store.CountRoundTrips(observer.RoundTrip)
	d := doors{posters: map[bot.Platform]bot.Poster{}, directories: map[bot.Platform]bot.Directory{},
		routes: httpserver.Deps{Logger: log}}
	d.routes.Ready = d.ready(store.Writable)
	if cfg.MetricsAddr == "" {
		d.routes.Metrics = observer.Handler()
	}
	svc := bot.NewService(bot.Options{
		Store: store, Org: cfg.Org, Location: cfg.Location, Postmortem: cfg.Postmortem, Logger: log, Broadcast: broadcasts(cfg),
		Cadence: cfg.Cadence, Queued: func(ws bot.Workspace) { delivery.Wake(ws) },
		Responders: responders(cfg, m, log), Directories: d.directories, Observer: observer,
		Components: cfg.Status.Components, Webhooks: cfg.Status.Webhooks, StatusURL: cfg.Status.URL,
	})
	consolePoster := &console.Poster{}
	if m.console {
		d.posters[bot.Console] = consolePoster
	}
	d.openStatusPage(cfg, store, log)
	if m.listen && cfg.Slack.Enabled() {
		d.openSlack(cfg.Slack, cfg.PostTimeout, svc, log)
	}
	if m.listen && cfg.Discord.Enabled() {
		if err := d.openDiscord(cfg.Discord, cfg.PostTimeout, svc, log); err != nil {
			return err
		}
	}
	delivery = bot.NewDelivery(bot.DeliveryOptions{Outbox: store, Posters: d.posters, Webhooks: d.webhooks, Logger: log, PostTimeout: cfg.PostTimeout,
		Lease: cfg.ReclaimAfter, Replica: bot.ReplicaName(cfg.Replica), Observer: observer})

	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { delivery.Run(ctx) })
	if m.listen { // a scripted console run stays exactly what its script says
		wg.Go(func() { svc.RunReminders(ctx) })
	}

	errc := make(chan error, 2+len(d.runs))
	for _, r := range d.runs {
		wg.Go(func() { errc <- r(ctx) })
	}
	if m.listen {
		ln, err := httpserver.Listen(cfg.Addr, cfg.MaxConns)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
		}
		log.Info("listening", "addr", ln.Addr().String(), "max_conns", ln.Max())
		srv := httpserver.New(httpserver.NewServer(d.routes))
		wg.Go(func() { errc <- ignoreClosed(srv.Serve(ln)) })
		defer shutdown(srv)
	}
	if m.listen && cfg.MetricsAddr != "" {
		ln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listening on %s for metrics: %w", cfg.MetricsAddr, err)
		}
		log.Info("serving metrics", "addr", ln.Addr().String())
		srv := httpserver.New(httpserver.NewServer(httpserver.Deps{Logger: log, Ready: d.routes.Ready, Metrics: observer.Handler()}))
		wg.Go(func() { errc <- ignoreClosed(srv.Serve(ln)) })
		defer shutdown(srv)
	}
	if m.console {
		c := &console.Console{Service: svc, Outbox: store, Poster: consolePoster, In: stdin, Out: stdout, Actor: actor()}
		if console.IsTerminal(stdin) {
			c.Prompt, c.Live = "incident> ", m.listen // reminders run beside a listener
			fmt.Fprintln(stdout, "Type /incident help for the commands; Ctrl-D ends.")
		}
		go func() { errc <- c.Run(ctx) }()
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// actor is the console's user: the login name, as "@name".
func actor() string {
	if u := os.Getenv("USER"); u != "" {
		return "@" + u
	}
	return "@console"
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

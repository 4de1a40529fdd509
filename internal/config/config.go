package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"

	"github.com/incidentbot/incidentbot/bot"
)

// AllReplicas is MinReplicas for INCIDENTBOT_REDIS_MIN_REPLICAS=all.
const AllReplicas = -1

// Config is everything incidentbot reads from its environment.
type Config struct {
	// RedisURL is where state lives; empty means the embedded in-memory Redis.
	RedisURL string
	// Org names the organisation in reports.
	Org string
	// Addr is the HTTP listen address.
	Addr string
	// MaxConns bounds the HTTP connections open at once; 0 leaves the bound
	// to what the open-file limit allows.
	MaxConns int
	// Postmortem is the operator's draft template, or nil for the built-in one.
	Postmortem *template.Template
	// Location is the zone timeline times are shown in.
	Location *time.Location
	// MinReplicas is how many Redis replicas must confirm each change
	// before it is acknowledged; 0 waits for none, AllReplicas for every
	// replica the primary reports.
	MinReplicas int
	// Replica names this process in leases and logs; empty for the hostname.
	Replica string
	// MetricsAddr, when set, serves /metrics on a listener of its own
	// instead of beside the commands.
	MetricsAddr string
	// LogJSON writes the log as JSON lines instead of text.
	LogJSON bool
	// ReclaimAfter is how long a post may stay with a replica that stopped
	// answering before another replica takes it over.
	ReclaimAfter time.Duration
	// PostTimeout bounds one call to a chat platform.
	PostTimeout time.Duration
	// Cadence is, per impact, how long an open incident may go without a
	// public update before its channel is reminded; 0 never reminds.
	Cadence map[bot.Impact]time.Duration
	Slack   Slack
	Discord Discord

	// Status is the public status page, its API, feeds and webhooks.
	Status Status
}

// Slack configures the Slack door.
type Slack struct {
	BotToken, SigningSecret, AppToken string
	BroadcastChannel                  string
	// APIURL is the Web API base URL, always ending in "/"; empty for Slack's own.
	APIURL string
	// Responders are the user groups (S…) and users (U…, W…) who may change
	// any incident; empty means every member.
	Responders []string
}

// Enabled reports whether Slack is configured.
func (s Slack) Enabled() bool { return s.BotToken != "" }

// Discord configures the Discord door.
type Discord struct {
	BotToken, AppID, GuildID string
	// PublicKey verifies HTTP interactions; nil means interactions come over
	// the gateway.
	PublicKey        []byte
	BroadcastChannel string
	APIURL           string
	// Channels opens a channel per incident instead of a thread.
	Channels bool
	// Responders are the roles and users (by ID) who may change any
	// incident; empty means every member.
	Responders []string
}

// Enabled reports whether Discord is configured.
func (d Discord) Enabled() bool { return d.BotToken != "" }

// Variables lists every environment variable Load reads, in the order the
// README's table lists them.
func Variables() []string {
	return []string{
		"REDIS_URL", "INCIDENTBOT_ORG", "INCIDENTBOT_ADDR", "INCIDENTBOT_MAX_CONNS", "INCIDENTBOT_POSTMORTEM_TEMPLATE", "INCIDENTBOT_TIMEZONE",
		"INCIDENTBOT_REDIS_MIN_REPLICAS", "INCIDENTBOT_RECLAIM_AFTER", "INCIDENTBOT_POST_TIMEOUT",
		"INCIDENTBOT_CADENCE", "INCIDENTBOT_REMIND_AFTER", "INCIDENTBOT_REPLICA", "INCIDENTBOT_METRICS_ADDR", "INCIDENTBOT_LOG_FORMAT",
		"INCIDENTBOT_STATUS", "INCIDENTBOT_STATUS_PATH", "INCIDENTBOT_STATUS_URL", "INCIDENTBOT_COMPONENTS", "INCIDENTBOT_WEBHOOKS", "INCIDENTBOT_WEBHOOK_SECRET",
		"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_BROADCAST_CHANNEL", "SLACK_API_URL",
		"SLACK_RESPONDERS",
		"DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY", "DISCORD_GUILD_ID", "DISCORD_BROADCAST_CHANNEL", "DISCORD_API_URL",
		"DISCORD_INCIDENT_CHANNEL", "DISCORD_RESPONDERS",
	}
}

// Load reads the configuration through getenv. Its error lists every problem
// found, one per line, with an empty Config; no secret is ever part of it.
func Load(getenv func(string) string) (Config, error) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{
		RedisURL:    env("REDIS_URL"),
		Org:         env("INCIDENTBOT_ORG"),
		Addr:        env("INCIDENTBOT_ADDR"),
		Replica:     env("INCIDENTBOT_REPLICA"),
		MetricsAddr: env("INCIDENTBOT_METRICS_ADDR"),
		Location:    time.UTC,
		Slack: Slack{
			BotToken: env("SLACK_BOT_TOKEN"), SigningSecret: env("SLACK_SIGNING_SECRET"), AppToken: env("SLACK_APP_TOKEN"),
			BroadcastChannel: env("SLACK_BROADCAST_CHANNEL"),
		},
		Discord: Discord{
			BotToken: env("DISCORD_BOT_TOKEN"), AppID: env("DISCORD_APP_ID"), GuildID: env("DISCORD_GUILD_ID"),
			BroadcastChannel: env("DISCORD_BROADCAST_CHANNEL"),
		},
	}
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	if c.Org == "" {
		c.Org = "Our organisation"
	}
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || !validPort(port) {
		add("INCIDENTBOT_ADDR %q is not a listen address like :8080 or 127.0.0.1:8080", c.Addr)
	}
	if v := env("INCIDENTBOT_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < minMaxConns || n > maxMaxConns {
			add("INCIDENTBOT_MAX_CONNS must be a number of connections from %d to %d", minMaxConns, maxMaxConns)
		}
		c.MaxConns = n
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || !validPort(port) {
			add("INCIDENTBOT_METRICS_ADDR %q is not a listen address like :9090", c.MetricsAddr)
		}
	}
	switch f := env("INCIDENTBOT_LOG_FORMAT"); f {
	case "", "text":
	case "json":
		c.LogJSON = true
	default:
		add("INCIDENTBOT_LOG_FORMAT must be text (the default) or json")
	}
	if c.RedisURL != "" && !validRedisURL(c.RedisURL) {
		add("REDIS_URL must be a redis://host:port, rediss://host:port or unix:///path URL")
	}
	if v := env("INCIDENTBOT_REDIS_MIN_REPLICAS"); v == "all" {
		c.MinReplicas = AllReplicas
	} else if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 16 {
			add("INCIDENTBOT_REDIS_MIN_REPLICAS must be a number of replicas from 0 to 16, or all")
		}
		c.MinReplicas = n
	}
	c.ReclaimAfter = duration(env("INCIDENTBOT_RECLAIM_AFTER"), "INCIDENTBOT_RECLAIM_AFTER", 30*time.Second, time.Second, add)
	c.PostTimeout = duration(env("INCIDENTBOT_POST_TIMEOUT"), "INCIDENTBOT_POST_TIMEOUT", 10*time.Second, 100*time.Millisecond, add)
	if c.ReclaimAfter <= c.PostTimeout {
		add("INCIDENTBOT_RECLAIM_AFTER must be longer than INCIDENTBOT_POST_TIMEOUT, or posts still under way would be taken over and shown twice")
	}
	c.Cadence = cadence(env("INCIDENTBOT_CADENCE"), env("INCIDENTBOT_REMIND_AFTER"), add)
	if tz := env("INCIDENTBOT_TIMEZONE"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			add("INCIDENTBOT_TIMEZONE %q is not a time zone name like Europe/Berlin", tz)
		} else {
			c.Location = loc
		}
	}
	if path := env("INCIDENTBOT_POSTMORTEM_TEMPLATE"); path != "" {
		text, err := os.ReadFile(path)
		if err != nil {
			add("INCIDENTBOT_POSTMORTEM_TEMPLATE: %v", err)
		} else if c.Postmortem, err = bot.ParsePostmortemTemplate(string(text)); err != nil {
			add("INCIDENTBOT_POSTMORTEM_TEMPLATE %s: %v", path, err)
		}
	}
	var err error
	if c.Slack.APIURL, err = baseURL("SLACK_API_URL", env("SLACK_API_URL")); err != nil {
		problems = append(problems, err)
	}
	if c.Discord.APIURL, err = baseURL("DISCORD_API_URL", env("DISCORD_API_URL")); err != nil {
		problems = append(problems, err)
	}
	c.Slack.Responders = ids(env("SLACK_RESPONDERS"), "SLACK_RESPONDERS", slackID,
		"a Slack user group ID (S…) or user ID (U… or W…)", add)
	c.Discord.Responders = ids(env("DISCORD_RESPONDERS"), "DISCORD_RESPONDERS", discordID,
		"a Discord role ID or user ID (a number)", add)
	var statusProblems []error
	c.Status, statusProblems = loadStatus(env)
	problems = append(problems, statusProblems...)
	problems = append(problems, c.checkSlack()...)
	problems = append(problems, c.checkDiscord(env("DISCORD_PUBLIC_KEY"))...)
	switch mode := env("DISCORD_INCIDENT_CHANNEL"); mode {
	case "", "thread":
	case "channel":
		c.Discord.Channels = true
	default:
		add("DISCORD_INCIDENT_CHANNEL must be thread (the default) or channel")
	}
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("configuration has %d problem(s):\n%w", len(problems), errors.Join(problems...))
	}
	return c, nil
}

func (c *Config) checkSlack() []error {
	s := c.Slack
	var problems []error
	if !s.Enabled() {
		return orphans("SLACK_BOT_TOKEN", "Slack", [][2]string{
			{"SLACK_SIGNING_SECRET", s.SigningSecret}, {"SLACK_APP_TOKEN", s.AppToken}, {"SLACK_BROADCAST_CHANNEL", s.BroadcastChannel},
		})
	}
	if !strings.HasPrefix(s.BotToken, "xoxb-") {
		problems = append(problems, errors.New("SLACK_BOT_TOKEN must be a bot token starting with xoxb-"))
	}
	if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
		problems = append(problems, errors.New("SLACK_APP_TOKEN must be an app-level token starting with xapp-"))
	}
	if s.SigningSecret == "" && s.AppToken == "" {
		problems = append(problems, errors.New("SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (slash commands over HTTP) or SLACK_APP_TOKEN (Socket Mode)"))
	}
	return problems
}

func (c *Config) checkDiscord(publicKey string) []error {
	d := &c.Discord
	var problems []error
	if !d.Enabled() {
		return orphans("DISCORD_BOT_TOKEN", "Discord", [][2]string{
			{"DISCORD_APP_ID", d.AppID}, {"DISCORD_PUBLIC_KEY", publicKey}, {"DISCORD_GUILD_ID", d.GuildID}, {"DISCORD_BROADCAST_CHANNEL", d.BroadcastChannel},
		})
	}
	if d.AppID == "" || strings.Trim(d.AppID, "0123456789") != "" {
		problems = append(problems, errors.New("DISCORD_APP_ID must be the application's numeric ID"))
	}
	if publicKey != "" {
		key, err := hex.DecodeString(publicKey)
		if err != nil || len(key) != 32 {
			problems = append(problems, errors.New("DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters"))
		} else {
			d.PublicKey = key
		}
	}
	return problems
}

// duration reads a Go duration ("30s", "2m"), def when empty, at least least.
func duration(v, name string, def, least time.Duration, add func(string, ...any)) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < least {
		add("%s must be a duration like 30s, of at least %s", name, least)
		return def
	}
	return d
}

// The range of INCIDENTBOT_MAX_CONNS. When the bound is reached the
// connection waiting longest is closed, so a bound of a few would close
// working ones; a million is past any open-file limit worth setting.
const (
	minMaxConns = 16
	maxMaxConns = 1_000_000
)

// maxRemindAfter bounds a reminder interval: past a day, nobody is waiting.
const maxRemindAfter = 24 * time.Hour

// defaultCadence is the update interval by impact unless
// INCIDENTBOT_CADENCE says otherwise.
var defaultCadence = map[bot.Impact]time.Duration{
	bot.ImpactCritical: 15 * time.Minute, bot.ImpactMajor: 30 * time.Minute, bot.ImpactMinor: time.Hour,
}

// cadence reads INCIDENTBOT_CADENCE ("critical=15m,major=30m,minor=60m,
// none=off"); impacts it leaves out keep their default. Without it,
// INCIDENTBOT_REMIND_AFTER, the older setting, gives every impact one
// interval.
func cadence(v, legacy string, add func(string, ...any)) map[bot.Impact]time.Duration {
	c := maps.Clone(defaultCadence)
	if v == "" && legacy != "" {
		d := remindInterval(legacy, "INCIDENTBOT_REMIND_AFTER", add)
		for _, im := range []bot.Impact{bot.ImpactNone, bot.ImpactMinor, bot.ImpactMajor, bot.ImpactCritical} {
			c[im] = d
		}
		return c
	}
	for part := range strings.SplitSeq(v, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		im, known := bot.ParseImpact(strings.TrimSpace(name))
		if !ok || !known {
			add("INCIDENTBOT_CADENCE %q is not impact=interval, like major=30m", strings.TrimSpace(part))
			continue
		}
		c[im] = remindInterval(strings.TrimSpace(value), "INCIDENTBOT_CADENCE", add)
	}
	return c
}

// remindInterval reads one interval: a duration from 1s to a day, or off.
func remindInterval(v, name string, add func(string, ...any)) time.Duration {
	if v == "0" || v == "off" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second || d > maxRemindAfter {
		add("%s intervals must be durations from 1s to 24h like 30m, or off", name)
		return 0
	}
	return d
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

func validRedisURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "redis", "rediss":
		return u.Host != ""
	case "unix":
		return u.Path != ""
	}
	return false
}

var (
	slackID   = regexp.MustCompile(`^[SUW][A-Z0-9]{2,}$`)
	discordID = regexp.MustCompile(`^[0-9]{15,21}$`)
)

// ids reads a list of IDs separated by commas or spaces; names are refused,
// since a name matches no one and would lock every member out.
func ids(v, name string, valid *regexp.Regexp, what string, add func(string, ...any)) []string {
	var out []string
	for _, id := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if !valid.MatchString(id) {
			add("%s: %q is not %s", name, clipped(id), what)
			continue
		}
		out = append(out, id)
	}
	return out
}

func clipped(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

// orphans reports the variables of a platform set without its bot token.
func orphans(token, platform string, vars [][2]string) []error {
	var problems []error
	for _, v := range vars {
		if v[1] != "" {
			problems = append(problems, fmt.Errorf("%s is set but %s is not; %s needs its bot token", v[0], token, platform))
		}
	}
	return problems
}

// baseURL checks an API base URL and gives it the trailing slash the client
// libraries need.
func baseURL(name, raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	// The value is never repeated in the error: it may hold a password.
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s must be an http:// or https:// base URL without a query", name)
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw, nil
}

package config_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the machine's zoneinfo

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/config"
)

// load runs config.Load on an environment holding exactly env.
func load(env map[string]string) (config.Config, error) {
	return config.Load(func(name string) string { return env[name] })
}

// cmpConfig compares Configs; the postmortem template is checked apart, by
// what it renders.
var cmpConfig = cmp.Options{
	cmpopts.IgnoreFields(config.Config{}, "Postmortem"),
	cmp.Comparer(func(a, b *time.Location) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.String() == b.String()
	}),
}

// discordKey is a real Ed25519 public key, as Discord shows it: 64 hex digits.
var discordKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey)

// templates writes the postmortem templates the tests name into a fresh
// directory and returns their paths.
func templates(t *testing.T) (good, unparsable, unknownField, missing, directory string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("good.tmpl", "PM {{.Ref}}: {{.Title}}\n"),
		write("unparsable.tmpl", "PM {{.Ref}: {{.Title}}\n"),
		write("unknown-field.tmpl", "PM {{.Ref}} owned by {{.Owner}}\n"),
		filepath.Join(dir, "no-such.tmpl"),
		dir
}

func TestLoad(t *testing.T) {
	good, _, _, _, _ := templates(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want config.Config
		// postmortem is what the operator's template renders for a sample
		// incident; empty means the built-in template (Postmortem nil).
		postmortem string
	}{
		{
			name: "Defaults",
			env:  map[string]string{},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC},
		},
		{
			name: "BlankValuesAreDefaults",
			env:  map[string]string{"INCIDENTBOT_ORG": "  ", "INCIDENTBOT_ADDR": " ", "INCIDENTBOT_TIMEZONE": "\t"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC},
		},
		{
			name: "Custom",
			env: map[string]string{
				"REDIS_URL":            "rediss://:pw@redis.internal:6380/2",
				"INCIDENTBOT_ORG":      " Customer.io ",
				"INCIDENTBOT_ADDR":     "127.0.0.1:9090",
				"INCIDENTBOT_TIMEZONE": "Europe/Berlin",
			},
			want: config.Config{RedisURL: "rediss://:pw@redis.internal:6380/2", Org: "Customer.io", Addr: "127.0.0.1:9090", Location: berlin},
		},
		{
			name: "MaxConns",
			env:  map[string]string{"INCIDENTBOT_MAX_CONNS": " 500 "},
			want: config.Config{Org: "Our organisation", Addr: ":8080", MaxConns: 500, Location: time.UTC},
		},
		{
			name: "RedisSentinel",
			env:  map[string]string{"REDIS_URL": "redis://sentinel-1:26379/0?master_name=main&addr=sentinel-2:26379"},
			want: config.Config{RedisURL: "redis://sentinel-1:26379/0?master_name=main&addr=sentinel-2:26379", Org: "Our organisation", Addr: ":8080", Location: time.UTC},
		},
		{
			name: "RedisUnixSocket",
			env:  map[string]string{"REDIS_URL": "unix:///run/redis.sock"},
			want: config.Config{RedisURL: "unix:///run/redis.sock", Org: "Our organisation", Addr: ":8080", Location: time.UTC},
		},
		{
			name:       "PostmortemTemplate",
			env:        map[string]string{"INCIDENTBOT_POSTMORTEM_TEMPLATE": good},
			want:       config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC},
			postmortem: "PM INC-7: Checkout down\n",
		},
		{
			name: "SlackOverHTTP",
			env:  map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_BROADCAST_CHANNEL": "C1"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Slack: config.Slack{BotToken: "xoxb-1", SigningSecret: "s", BroadcastChannel: "C1"}},
		},
		{
			name: "SlackSocketMode",
			env:  map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Slack: config.Slack{BotToken: "xoxb-1", AppToken: "xapp-1"}},
		},
		{
			name: "SlackAPIURLGetsSlash",
			env:  map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://127.0.0.1:4000/api"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Slack: config.Slack{BotToken: "xoxb-1", SigningSecret: "s", APIURL: "http://127.0.0.1:4000/api/"}},
		},
		{
			name: "SlackAPIURLKeepsSlash",
			env:  map[string]string{"SLACK_API_URL": "https://slack.proxy/api/"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Slack: config.Slack{APIURL: "https://slack.proxy/api/"}},
		},
		{
			name: "DiscordGateway",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "d", "DISCORD_APP_ID": "1234567890", "DISCORD_GUILD_ID": "42", "DISCORD_BROADCAST_CHANNEL": "99"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Discord: config.Discord{BotToken: "d", AppID: "1234567890", GuildID: "42", BroadcastChannel: "99"}},
		},
		{
			name: "DiscordHTTPInteractions",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "d", "DISCORD_APP_ID": "1", "DISCORD_PUBLIC_KEY": hex.EncodeToString(discordKey)},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Discord: config.Discord{BotToken: "d", AppID: "1", PublicKey: discordKey}},
		},
		{
			name: "DiscordPublicKeyUpperCase",
			env:  map[string]string{"DISCORD_BOT_TOKEN": "d", "DISCORD_APP_ID": "1", "DISCORD_PUBLIC_KEY": strings.ToUpper(hex.EncodeToString(discordKey))},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Discord: config.Discord{BotToken: "d", AppID: "1", PublicKey: discordKey}},
		},
		{
			name: "DurabilityAndDelivery",
			env:  map[string]string{"INCIDENTBOT_REDIS_MIN_REPLICAS": "1", "INCIDENTBOT_RECLAIM_AFTER": "5s", "INCIDENTBOT_POST_TIMEOUT": "2s"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC, MinReplicas: 1, ReclaimAfter: 5 * time.Second, PostTimeout: 2 * time.Second},
		},
		{
			name: "Cadence",
			env:  map[string]string{"INCIDENTBOT_CADENCE": "critical=10m, minor=off,none=2h"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Cadence: map[bot.Impact]time.Duration{bot.ImpactCritical: 10 * time.Minute, bot.ImpactMajor: 30 * time.Minute, bot.ImpactMinor: 0, bot.ImpactNone: 2 * time.Hour}},
		},
		{
			name: "MinReplicasAll",
			env:  map[string]string{"INCIDENTBOT_REDIS_MIN_REPLICAS": "all"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC, MinReplicas: config.AllReplicas},
		},
		{
			name: "RemindersSooner",
			env:  map[string]string{"INCIDENTBOT_REMIND_AFTER": "15m"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC, Cadence: every(15 * time.Minute)},
		},
		{
			name: "RemindersOff",
			env:  map[string]string{"INCIDENTBOT_REMIND_AFTER": "off"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC, Cadence: every(0)},
		},
		{
			name: "Responders",
			env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_RESPONDERS": " S0ONCALL, U0LEAD W0ORG ",
				"DISCORD_BOT_TOKEN": "d", "DISCORD_APP_ID": "1", "DISCORD_RESPONDERS": "500000000000000001,100000000000000011"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Slack:   config.Slack{BotToken: "xoxb-1", SigningSecret: "s", Responders: []string{"S0ONCALL", "U0LEAD", "W0ORG"}},
				Discord: config.Discord{BotToken: "d", AppID: "1", Responders: []string{"500000000000000001", "100000000000000011"}}},
		},
		{
			name: "DiscordAPIURLGetsSlash",
			env:  map[string]string{"DISCORD_API_URL": "http://127.0.0.1:4001/api/v10"},
			want: config.Config{Org: "Our organisation", Addr: ":8080", Location: time.UTC,
				Discord: config.Discord{APIURL: "http://127.0.0.1:4001/api/v10/"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			// The delivery timings default unless a case sets them.
			if tt.want.ReclaimAfter == 0 {
				tt.want.ReclaimAfter = 30 * time.Second
			}
			if tt.want.PostTimeout == 0 {
				tt.want.PostTimeout = 10 * time.Second
			}
			if tt.want.Cadence == nil {
				tt.want.Cadence = map[bot.Impact]time.Duration{bot.ImpactCritical: 15 * time.Minute, bot.ImpactMajor: 30 * time.Minute, bot.ImpactMinor: time.Hour}
			}
			if tt.want.Status.Path == "" {
				tt.want.Status.Path = "/"
			}
			if diff := cmp.Diff(tt.want, got, cmpConfig); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.postmortem, render(t, got.Postmortem)); diff != "" {
				t.Errorf("postmortem template renders (-want +got):\n%s", diff)
			}
			if len(got.Discord.PublicKey) != 0 && len(got.Discord.PublicKey) != ed25519.PublicKeySize {
				t.Errorf("Discord.PublicKey has %d bytes, want %d", len(got.Discord.PublicKey), ed25519.PublicKeySize)
			}
		})
	}
}

// render executes an operator's postmortem template on a sample; "" for none.
func render(t *testing.T, tmpl *template.Template) string {
	t.Helper()
	if tmpl == nil {
		return ""
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, bot.PostmortemData{Ref: "INC-7", Title: "Checkout down"}); err != nil {
		t.Fatalf("executing the postmortem template: %v", err)
	}
	return b.String()
}

func TestLoadProblem(t *testing.T) {
	_, unparsable, unknownField, missing, directory := templates(t)
	slack := func(kv ...string) map[string]string {
		return pairs(append([]string{"SLACK_BOT_TOKEN", "xoxb-1"}, kv...)...)
	}
	discord := func(kv ...string) map[string]string {
		return pairs(append([]string{"DISCORD_BOT_TOKEN", "d"}, kv...)...)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string // a piece of the one problem reported
	}{
		{"AddrWithoutPort", pairs("INCIDENTBOT_ADDR", "8080"), `INCIDENTBOT_ADDR "8080" is not a listen address`},
		{"AddrHostOnly", pairs("INCIDENTBOT_ADDR", "localhost"), `INCIDENTBOT_ADDR "localhost" is not a listen address`},
		{"AddrTooManyColons", pairs("INCIDENTBOT_ADDR", "a:b:c"), `INCIDENTBOT_ADDR "a:b:c" is not a listen address`},
		{"MaxConnsNotANumber", pairs("INCIDENTBOT_MAX_CONNS", "many"), "INCIDENTBOT_MAX_CONNS must be a number of connections from 16 to 1000000"},
		{"MaxConnsZero", pairs("INCIDENTBOT_MAX_CONNS", "0"), "INCIDENTBOT_MAX_CONNS must be a number of connections from 16 to 1000000"},
		{"MaxConnsTooFew", pairs("INCIDENTBOT_MAX_CONNS", "15"), "INCIDENTBOT_MAX_CONNS must be a number of connections from 16 to 1000000"},
		{"MaxConnsTooMany", pairs("INCIDENTBOT_MAX_CONNS", "1000001"), "INCIDENTBOT_MAX_CONNS must be a number of connections from 16 to 1000000"},
		{"RedisURLHTTP", pairs("REDIS_URL", "http://redis:6379"), "REDIS_URL must be a redis://host:port, rediss://host:port or unix:///path URL"},
		{"RedisURLHostPort", pairs("REDIS_URL", "localhost:6379"), "REDIS_URL must be a redis://host:port, rediss://host:port or unix:///path URL"},
		{"RedisURLWithoutHost", pairs("REDIS_URL", "redis:6379"), "REDIS_URL must be a redis://host:port, rediss://host:port or unix:///path URL"},
		{"AddrPortNotANumber", pairs("INCIDENTBOT_ADDR", ":abc"), `INCIDENTBOT_ADDR ":abc" is not a listen address`},
		{"AddrPortTooLarge", pairs("INCIDENTBOT_ADDR", ":99999"), `INCIDENTBOT_ADDR ":99999" is not a listen address`},
		{"SlackAPIURLWithQuery", pairs("SLACK_API_URL", "http://proxy/api?x=1"), "SLACK_API_URL must be an http:// or https:// base URL without a query"},
		{"MinReplicasNotANumber", pairs("INCIDENTBOT_REDIS_MIN_REPLICAS", "many"), "INCIDENTBOT_REDIS_MIN_REPLICAS must be a number of replicas from 0 to 16, or all"},
		{"ReclaimAfterTooShort", pairs("INCIDENTBOT_RECLAIM_AFTER", "10ms"), "INCIDENTBOT_RECLAIM_AFTER must be a duration like 30s, of at least 1s"},
		{"PostTimeoutNotADuration", pairs("INCIDENTBOT_POST_TIMEOUT", "ten"), "INCIDENTBOT_POST_TIMEOUT must be a duration like 30s, of at least 100ms"},
		{"RemindAfterTooLong", pairs("INCIDENTBOT_REMIND_AFTER", "25h"), "INCIDENTBOT_REMIND_AFTER intervals must be durations from 1s to 24h like 30m, or off"},
		{"RemindAfterNotADuration", pairs("INCIDENTBOT_REMIND_AFTER", "soon"), "INCIDENTBOT_REMIND_AFTER intervals must be durations from 1s to 24h like 30m, or off"},
		{"CadenceUnknownImpact", pairs("INCIDENTBOT_CADENCE", "severe=10m"), `INCIDENTBOT_CADENCE "severe=10m" is not impact=interval, like major=30m`},
		{"CadenceBadInterval", pairs("INCIDENTBOT_CADENCE", "major=often"), "INCIDENTBOT_CADENCE intervals must be durations from 1s to 24h like 30m, or off"},
		{"SlackResponderByName", pairs("SLACK_RESPONDERS", "S0ONCALL, @oncall"), `SLACK_RESPONDERS: "@oncall" is not a Slack user group ID (S…) or user ID (U… or W…)`},
		{"DiscordResponderByName", pairs("DISCORD_RESPONDERS", "oncall"), `DISCORD_RESPONDERS: "oncall" is not a Discord role ID or user ID (a number)`},
		{"ReclaimBeforeTimeout", pairs("INCIDENTBOT_RECLAIM_AFTER", "5s", "INCIDENTBOT_POST_TIMEOUT", "5s"), "INCIDENTBOT_RECLAIM_AFTER must be longer than INCIDENTBOT_POST_TIMEOUT"},
		{"RedisURLUnparsable", pairs("REDIS_URL", "redis://[::1"), "REDIS_URL must be a redis://host:port, rediss://host:port or unix:///path URL"},
		{"TimezoneUnknown", pairs("INCIDENTBOT_TIMEZONE", "Mars/Olympus_Mons"), `INCIDENTBOT_TIMEZONE "Mars/Olympus_Mons" is not a time zone name`},
		{"TimezoneOffset", pairs("INCIDENTBOT_TIMEZONE", "+02:00"), `INCIDENTBOT_TIMEZONE "+02:00" is not a time zone name`},
		{"TemplateMissing", pairs("INCIDENTBOT_POSTMORTEM_TEMPLATE", missing), "INCIDENTBOT_POSTMORTEM_TEMPLATE: open " + missing},
		{"TemplateUnreadable", pairs("INCIDENTBOT_POSTMORTEM_TEMPLATE", directory), "INCIDENTBOT_POSTMORTEM_TEMPLATE: read " + directory},
		{"TemplateUnparsable", pairs("INCIDENTBOT_POSTMORTEM_TEMPLATE", unparsable), "INCIDENTBOT_POSTMORTEM_TEMPLATE " + unparsable + ": bot: postmortem template"},
		{"TemplateUnknownField", pairs("INCIDENTBOT_POSTMORTEM_TEMPLATE", unknownField), "can't evaluate field Owner"},
		{"SlackSigningSecretWithoutToken", pairs("SLACK_SIGNING_SECRET", "s"), "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not"},
		{"SlackAppTokenWithoutToken", pairs("SLACK_APP_TOKEN", "xapp-1"), "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not"},
		{"SlackBroadcastWithoutToken", pairs("SLACK_BROADCAST_CHANNEL", "C1"), "SLACK_BROADCAST_CHANNEL is set but SLACK_BOT_TOKEN is not"},
		{"SlackUserToken", pairs("SLACK_BOT_TOKEN", "xoxp-1", "SLACK_SIGNING_SECRET", "s"), "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"},
		{"SlackAppTokenIsBotToken", slack("SLACK_APP_TOKEN", "xoxb-2"), "SLACK_APP_TOKEN must be an app-level token starting with xapp-"},
		{"SlackBotTokenAlone", slack(), "SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (slash commands over HTTP) or SLACK_APP_TOKEN (Socket Mode)"},
		{"DiscordAppIDWithoutToken", pairs("DISCORD_APP_ID", "1"), "DISCORD_APP_ID is set but DISCORD_BOT_TOKEN is not"},
		{"DiscordPublicKeyWithoutToken", pairs("DISCORD_PUBLIC_KEY", hex.EncodeToString(discordKey)), "DISCORD_PUBLIC_KEY is set but DISCORD_BOT_TOKEN is not"},
		{"DiscordGuildWithoutToken", pairs("DISCORD_GUILD_ID", "42"), "DISCORD_GUILD_ID is set but DISCORD_BOT_TOKEN is not"},
		{"DiscordBroadcastWithoutToken", pairs("DISCORD_BROADCAST_CHANNEL", "99"), "DISCORD_BROADCAST_CHANNEL is set but DISCORD_BOT_TOKEN is not"},
		{"DiscordAppIDMissing", discord(), "DISCORD_APP_ID must be the application's numeric ID"},
		{"DiscordAppIDNotNumeric", discord("DISCORD_APP_ID", "12ab"), "DISCORD_APP_ID must be the application's numeric ID"},
		{"DiscordAppIDNegative", discord("DISCORD_APP_ID", "-12"), "DISCORD_APP_ID must be the application's numeric ID"},
		{"DiscordPublicKeyShort", discord("DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", hex.EncodeToString(discordKey[:31])), "DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters"},
		{"DiscordPublicKeyLong", discord("DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", hex.EncodeToString(discordKey)+"00"), "DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters"},
		{"DiscordPublicKeyOddLength", discord("DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", hex.EncodeToString(discordKey)[:63]), "DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters"},
		{"DiscordPublicKeyNotHex", discord("DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", strings.Repeat("zz", 32)), "DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters"},
		{"DiscordPublicKeyBase64", discord("DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="), "DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters"},
		{"SlackAPIURLNoScheme", pairs("SLACK_API_URL", "slack.proxy/api/"), "SLACK_API_URL must be an http:// or https:// base URL without a query"},
		{"SlackAPIURLFTP", pairs("SLACK_API_URL", "ftp://slack.proxy/"), "SLACK_API_URL must be an http:// or https:// base URL without a query"},
		{"SlackAPIURLNoHost", pairs("SLACK_API_URL", "http:///api/"), "SLACK_API_URL must be an http:// or https:// base URL without a query"},
		{"DiscordAPIURLWebSocket", pairs("DISCORD_API_URL", "wss://gateway.discord.gg"), "DISCORD_API_URL must be an http:// or https:// base URL without a query"},
		{"DiscordAPIURLUnparsable", pairs("DISCORD_API_URL", "http://[::1"), "DISCORD_API_URL must be an http:// or https:// base URL without a query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(tt.env)
			if err == nil {
				t.Fatalf("Load succeeded; want the problem %q", tt.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if diff := cmp.Diff([]string{"configuration has 1 problem(s):"}, lines[:1]); diff != "" {
				t.Errorf("Load error, first line (-want +got):\n%s\nwhole error:\n%v", diff, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error does not mention %q:\n%v", tt.want, err)
			}
			if diff := cmp.Diff(config.Config{}, got, cmpConfig); diff != "" {
				t.Errorf("Load returned a Config along with its error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, _, unknownField, _, _ := templates(t)
	env := map[string]string{
		"INCIDENTBOT_ADDR":                "8080",
		"REDIS_URL":                       "http://redis:6379",
		"INCIDENTBOT_TIMEZONE":            "Nowhere/Special",
		"INCIDENTBOT_POSTMORTEM_TEMPLATE": unknownField,
		"SLACK_BOT_TOKEN":                 "xoxp-1",
		"SLACK_APP_TOKEN":                 "xoxb-2",
		"SLACK_API_URL":                   "slack.proxy",
		"DISCORD_APP_ID":                  "abc",
		"DISCORD_PUBLIC_KEY":              "beef",
		"DISCORD_API_URL":                 "ftp://discord.proxy",
	}
	want := []string{
		"INCIDENTBOT_ADDR",
		"REDIS_URL",
		"INCIDENTBOT_TIMEZONE",
		"INCIDENTBOT_POSTMORTEM_TEMPLATE",
		"SLACK_API_URL",
		"DISCORD_API_URL",
		"SLACK_BOT_TOKEN must be a bot token",
		"SLACK_APP_TOKEN must be an app-level token",
		"DISCORD_APP_ID is set but DISCORD_BOT_TOKEN is not",
		"DISCORD_PUBLIC_KEY is set but DISCORD_BOT_TOKEN is not",
	}
	_, err := load(env)
	if err == nil {
		t.Fatal("Load succeeded; want every problem reported")
	}
	lines := strings.Split(err.Error(), "\n")
	if diff := cmp.Diff("configuration has 10 problem(s):", lines[0]); diff != "" {
		t.Errorf("first line (-want +got):\n%s", diff)
	}
	// One problem a line, each named by its variable, none reported twice.
	var got []string
	for _, line := range lines[1:] {
		i := slices.IndexFunc(want, func(w string) bool { return strings.HasPrefix(line, w) })
		if i < 0 {
			t.Errorf("unexpected line %q", line)
			continue
		}
		got = append(got, want[i])
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(strings.Compare)); diff != "" {
		t.Errorf("problems reported (-want +got):\n%s\nwhole error:\n%v", diff, err)
	}
}

func TestLoadNeverShowsSecrets(t *testing.T) {
	const secret = "s3cr3t-0a1b2c"
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"SlackBotTokenBadPrefix", pairs("SLACK_BOT_TOKEN", "xoxp-"+secret, "SLACK_SIGNING_SECRET", "s")},
		{"SlackBotTokenAlone", pairs("SLACK_BOT_TOKEN", "xoxb-"+secret)},
		{"SlackAppTokenBadPrefix", pairs("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_APP_TOKEN", "xoxb-"+secret)},
		{"SlackAppTokenWithoutBotToken", pairs("SLACK_APP_TOKEN", "xapp-"+secret)},
		{"SlackSigningSecretWithoutBotToken", pairs("SLACK_SIGNING_SECRET", secret)},
		{"SlackSigningSecretWithBadBotToken", pairs("SLACK_BOT_TOKEN", "bad", "SLACK_SIGNING_SECRET", secret)},
		{"DiscordBotTokenBadAppID", pairs("DISCORD_BOT_TOKEN", secret, "DISCORD_APP_ID", "x")},
		{"DiscordBotTokenBadPublicKey", pairs("DISCORD_BOT_TOKEN", secret, "DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", "x")},
		{"APIURLPassword", pairs("SLACK_API_URL", "ftp://user:"+secret+"@proxy/")},
		{"RedisPasswordBadScheme", pairs("REDIS_URL", "http://:"+secret+"@redis:6379")},
		{"RedisPasswordUnparsable", pairs("REDIS_URL", "redis://:"+secret+"@[::1")},
		{"AllSecretsAndEveryProblem", pairs(
			"SLACK_BOT_TOKEN", "xoxp-"+secret, "SLACK_SIGNING_SECRET", secret, "SLACK_APP_TOKEN", "xoxb-"+secret,
			"DISCORD_APP_ID", "x", "DISCORD_PUBLIC_KEY", "x", "REDIS_URL", "http://:"+secret+"@redis", "INCIDENTBOT_ADDR", "x",
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.env)
			if err == nil {
				t.Fatal("Load succeeded; the case needs a problem to show the error holds no secret")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Load error shows a secret:\n%v", err)
			}
		})
	}
}

func TestVariables(t *testing.T) {
	// Variables is what an operator is told to set and what docker-compose.yml
	// may pass; it must be exactly what Load reads.
	var read []string
	config.Load(func(name string) string {
		if !slices.Contains(read, name) {
			read = append(read, name)
		}
		return ""
	})
	if diff := cmp.Diff(config.Variables(), read, cmpopts.SortSlices(strings.Compare)); diff != "" {
		t.Errorf("Variables() against what Load reads (-Variables +read):\n%s", diff)
	}
	// With everything set the chat checks run too, and may read more.
	read = nil
	config.Load(func(name string) string {
		if !slices.Contains(read, name) {
			read = append(read, name)
		}
		return "x"
	})
	for _, name := range read {
		if !slices.Contains(config.Variables(), name) {
			t.Errorf("Load reads %s, which Variables() does not list", name)
		}
	}
}

// pairs makes an environment of name, value pairs.
func pairs(kv ...string) map[string]string {
	env := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

// every is a cadence of one interval for every impact.
func every(d time.Duration) map[bot.Impact]time.Duration {
	return map[bot.Impact]time.Duration{bot.ImpactNone: d, bot.ImpactMinor: d, bot.ImpactMajor: d, bot.ImpactCritical: d}
}

func TestStatus(t *testing.T) {
	c, err := load(pairs("INCIDENTBOT_COMPONENTS", "Delivery: Email, SMS; API", "INCIDENTBOT_STATUS_PATH", "/status",
		"INCIDENTBOT_WEBHOOKS", "https://a.example/hook, http://b.example/x", "INCIDENTBOT_WEBHOOK_SECRET", "0123456789abcdef",
		"INCIDENTBOT_STATUS_URL", "https://example.com/status"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status.Off || c.Status.Path != "/status/" || len(c.Status.Components) != 3 || len(c.Status.Webhooks) != 2 || c.Status.URL != "https://example.com/status/" {
		t.Errorf("status %+v", c.Status)
	}
	if c, err := load(pairs("INCIDENTBOT_STATUS", "off", "INCIDENTBOT_STATUS_URL", "https://example.com/")); err != nil || c.Status.URL != "" {
		t.Errorf("with the page off, replies point to %q (%v); want nowhere", c.Status.URL, err)
	}
	_, err = load(pairs("INCIDENTBOT_STATUS", "maybe", "INCIDENTBOT_STATUS_PATH", "status", "INCIDENTBOT_COMPONENTS", "A, a",
		"INCIDENTBOT_WEBHOOKS", "ftp://x", "INCIDENTBOT_STATUS_URL", "status.example.com"))
	for _, want := range []string{"INCIDENTBOT_STATUS must", "INCIDENTBOT_STATUS_PATH", "INCIDENTBOT_COMPONENTS", "INCIDENTBOT_WEBHOOKS", "INCIDENTBOT_STATUS_URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
}

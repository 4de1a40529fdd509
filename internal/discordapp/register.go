package discordapp

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
)

// CommandName is the application command responders type.
const CommandName = "incident"

// Command is /incident with one subcommand per command of the grammar. Its
// options are named as bot.ParseOptions reads them.
func Command() *discordgo.ApplicationCommand {
	str := func(name, about string, required bool, choices ...string) *discordgo.ApplicationCommandOption {
		o := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: about, Required: required}
		for _, c := range choices {
			o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
		}
		return o
	}
	ref := str("incident", "INC-12, #12 or 12; default: this thread's incident", false)
	at := str("at", "when it happened: 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC)", false)
	message := str("message", "the update for the timeline", true)
	next := str("next", "when stakeholders hear again: 20m, 1h", false)
	impacts := []string{"none", "minor", "major", "critical"}
	boolean := func(name, about string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: name, Description: about}
	}
	sub := func(name bot.Name, about string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: string(name), Description: about, Options: opts}
	}
	var names []string
	for _, n := range []bot.Name{bot.CmdDeclare, bot.CmdInvestigating, bot.CmdIdentified, bot.CmdMonitoring, bot.CmdResolved,
		bot.CmdUpdate, bot.CmdPostmortem, bot.CmdShow, bot.CmdList, bot.CmdImpact, bot.CmdComponents, bot.CmdAssign, bot.CmdVisibility, bot.CmdAudit, bot.CmdSnooze, bot.CmdFollowUp, bot.CmdFollowUps, bot.CmdStats} {
		names = append(names, string(n))
	}
	return &discordgo.ApplicationCommand{
		Name: CommandName, Description: "Declare and drive an incident", Type: discordgo.ChatApplicationCommand,
		Options: []*discordgo.ApplicationCommandOption{
			// Discord lists required options before optional ones.
			sub(bot.CmdDeclare, "Open a new incident", str("title", "what is wrong, in a line", false),
				str("impact", "how badly users are hurt", false, impacts...), str("components", "affected components: A, B, C", false),
				str("message", "the first update", false), str("started", "when impact began, if earlier", false), at,
				boolean("private", "keep it to a private thread; never broadcast"),
				boolean("internal", "keep it off the public status page")),
			sub(bot.CmdInvestigating, "Back to investigating (wrong cause, fix failed, reopen)", message, ref, at, next),
			sub(bot.CmdIdentified, "The cause is known", message, ref, at, next),
			sub(bot.CmdMonitoring, "A fix is out; watching it", message, ref, at, next),
			sub(bot.CmdResolved, "Impact is over", message, ref, at),
			sub(bot.CmdUpdate, "Add an update, keeping the status", message, ref, at, next),
			sub(bot.CmdPostmortem, "Without a body: a draft and a form; with one: publish", ref, str("body", "the postmortem", false), at),
			sub(bot.CmdShow, "The status report with the full timeline", ref),
			sub(bot.CmdList, "Open incidents", boolean("all", "past ones too")),
			sub(bot.CmdImpact, "Set how badly users are hurt", str("impact", "the impact", true, impacts...), ref),
			sub(bot.CmdComponents, "Set the affected components", str("components", "A, B, C", true), ref),
			sub(bot.CmdAssign, "Give someone a role", str("role", "the role", true, "commander", "comms", "scribe"),
				&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionUser, Name: "user", Description: "who", Required: true}, ref),
			sub(bot.CmdVisibility, "Make an incident public, or private before anything was broadcast",
				str("visibility", "who can see it", true, "public", "private"), ref),
			sub(bot.CmdAudit, "Who changed the incident, and who was refused", ref),
			sub(bot.CmdSnooze, "Put the reminders off, or end a snooze", str("for", "how long: 45m, or off", true), ref),
			sub(bot.CmdFollowUp, "Work the incident leaves behind: add, done, list", str("action", "what to do", true, "add", "done", "list"),
				str("text", "add: what is to be done", false), str("number", "done: the follow-up's number", false),
				&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionUser, Name: "owner", Description: "add: who does it"},
				str("due", "add: the day it is due, 2025-11-10", false), ref),
			sub(bot.CmdFollowUps, "Open follow-ups of every incident", boolean("mine", "mine only"), boolean("overdue", "past their day only")),
			sub(bot.CmdStats, "How long past incidents took", str("since", "how far back: 30d, 12h", false)),
			sub(bot.CmdHelp, "The commands", str("command", "one command", false, names...)),
		},
	}
}

// Register overwrites the application's commands with /incident, in one
// guild when guildID is set (instant), else globally (may take an hour).
func Register(s *discordgo.Session, appID, guildID string) error {
	if _, err := s.ApplicationCommandBulkOverwrite(appID, guildID, []*discordgo.ApplicationCommand{Command()}); err != nil {
		return fmt.Errorf("discordapp: registering /%s: %w", CommandName, err)
	}
	return nil
}

// options reads a subcommand's typed options as the strings
// bot.ParseOptions takes; a user option becomes a mention. An option whose
// value is not of its declared type (a client that sends its own payload)
// is refused by name, rather than read as whatever it prints as.
// A user option carries the name Discord resolved with it, so that what
// the bot writes names the person without pinging them.
func options(sub *discordgo.ApplicationCommandInteractionDataOption, resolved *discordgo.ApplicationCommandInteractionDataResolved) (map[string]string, error) {
	opts := map[string]string{}
	for _, o := range sub.Options {
		v, ok := optionText(o)
		if !ok {
			return nil, bot.Errorf(bot.EINVALID, "The option %s does not hold the kind of value it takes; run the command again from Discord's menu.", bot.Clip(o.Name, 32))
		}
		if o.Type == discordgo.ApplicationCommandOptionUser && o.Name == "user" {
			v = named(v, o.Value.(string), resolved) // a positional word: the name rides along
		}
		opts[o.Name] = v
	}
	return opts, nil
}

// named writes a user option as a mention with the user's name in it,
// quoted so the name may hold spaces: "<@123|Alex Smith>".
func named(mention, id string, resolved *discordgo.ApplicationCommandInteractionDataResolved) string {
	if resolved == nil {
		return mention
	}
	var name string
	if m := resolved.Members[id]; m != nil && m.Nick != "" {
		name = m.Nick
	} else if u := resolved.Users[id]; u != nil {
		name = cmp.Or(u.GlobalName, u.Username)
	}
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>|"`, r) {
			return -1
		}
		return r
	}, name)
	if name == "" {
		return mention
	}
	return `"<@` + id + "|" + name + `>"`
}

// optionText is an option's value as text, if it has the type declared.
func optionText(o *discordgo.ApplicationCommandInteractionDataOption) (string, bool) {
	switch v := o.Value.(type) {
	case string:
		switch o.Type {
		case discordgo.ApplicationCommandOptionUser:
			return "<@" + v + ">", snowflake.MatchString(v)
		case discordgo.ApplicationCommandOptionString:
			return v, true
		}
	case bool:
		return fmt.Sprint(v), o.Type == discordgo.ApplicationCommandOptionBoolean
	}
	return "", false
}

package discordapp

import (
	"fmt"

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
	impacts := []string{"none", "minor", "major", "critical"}
	sub := func(name bot.Name, about string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: string(name), Description: about, Options: opts}
	}
	var names []string
	for _, n := range []bot.Name{bot.CmdDeclare, bot.CmdInvestigating, bot.CmdIdentified, bot.CmdMonitoring, bot.CmdResolved,
		bot.CmdUpdate, bot.CmdPostmortem, bot.CmdShow, bot.CmdList, bot.CmdImpact, bot.CmdComponents, bot.CmdAssign} {
		names = append(names, string(n))
	}
	return &discordgo.ApplicationCommand{
		Name: CommandName, Description: "Declare and drive an incident", Type: discordgo.ChatApplicationCommand,
		Options: []*discordgo.ApplicationCommandOption{
			// Discord lists required options before optional ones.
			sub(bot.CmdDeclare, "Open a new incident", str("title", "what is wrong, in a line", false),
				str("impact", "how badly users are hurt", false, impacts...), str("components", "affected components: A, B, C", false),
				str("message", "the first update", false), str("started", "when impact began, if earlier", false), at),
			sub(bot.CmdInvestigating, "Back to investigating (wrong cause, fix failed, reopen)", message, ref, at),
			sub(bot.CmdIdentified, "The cause is known", message, ref, at),
			sub(bot.CmdMonitoring, "A fix is out; watching it", message, ref, at),
			sub(bot.CmdResolved, "Impact is over", message, ref, at),
			sub(bot.CmdUpdate, "Add an update, keeping the status", message, ref, at),
			sub(bot.CmdPostmortem, "Without a body: a draft and a form; with one: publish", ref, str("body", "the postmortem", false), at),
			sub(bot.CmdShow, "The status report with the full timeline", ref),
			sub(bot.CmdList, "Open incidents", &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: "all", Description: "past ones too"}),
			sub(bot.CmdImpact, "Set how badly users are hurt", str("impact", "the impact", true, impacts...), ref),
			sub(bot.CmdComponents, "Set the affected components", str("components", "A, B, C", true), ref),
			sub(bot.CmdAssign, "Give someone a role", str("role", "the role", true, "commander", "comms", "scribe"),
				&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionUser, Name: "user", Description: "who", Required: true}, ref),
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
// bot.ParseOptions takes; a user option becomes a mention.
func options(sub *discordgo.ApplicationCommandInteractionDataOption) map[string]string {
	opts := map[string]string{}
	for _, o := range sub.Options {
		switch v := o.Value.(type) {
		case string:
			if o.Type == discordgo.ApplicationCommandOptionUser {
				v = "<@" + v + ">"
			}
			opts[o.Name] = v
		default:
			opts[o.Name] = fmt.Sprint(v)
		}
	}
	return opts
}

package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
)

// TestParseErrors shows, for every way Parse refuses a line, the sentence
// the responder reads.
func TestParseErrors(t *testing.T) {
	names26, _ := parseTestComponents(26)
	commands := "declare, investigating, identified, monitoring, resolved, update, postmortem, show, list, impact, components, assign, visibility, audit, snooze, followup, followups, stats, help"

	for _, tc := range []struct {
		name string
		line string
		want string
	}{
		// No command.
		{"ErrEmpty", "",
			"Type a command after /incident, for example /incident declare <title>. /incident help lists them all."},
		{"ErrBlank", " \t\n ",
			"Type a command after /incident, for example /incident declare <title>. /incident help lists them all."},
		{"ErrOnlyPrefix", "/incident",
			"Type a command after /incident, for example /incident declare <title>. /incident help lists them all."},
		{"ErrOnlyPrefixAndSpaces", "  /Incident  ",
			"Type a command after /incident, for example /incident declare <title>. /incident help lists them all."},

		// Unknown command.
		{"ErrUnknownCommand", "/incident escalate now",
			"There is no /incident escalate. Commands: " + commands + ". /incident help explains each."},
		{"ErrPrefixTwice", "/incident /incident declare Checkout",
			"There is no /incident /incident. Commands: " + commands + ". /incident help explains each."},
		{"ErrUnknownCommandClipped", strings.Repeat("x", 45) + " now",
			"There is no /incident " + strings.Repeat("x", 40) + "…. Commands: " + commands + ". /incident help explains each."},

		// Flags.
		{"ErrUnknownFlag", "update Restarted with --force",
			"There is no flag --force; to write it in a message, put the message in quotes. Usage: /incident update [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrUnknownFlagWithValue", "declare Checkout --severity=high",
			`There is no flag --severity; to write it in a message, put the message in quotes. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrMistypedRef", "resolved INC-12a all clear",
			`"INC-12a" is not an incident reference; write one like INC-12. Usage: /incident resolved [<ref>] <message> [--at <time>]`},
		{"ErrINCZeroRef", "show INC-0",
			`"INC-0" is not an incident reference; write one like INC-12. Usage: /incident show [<ref>]`},
		{"ErrHelpTwoWords", "help declare now",
			"Name one command, for example /incident help declare. Usage: /incident help [<command>]"},
		{"ErrLineTooLong", "update " + strings.Repeat("x", 64*1024),
			"That command is 65543 bytes long; the limit is 65536. Shorten it."},
		{"ErrTripleDash", "update Rolled back --- watching",
			"There is no flag ---; to write it in a message, put the message in quotes. Usage: /incident update [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrUnknownFlagClipped", "update Rolled back --" + strings.Repeat("f", 35),
			"There is no flag --" + strings.Repeat("f", 30) + "…; to write it in a message, put the message in quotes. Usage: /incident update [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrFlagNotTakenByUpdate", "update Rolled back --impact major",
			"/incident update does not take --impact. Usage: /incident update [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrFlagNotTakenByAlias", "resolve Fixed —message done",
			"/incident resolved does not take --message. Usage: /incident resolved [<ref>] <message> [--at <time>]"},
		{"ErrFlagNotTakenByList", "list --at 2025-10-30T17:25:40Z",
			"/incident list does not take --at. Usage: /incident list [--all]"},
		{"ErrFlagNotTakenByShow", "show --all",
			"/incident show does not take --all. Usage: /incident show [<ref>]"},
		{"ErrFlagNotTakenByDeclare", "declare Checkout --all",
			`/incident declare does not take --all. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrFlagNotTakenByImpact", "impact major --impact minor",
			"/incident impact does not take --impact. Usage: /incident impact [<ref>] <none|minor|major|critical>"},
		{"ErrFlagNotTakenByComponents", `components "API" --components Web`,
			`/incident components does not take --components. Usage: /incident components [<ref>] "<A, B=major_outage, C>"`},
		{"ErrFlagNotTakenByAssign", "assign commander @alex --at 2025-10-30T17:25:40Z",
			"/incident assign does not take --at. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>"},
		{"ErrFlagNotTakenByHelp", "help --all",
			"/incident help does not take --all. Usage: /incident help [<command>]"},
		{"ErrFlagTwice", "declare Checkout --impact major --impact=minor",
			`--impact is given twice; give it once. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrFlagTwiceDashAndEmDash", "update Rolled back --at 2025-10-30T17:25:40Z —at 2025-10-30T17:26:00Z",
			"--at is given twice; give it once. Usage: /incident update [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrAllTwice", "list --all --all",
			"--all is given twice; give it once. Usage: /incident list [--all]"},
		{"ErrValueMissingAtEnd", "declare Checkout --impact",
			`--impact needs a value. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrValueMissingBeforeFlag", "declare Checkout --message --impact major",
			`--message needs a value. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrValueMissingBeforeEmDashFlag", "declare Checkout --impact —at 2025-10-30T17:25:40Z",
			`--impact needs a value. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrValueMissingBeforeUnknownFlag", "update Rolled back --at --soon",
			"--at needs a value. Usage: /incident update [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrAllWithValue", "list --all=true",
			"--all takes no value. Usage: /incident list [--all]"},
		{"ErrAllWithEmptyValue", "list --all=",
			"--all takes no value. Usage: /incident list [--all]"},

		// Flag values.
		{"ErrBadImpactFlag", "declare Checkout --impact huge",
			`--impact must be none, minor, major or critical, not "huge". Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrEmptyImpactFlag", "declare Checkout --impact=",
			`--impact must be none, minor, major or critical, not "". Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrBadImpactFlagClipped", "declare Checkout --impact " + strings.Repeat("h", 31),
			`--impact must be none, minor, major or critical, not "` + strings.Repeat("h", 30) + `…". Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrBadTime", "update Rolled back --at yesterday",
			`Could not read the time "yesterday" of --at. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC).`},
		{"ErrBadTimeStarted", "declare Checkout --started noon",
			`Could not read the time "noon" of --started. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC).`},
		{"ErrDateWithoutClock", "update Rolled back --at 2025-10-30",
			`Could not read the time "2025-10-30" of --at. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC).`},
		{"ErrClockOneDigitHour", "update Rolled back --at 2025-10-30 9:25",
			`Could not read the time "2025-10-30" of --at. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC).`},
		{"ErrBadMonth", "update Rolled back --at 2025-13-30T17:25:40Z",
			`Could not read the time "2025-13-30T17:25:40Z" of --at. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC).`},
		{"ErrBadTimeEmpty", "update Rolled back --at=",
			`Could not read the time "" of --at. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC).`},
		{"ErrBadTimeClipped", "update Rolled back --at " + strings.Repeat("t", 41),
			`Could not read the time "` + strings.Repeat("t", 40) + `…" of --at. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (UTC).`},
		{"ErrEmptyMessageFlag", `declare Checkout --message ""`,
			`--message is empty. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrBlankMessageFlag", `declare Checkout --message "   "`,
			`--message is empty. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrEmptyMessageFlagEquals", `declare Checkout --message=`,
			`--message is empty. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrMessageFlag3001Runes", `declare Checkout --message "` + strings.Repeat("é", 3001) + `"`,
			"The first update is 3001 characters long; the limit is 3000. Shorten it, or post the rest with /incident update."},
		{"ErrComponentsFlag26", `declare Checkout --components "` + names26 + `"`,
			`That is more than 25 components; the limit is 25. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrComponentsFlagNameTooLong", `declare Checkout --components "API, ` + strings.Repeat("c", 101) + `"`,
			`The component "` + strings.Repeat("c", 30) + `…" is longer than 100 characters. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},

		// Title.
		{"ErrOnlyFlagsNoTitle", "declare --impact major",
			`Give the incident a title, for example /incident declare Checkout fails for EU customers --impact major. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message "<first update>"] [--started <time>] [--at <time>] [--private] [--internal]`},
		{"ErrTitle151Runes", "declare " + strings.Repeat("é", 151),
			"The title is 151 characters long; the limit is 150. Keep it short and put details in --message."},

		// Message.
		{"ErrStatusWithoutMessage", "resolved",
			"/incident resolved needs a message for the timeline, for example /incident resolved Error rates are back to normal. Usage: /incident resolved [<ref>] <message> [--at <time>]"},
		{"ErrAliasWithOnlyRef", "resolve INC-12",
			"/incident resolved needs a message for the timeline, for example /incident resolved Error rates are back to normal. Usage: /incident resolved [<ref>] <message> [--at <time>]"},
		{"ErrInvestigatingOnlyFlag", "investigating --at 2025-10-30T17:25:40Z",
			"/incident investigating needs a message for the timeline, for example /incident investigating We are looking into elevated error rates. Usage: /incident investigating [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrIdentifiedWithoutMessage", "identify",
			"/incident identified needs a message for the timeline, for example /incident identified A bad deploy of the payment service. Usage: /incident identified [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrMonitoringWithoutMessage", "monitor #3",
			"/incident monitoring needs a message for the timeline, for example /incident monitoring The fix is out; we are watching error rates. Usage: /incident monitoring [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrUpdateEmptyQuoted", `update ""`,
			"/incident update needs a message for the timeline, for example /incident update We are rolling back the deploy. Usage: /incident update [<ref>] <message> [--at <time>] [--next 20m]"},
		{"ErrMessage3001Runes", "update " + strings.Repeat("é", 3001),
			"The message is 3001 characters long; the limit is 3000. Split it into several updates."},
		{"ErrStatusMessage3001Runes", "resolved INC-2 " + strings.Repeat("é", 3001),
			"The message is 3001 characters long; the limit is 3000. Split it into several updates."},
		{"ErrPostmortem12001Runes", "postmortem " + strings.Repeat("é", 12001),
			"The postmortem is 12001 characters long; the limit is 12000. Shorten it, or link to the full document."},

		// Show and list.
		{"ErrShowWord", "show checkout",
			`"checkout" is not an incident reference; write one like INC-12. Usage: /incident show [<ref>]`},
		{"ErrShowZero", "show INC-0",
			`"INC-0" is not an incident reference; write one like INC-12. Usage: /incident show [<ref>]`},
		{"ErrShowQuotedNumber", `show "12"`,
			`"12" is not an incident reference; write one like INC-12. Usage: /incident show [<ref>]`},
		{"ErrShowTwoRefs", "show 12 13",
			`"13" is not an incident reference; write one like INC-12. Usage: /incident show [<ref>]`},
		{"ErrShowWordClipped", "show " + strings.Repeat("w", 31),
			`"` + strings.Repeat("w", 30) + `…" is not an incident reference; write one like INC-12. Usage: /incident show [<ref>]`},
		{"ErrListWords", "list open",
			"/incident list takes no words, only flags. Usage: /incident list [--all]"},
		{"ErrListAllWord", "list --all incidents",
			"/incident list takes no words, only flags. Usage: /incident list [--all]"},

		// Impact.
		{"ErrImpactNoWord", "impact",
			"Give one impact level. Usage: /incident impact [<ref>] <none|minor|major|critical>"},
		{"ErrImpactOnlyRef", "impact INC-12",
			"Give one impact level. Usage: /incident impact [<ref>] <none|minor|major|critical>"},
		{"ErrImpactTwoWords", "impact major minor",
			"Give one impact level. Usage: /incident impact [<ref>] <none|minor|major|critical>"},
		{"ErrImpactBadWord", "impact huge",
			`The impact must be none, minor, major or critical, not "huge". Usage: /incident impact [<ref>] <none|minor|major|critical>`},
		{"ErrImpactBadWordAfterRef", "impact #3 sev1",
			`The impact must be none, minor, major or critical, not "sev1". Usage: /incident impact [<ref>] <none|minor|major|critical>`},

		// Components.
		{"ErrComponentsNothing", "components",
			`Name the affected components, separated by commas, or "" for none. Usage: /incident components [<ref>] "<A, B=major_outage, C>"`},
		{"ErrComponentsOnlyRef", "components INC-12",
			`Name the affected components, separated by commas, or "" for none. Usage: /incident components [<ref>] "<A, B=major_outage, C>"`},
		{"ErrComponents26", `components "` + names26 + `"`,
			`That is more than 25 components; the limit is 25. Usage: /incident components [<ref>] "<A, B=major_outage, C>"`},
		{"ErrComponentNameTooLong", "components API, " + strings.Repeat("é", 101),
			`The component "` + strings.Repeat("é", 30) + `…" is longer than 100 characters. Usage: /incident components [<ref>] "<A, B=major_outage, C>"`},

		// Assign.
		{"ErrAssignNoWords", "assign",
			"Name a role and a person, for example /incident assign commander @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>"},
		{"ErrAssignOneWord", "assign commander",
			"Name a role and a person, for example /incident assign commander @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>"},
		{"ErrAssignRefAndOneWord", "assign INC-3 commander",
			"Name a role and a person, for example /incident assign commander @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>"},
		{"ErrAssignThreeWords", "assign commander @alex @sam",
			"Name a role and a person, for example /incident assign commander @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>"},
		{"ErrAssignBadRole", "assign boss @alex",
			`The role must be commander, comms or scribe, not "boss". Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},
		{"ErrAssignSwapped", "assign @alex commander",
			`The role must be commander, comms or scribe, not "@alex". Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},
		{"ErrAssignNoAt", "assign commander alex",
			`"alex" is not a person; mention them, for example @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},
		{"ErrAssignBareAt", "assign commander @",
			`"@" is not a person; mention them, for example @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},
		{"ErrAssignTwoAts", "assign commander @alex@example.com",
			`"@alex@example.com" is not a person; mention them, for example @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},
		{"ErrAssignUnclosedMention", "assign commander <@U123",
			`"<@U123" is not a person; mention them, for example @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},
		{"ErrAssignChannelMention", "assign commander <#C123|ops>",
			`"<#C123|ops>" is not a person; mention them, for example @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},
		{"ErrAssignNameTooLong", "assign commander @" + strings.Repeat("a", 80),
			`"@` + strings.Repeat("a", 39) + `…" is not a person; mention them, for example @alex. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>`},

		// Help.
		{"ErrHelpUnknownTopic", "help escalate",
			"There is no /incident escalate. Commands: " + commands + "."},
		{"ErrHelpUnknownTopicWithSlash", "help /escalate",
			"There is no /incident escalate. Commands: " + commands + "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bot.Parse(tc.line, time.UTC)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", clipForLog(tc.line), got)
			}
			if code := bot.ErrorCode(err); code != bot.EINVALID {
				t.Errorf("code %q, want %q", code, bot.EINVALID)
			}
			if msg := bot.ErrorMessage(err); msg != tc.want {
				t.Errorf("message:\n got %q\nwant %q", msg, tc.want)
			}
			if diff := cmp.Diff(bot.Command{}, got); diff != "" {
				t.Errorf("a refused line returned a command (-want +got):\n%s", diff)
			}
		})
	}
}

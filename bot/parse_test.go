package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
)

// TestParse shows what each command line becomes, compared as a whole so that
// a field a command does not take is seen to stay zero.
func TestParse(t *testing.T) {
	at := time.Date(2025, 10, 30, 17, 25, 40, 0, time.UTC)
	atMinute := time.Date(2025, 10, 30, 17, 25, 0, 0, time.UTC)
	started := time.Date(2025, 10, 30, 17, 12, 0, 0, time.UTC)
	title150 := strings.Repeat("é", 150)
	message3000 := strings.Repeat("é", 3000)
	body12000 := strings.Repeat("é", 12000)
	names25, list25 := parseTestComponents(25)
	long100 := strings.Repeat("c", 100)

	for _, tc := range []struct {
		name string
		line string
		want bot.Command
	}{
		// Every command, with and without the leading /incident.
		{"Declare", "/incident declare Checkout fails",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails"}},
		{"DeclareWithoutPrefix", "declare Checkout fails",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails"}},
		{"PrefixAndNameInAnyCase", "/INCIDENT Declare Checkout fails",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails"}},
		{"Investigating", "/incident investigating Looking into it",
			bot.Command{Name: bot.CmdInvestigating, Text: "Looking into it"}},
		{"Identified", "identified Bad deploy",
			bot.Command{Name: bot.CmdIdentified, Text: "Bad deploy"}},
		{"Monitoring", "/incident monitoring Rolled back",
			bot.Command{Name: bot.CmdMonitoring, Text: "Rolled back"}},
		{"Resolved", "resolved All clear",
			bot.Command{Name: bot.CmdResolved, Text: "All clear"}},
		{"Update", "/incident update Still looking",
			bot.Command{Name: bot.CmdUpdate, Text: "Still looking"}},
		{"PostmortemDraft", "/incident postmortem",
			bot.Command{Name: bot.CmdPostmortem}},
		{"PostmortemBody", "postmortem # Summary\nThe disk filled up.",
			bot.Command{Name: bot.CmdPostmortem, Text: "# Summary\nThe disk filled up."}},
		{"Show", "/incident show",
			bot.Command{Name: bot.CmdShow}},
		{"List", "list",
			bot.Command{Name: bot.CmdList}},
		{"ListAll", "/incident list --all",
			bot.Command{Name: bot.CmdList, All: true}},
		{"ListAllEmDash", "list —all",
			bot.Command{Name: bot.CmdList, All: true}},
		{"Impact", "/incident impact major",
			bot.Command{Name: bot.CmdImpact, Impact: bot.ImpactMajor}},
		{"ImpactAnyCase", "impact CRITICAL",
			bot.Command{Name: bot.CmdImpact, Impact: bot.ImpactCritical}},
		{"ImpactNone", "impact none",
			bot.Command{Name: bot.CmdImpact, Impact: bot.ImpactNone}},
		{"Components", `/incident components "API, Web"`,
			bot.Command{Name: bot.CmdComponents, Components: []string{"API", "Web"}, HasComponents: true}},
		{"ComponentsUnquoted", `components API,  Web tier`,
			bot.Command{Name: bot.CmdComponents, Components: []string{"API", "Web tier"}, HasComponents: true}},
		{"ComponentsTrimmedAndDeduplicated", `components " API ,api,, Web   tier , WEB TIER,"`,
			bot.Command{Name: bot.CmdComponents, Components: []string{"API", "Web tier"}, HasComponents: true}},
		{"ComponentsNone", `components ""`,
			bot.Command{Name: bot.CmdComponents, HasComponents: true}},
		{"ComponentsCurlyNone", `components “”`,
			bot.Command{Name: bot.CmdComponents, HasComponents: true}},
		{"Components25", "components " + names25,
			bot.Command{Name: bot.CmdComponents, Components: list25, HasComponents: true}},
		{"ComponentName100Runes", "components " + long100,
			bot.Command{Name: bot.CmdComponents, Components: []string{long100}, HasComponents: true}},
		{"AssignSlack", "/incident assign commander <@U123|alex>",
			bot.Command{Name: bot.CmdAssign, Role: bot.Commander, User: "U123"}},
		{"AssignSlackWithoutName", "assign comms <@U123>",
			bot.Command{Name: bot.CmdAssign, Role: bot.Comms, User: "U123"}},
		{"AssignDiscord", "assign comms <@!123>",
			bot.Command{Name: bot.CmdAssign, Role: bot.Comms, User: "123"}},
		{"AssignDiscordWithoutBang", "assign scribe <@123>",
			bot.Command{Name: bot.CmdAssign, Role: bot.Scribe, User: "123"}},
		{"AssignPlain", "assign Scribe @alex",
			bot.Command{Name: bot.CmdAssign, Role: bot.Scribe, User: "@alex"}},
		{"Help", "/incident help",
			bot.Command{Name: bot.CmdHelp}},
		{"HelpTopic", "help declare",
			bot.Command{Name: bot.CmdHelp, Topic: bot.CmdDeclare}},
		{"HelpTopicWithSlash", "help /resolved",
			bot.Command{Name: bot.CmdHelp, Topic: bot.CmdResolved}},
		{"HelpTopicAlias", "help Resolve",
			bot.Command{Name: bot.CmdHelp, Topic: bot.CmdResolved}},
		{"HelpTopicQuoted", `help "declare"`,
			bot.Command{Name: bot.CmdHelp, Topic: bot.CmdDeclare}},

		// The verbs a stressed responder types instead of the status.
		{"AliasInvestigate", "investigate Looking again",
			bot.Command{Name: bot.CmdInvestigating, Text: "Looking again"}},
		{"AliasIdentify", "/incident identify Bad deploy",
			bot.Command{Name: bot.CmdIdentified, Text: "Bad deploy"}},
		{"AliasMonitor", "monitor Rolled back",
			bot.Command{Name: bot.CmdMonitoring, Text: "Rolled back"}},
		{"AliasResolve", "/incident RESOLVE All clear",
			bot.Command{Name: bot.CmdResolved, Text: "All clear"}},

		// A reference is the first word of the shapes that take one, never of
		// a title.
		{"DeclareTakesNoRef", "declare INC-12 is back",
			bot.Command{Name: bot.CmdDeclare, Text: "INC-12 is back"}},
		{"DeclareNumberIsTitle", "declare 500 errors on checkout",
			bot.Command{Name: bot.CmdDeclare, Text: "500 errors on checkout"}},
		{"QuotedNumberIsNoRef", `update "12 servers are down"`,
			bot.Command{Name: bot.CmdUpdate, Text: "12 servers are down"}},
		{"RefAfterFlag", "update --at 2025-10-30T17:25:40Z INC-12 Rolled back",
			bot.Command{Name: bot.CmdUpdate, Ref: 12, Text: "Rolled back", At: at}},
		{"RefOnlyOnce", "update 12 13 hosts down",
			bot.Command{Name: bot.CmdUpdate, Ref: 12, Text: "13 hosts down"}},
		{"HashAloneIsText", "postmortem # Root cause",
			bot.Command{Name: bot.CmdPostmortem, Text: "# Root cause"}},
		{"TenDigitsIsText", "update 1234567890 rows lost",
			bot.Command{Name: bot.CmdUpdate, Text: "1234567890 rows lost"}},

		// Flags stand anywhere.
		{"FlagBeforeWords", "update --at 2025-10-30T17:25:40Z Rolled back",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"FlagBetweenWords", "update Rolled --at 2025-10-30T17:25:40Z back",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"FlagAfterWords", "update Rolled back --at 2025-10-30T17:25:40Z",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"DeclareFlagsFirst", "declare --impact major --components API Checkout fails",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Impact: bot.ImpactMajor, Components: []string{"API"}, HasComponents: true}},
		{"FlagEqualsValue", "declare Checkout fails --impact=minor --at=2025-10-30T17:25:40Z --components=API --message=Investigating",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Impact: bot.ImpactMinor, At: at, Components: []string{"API"}, HasComponents: true, Message: "Investigating"}},
		{"FlagValueAnyCase", "declare Checkout fails --impact MAJOR",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Impact: bot.ImpactMajor}},
		{"EmDashFlag", "declare Checkout fails —impact major",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Impact: bot.ImpactMajor}},
		{"EmDashFlagEqualsValue", "declare Checkout fails —impact=major",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Impact: bot.ImpactMajor}},
		{"EnDashFlag", "update Rolled back –at 2025-10-30T17:25:40Z",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"EmDashProse", "update Rolled back — watching now",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back — watching now"}},
		{"EmDashBeforeUnknownWordIsProse", "update Fixed —mostly",
			bot.Command{Name: bot.CmdUpdate, Text: "Fixed —mostly"}},
		{"SingleDashIsText", "update Retried with -v",
			bot.Command{Name: bot.CmdUpdate, Text: "Retried with -v"}},
		{"DoubleDashEndsFlags", "update -- --at is how to backdate",
			bot.Command{Name: bot.CmdUpdate, Text: "--at is how to backdate"}},
		{"DoubleDashAfterFlags", "declare Broken --impact major -- --message flag fails",
			bot.Command{Name: bot.CmdDeclare, Text: "Broken --message flag fails", Impact: bot.ImpactMajor}},
		{"QuotedFlagIsText", `update "--at" is how to backdate`,
			bot.Command{Name: bot.CmdUpdate, Text: `"--at" is how to backdate`}},
		{"QuotedDoubleDashIsText", `update use "--" before it`,
			bot.Command{Name: bot.CmdUpdate, Text: `use "--" before it`}},

		// Quotes, and the curly ones Slack clients insert.
		{"DoubleQuotes", `declare "Checkout fails" --impact major`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Impact: bot.ImpactMajor}},
		{"SingleQuotes", `update 'Rolled back'`,
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back"}},
		{"CurlyDoubleQuotes", "update “Rolled back”",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back"}},
		{"CurlyRightDoubleQuotesBothEnds", "update ”Rolled back”",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back"}},
		{"CurlySingleQuotes", "update ‘Rolled back’",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back"}},
		{"MixedStraightAndCurly", `update "Rolled back”`,
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back"}},
		{"CurlyQuotedFlagValues", "declare Checkout —components “API, Web” —message ‘We are on it’",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", Components: []string{"API", "Web"}, HasComponents: true, Message: "We are on it"}},
		{"QuotedValueHidesFlag", `declare Checkout --message "see --impact later"`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", Message: "see --impact later"}},
		{"QuotedWordKeepsSpacing", `update "  Rolled   back  "`,
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled   back"}},
		{"QuotedTitleWhitespaceCollapsed", "declare \"  Checkout \n fails \"",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails"}},
		{"ApostropheInWord", "update we're on it",
			bot.Command{Name: bot.CmdUpdate, Text: "we're on it"}},
		{"CurlyApostropheInWord", "update we’re on it",
			bot.Command{Name: bot.CmdUpdate, Text: "we’re on it"}},
		{"ApostropheInsideSingleQuotes", "update 'we're on it'",
			bot.Command{Name: bot.CmdUpdate, Text: "we're on it"}},
		{"TrailingApostrophe", "update the customers' carts are safe",
			bot.Command{Name: bot.CmdUpdate, Text: "the customers' carts are safe"}},
		{"UnterminatedDoubleQuote", `update "we are looking`,
			bot.Command{Name: bot.CmdUpdate, Text: `"we are looking`}},
		{"UnterminatedQuoteFlagsStillRead", `declare "Checkout fails --impact major`,
			bot.Command{Name: bot.CmdDeclare, Text: `"Checkout fails`, Impact: bot.ImpactMajor}},
		{"LeadingApostropheTakenLiterally", "update 'tis fixed",
			bot.Command{Name: bot.CmdUpdate, Text: "'tis fixed"}},
		{"LoneQuote", `update " marks the spot`,
			bot.Command{Name: bot.CmdUpdate, Text: `" marks the spot`}},
		{"QuoteClosesOnlyBeforeSpace", `update "a"b c"`,
			bot.Command{Name: bot.CmdUpdate, Text: `a"b c`}},
		{"OneQuotedStringLosesQuotes", `update "The fix worked"`,
			bot.Command{Name: bot.CmdUpdate, Text: "The fix worked"}},
		{"QuotesInLongerMessageKept", `update The "fix" worked`,
			bot.Command{Name: bot.CmdUpdate, Text: `The "fix" worked`}},
		{"QuotedStringAndWordKeepQuotes", `update "The fix" worked`,
			bot.Command{Name: bot.CmdUpdate, Text: `"The fix" worked`}},
		{"CurlyQuotesInLongerMessageKept", "update The “fix” worked",
			bot.Command{Name: bot.CmdUpdate, Text: "The “fix” worked"}},
		{"QuotedTitleWithFlagAround", `declare --impact major "Checkout fails" --at 2025-10-30T17:25:40Z`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Impact: bot.ImpactMajor, At: at}},

		// Spacing inside a run of message words is what the responder typed;
		// a flag between runs leaves one space.
		{"SpacingPreserved", "update we are   looking\tinto it",
			bot.Command{Name: bot.CmdUpdate, Text: "we are   looking\tinto it"}},
		{"LinesPreserved", "update Rolled back.\n\nWatching the error rate.",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back.\n\nWatching the error rate."}},
		{"MessageTrimmed", "update   Rolled back  \n",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back"}},
		{"SpacingAroundFlag", "update we  are --at 2025-10-30T17:25:40Z   looking  now",
			bot.Command{Name: bot.CmdUpdate, Text: "we  are looking  now", At: at}},
		{"TitleSpacingCollapsed", "declare  Checkout\t  fails \n for EU ",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails for EU"}},

		// Times.
		{"TimeRFC3339", "update Rolled back --at 2025-10-30T17:25:40Z",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"TimeRFC3339Offset", "update Rolled back --at 2025-10-30T19:25:40+02:00",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"TimeRFC3339Fraction", "update Rolled back --at 2025-10-30T17:25:40.5Z",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at.Add(500 * time.Millisecond)}},
		{"TimeTwoWordsMinutes", "update --at 2025-10-30 17:25 Rolled back",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: atMinute}},
		{"TimeTwoWordsSeconds", "update Rolled back --at 2025-10-30 17:25:40",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"TimeQuotedMinutes", `update Rolled back --at "2025-10-30 17:25"`,
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: atMinute}},
		{"TimeQuotedSeconds", `update Rolled back --at "2025-10-30 17:25:40"`,
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"TimeWithTWithoutZone", "update Rolled back --at 2025-10-30T17:25:40",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: at}},
		{"TimeEmDashTwoWords", "update Rolled back —at 2025-10-30 17:25",
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: atMinute}},
		{"StartedTwoWords", "declare Checkout fails --started 2025-10-30 17:12 --at 2025-10-30 17:25:40",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails", Started: started, At: at}},
		{"PostmortemAt", "postmortem INC-3 Root cause: disk --at 2025-10-30T17:25:40Z",
			bot.Command{Name: bot.CmdPostmortem, Ref: 3, Text: "Root cause: disk", At: at}},
		{"ResolvedAt", "resolve #4 All clear --at 2025-10-30 17:25",
			bot.Command{Name: bot.CmdResolved, Ref: 4, Text: "All clear", At: atMinute}},

		// Declare with every flag, and the limits.
		{"DeclareSeed", `/incident declare Some US customers may be impacted by data delays and UI errors --impact major --components "Data Processing, Message Sending, User Interface" --started 2025-10-30T17:12:00Z --at 2025-10-30T17:25:40Z --message "Some US customers will experience errors in the UI and delays in data processing and sending. We do not anticipate any data loss."`,
			bot.Command{
				Name:          bot.CmdDeclare,
				Text:          "Some US customers may be impacted by data delays and UI errors",
				Impact:        bot.ImpactMajor,
				Components:    []string{"Data Processing", "Message Sending", "User Interface"},
				HasComponents: true,
				Message:       "Some US customers will experience errors in the UI and delays in data processing and sending. We do not anticipate any data loss.",
				Started:       started,
				At:            at,
			}},
		{"DeclareComponentsFlagNone", `declare Checkout --components ""`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", HasComponents: true}},
		{"DeclareComponentsFlagDeduplicated", `declare Checkout --components " API ,api, Web ,, "`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", Components: []string{"API", "Web"}, HasComponents: true}},
		{"DeclareComponentsFlag25", "declare Checkout --components " + `"` + names25 + `"`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", Components: list25, HasComponents: true}},
		{"DeclareMessageTrimmed", `declare Checkout --message "  On it  "`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", Message: "On it"}},
		{"Title150Runes", "declare " + title150,
			bot.Command{Name: bot.CmdDeclare, Text: title150}},
		{"Title150RunesAfterCollapsing", "declare " + strings.Repeat("x", 75) + "      " + strings.Repeat("y", 74),
			bot.Command{Name: bot.CmdDeclare, Text: strings.Repeat("x", 75) + " " + strings.Repeat("y", 74)}},
		{"Message3000Runes", "update " + message3000,
			bot.Command{Name: bot.CmdUpdate, Text: message3000}},
		{"MessageFlag3000Runes", `declare Checkout --message "` + message3000 + `"`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", Message: message3000}},
		{"Postmortem12000Runes", "postmortem " + body12000,
			bot.Command{Name: bot.CmdPostmortem, Text: body12000}},
		{"Message3000RunesAfterTrimming", "resolved   " + message3000 + "   ",
			bot.Command{Name: bot.CmdResolved, Text: message3000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bot.Parse(tc.line)
			if err != nil {
				t.Fatalf("Parse(%q) = %v, want no error", clipForLog(tc.line), err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) differs (-want +got):\n%s", clipForLog(tc.line), diff)
			}
			// cmp compares times with Equal; the times must also be in UTC.
			for field, tm := range map[string]time.Time{"At": got.At, "Started": got.Started} {
				if !tm.IsZero() && tm.Location() != time.UTC {
					t.Errorf("%s is in %v, want UTC", field, tm.Location())
				}
			}
		})
	}
}

// TestParseRefForms reads each form of reference in each command shape that
// takes one.
func TestParseRefForms(t *testing.T) {
	shapes := []struct {
		name string
		line string // %s is the reference
		want bot.Command
	}{
		{"Investigating", "investigating %s Looking again", bot.Command{Name: bot.CmdInvestigating, Text: "Looking again"}},
		{"Identified", "identified %s Bad deploy", bot.Command{Name: bot.CmdIdentified, Text: "Bad deploy"}},
		{"Monitoring", "monitoring %s Rolled back", bot.Command{Name: bot.CmdMonitoring, Text: "Rolled back"}},
		{"Resolved", "resolved %s All clear", bot.Command{Name: bot.CmdResolved, Text: "All clear"}},
		{"Resolve", "/incident resolve %s All clear", bot.Command{Name: bot.CmdResolved, Text: "All clear"}},
		{"Update", "update %s Still looking", bot.Command{Name: bot.CmdUpdate, Text: "Still looking"}},
		{"UpdateQuoted", `update %s "Still looking"`, bot.Command{Name: bot.CmdUpdate, Text: "Still looking"}},
		{"PostmortemDraft", "postmortem %s", bot.Command{Name: bot.CmdPostmortem}},
		{"PostmortemBody", "postmortem %s The disk filled up.", bot.Command{Name: bot.CmdPostmortem, Text: "The disk filled up."}},
		{"Show", "show %s", bot.Command{Name: bot.CmdShow}},
		{"Impact", "impact %s minor", bot.Command{Name: bot.CmdImpact, Impact: bot.ImpactMinor}},
		{"Components", `components %s "API, Web"`, bot.Command{Name: bot.CmdComponents, Components: []string{"API", "Web"}, HasComponents: true}},
		{"ComponentsNone", `components %s ""`, bot.Command{Name: bot.CmdComponents, HasComponents: true}},
		{"Assign", "assign %s commander <@U123|alex>", bot.Command{Name: bot.CmdAssign, Role: bot.Commander, User: "U123"}},
	}
	forms := []struct {
		name string
		ref  string
	}{
		{"INC", "INC-12"},
		{"LowerINC", "inc-12"},
		{"Hash", "#12"},
		{"Number", "12"},
	}
	for _, sh := range shapes {
		for _, f := range forms {
			t.Run(sh.name+"/"+f.name, func(t *testing.T) {
				line := fmt.Sprintf(sh.line, f.ref)
				want := sh.want
				want.Ref = 12
				got, err := bot.Parse(line)
				if err != nil {
					t.Fatalf("Parse(%q) = %v, want no error", line, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Parse(%q) differs (-want +got):\n%s", line, diff)
				}
			})
		}
	}
}

// TestParseErrors shows, for every way Parse refuses a line, the sentence
// the responder reads.
func TestParseErrors(t *testing.T) {
	names26, _ := parseTestComponents(26)
	commands := "declare, investigating, identified, monitoring, resolved, update, postmortem, show, list, impact, components, assign, help"

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
		{"ErrQuotedCommand", `"declare" Checkout fails`,
			"There is no /incident declare. Commands: " + commands + ". /incident help explains each."},
		{"ErrUnknownCommandClipped", strings.Repeat("x", 45) + " now",
			"There is no /incident " + strings.Repeat("x", 40) + "…. Commands: " + commands + ". /incident help explains each."},

		// Flags.
		{"ErrUnknownFlag", "update Restarted with --force",
			"There is no flag --force; to write it in a message, put the message in quotes. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrUnknownFlagWithValue", "declare Checkout --severity=high",
			`There is no flag --severity; to write it in a message, put the message in quotes. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrUnknownFlagCaseSensitive", "declare Checkout --Impact major",
			`There is no flag --Impact; to write it in a message, put the message in quotes. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrTripleDash", "update Rolled back --- watching",
			"There is no flag ---; to write it in a message, put the message in quotes. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrUnknownFlagClipped", "update Rolled back --" + strings.Repeat("f", 35),
			"There is no flag --" + strings.Repeat("f", 30) + "…; to write it in a message, put the message in quotes. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrFlagNotTakenByUpdate", "update Rolled back --impact major",
			"/incident update does not take --impact. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrFlagNotTakenByAlias", "resolve Fixed —message done",
			"/incident resolved does not take --message. Usage: /incident resolved [<ref>] <message> [--at <time>]"},
		{"ErrFlagNotTakenByList", "list --at 2025-10-30T17:25:40Z",
			"/incident list does not take --at. Usage: /incident list [--all]"},
		{"ErrFlagNotTakenByShow", "show --all",
			"/incident show does not take --all. Usage: /incident show [<ref>]"},
		{"ErrFlagNotTakenByDeclare", "declare Checkout --all",
			`/incident declare does not take --all. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrFlagNotTakenByImpact", "impact major --impact minor",
			"/incident impact does not take --impact. Usage: /incident impact [<ref>] <none|minor|major|critical>"},
		{"ErrFlagNotTakenByComponents", `components "API" --components Web`,
			`/incident components does not take --components. Usage: /incident components [<ref>] "<A, B, C>"`},
		{"ErrFlagNotTakenByAssign", "assign commander @alex --at 2025-10-30T17:25:40Z",
			"/incident assign does not take --at. Usage: /incident assign [<ref>] <commander|comms|scribe> <@user>"},
		{"ErrFlagNotTakenByHelp", "help --all",
			"/incident help does not take --all. Usage: /incident help [<command>]"},
		{"ErrFlagTwice", "declare Checkout --impact major --impact=minor",
			`--impact is given twice; give it once. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrFlagTwiceDashAndEmDash", "update Rolled back --at 2025-10-30T17:25:40Z —at 2025-10-30T17:26:00Z",
			"--at is given twice; give it once. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrAllTwice", "list --all --all",
			"--all is given twice; give it once. Usage: /incident list [--all]"},
		{"ErrValueMissingAtEnd", "declare Checkout --impact",
			`--impact needs a value. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrValueMissingBeforeFlag", "declare Checkout --message --impact major",
			`--message needs a value. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrValueMissingBeforeEmDashFlag", "declare Checkout --impact —at 2025-10-30T17:25:40Z",
			`--impact needs a value. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrValueMissingBeforeUnknownFlag", "update Rolled back --at --soon",
			"--at needs a value. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrValueMissingBeforeDoubleDash", "update Rolled back --at -- now",
			"--at needs a value. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrAllWithValue", "list --all=true",
			"--all takes no value. Usage: /incident list [--all]"},
		{"ErrAllWithEmptyValue", "list --all=",
			"--all takes no value. Usage: /incident list [--all]"},

		// Flag values.
		{"ErrBadImpactFlag", "declare Checkout --impact huge",
			`--impact must be none, minor, major or critical, not "huge". Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrEmptyImpactFlag", "declare Checkout --impact=",
			`--impact must be none, minor, major or critical, not "". Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrBadImpactFlagClipped", "declare Checkout --impact " + strings.Repeat("h", 31),
			`--impact must be none, minor, major or critical, not "` + strings.Repeat("h", 30) + `…". Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
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
			`--message is empty. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrBlankMessageFlag", `declare Checkout --message "   "`,
			`--message is empty. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrEmptyMessageFlagEquals", `declare Checkout --message=`,
			`--message is empty. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrMessageFlag3001Runes", `declare Checkout --message "` + strings.Repeat("é", 3001) + `"`,
			"The first update is 3001 characters long; the limit is 3000. Shorten it, or post the rest with /incident update."},
		{"ErrComponentsFlag26", `declare Checkout --components "` + names26 + `"`,
			`That is 26 components; the limit is 25. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrComponentsFlagNameTooLong", `declare Checkout --components "API, ` + strings.Repeat("c", 101) + `"`,
			`The component "` + strings.Repeat("c", 30) + `…" is longer than 100 characters. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},

		// Title.
		{"ErrNoTitle", "declare",
			`Give the incident a title, for example /incident declare Checkout fails for EU customers --impact major. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrOnlyFlagsNoTitle", "declare --impact major",
			`Give the incident a title, for example /incident declare Checkout fails for EU customers --impact major. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrBlankQuotedTitle", `declare "  "`,
			`Give the incident a title, for example /incident declare Checkout fails for EU customers --impact major. Usage: /incident declare <title> [--impact none|minor|major|critical] [--components "A, B, C"] [--message <first update>] [--started <time>] [--at <time>]`},
		{"ErrTitle151Runes", "declare " + strings.Repeat("é", 151),
			"The title is 151 characters long; the limit is 150. Keep it short and put details in --message."},

		// Message.
		{"ErrStatusWithoutMessage", "resolved",
			"/incident resolved needs a message for the timeline, for example /incident resolved We are rolling back the deploy. Usage: /incident resolved [<ref>] <message> [--at <time>]"},
		{"ErrAliasWithOnlyRef", "resolve INC-12",
			"/incident resolved needs a message for the timeline, for example /incident resolved We are rolling back the deploy. Usage: /incident resolved [<ref>] <message> [--at <time>]"},
		{"ErrInvestigatingOnlyFlag", "investigating --at 2025-10-30T17:25:40Z",
			"/incident investigating needs a message for the timeline, for example /incident investigating We are rolling back the deploy. Usage: /incident investigating [<ref>] <message> [--at <time>]"},
		{"ErrIdentifiedWithoutMessage", "identify",
			"/incident identified needs a message for the timeline, for example /incident identified We are rolling back the deploy. Usage: /incident identified [<ref>] <message> [--at <time>]"},
		{"ErrMonitoringWithoutMessage", "monitor #3",
			"/incident monitoring needs a message for the timeline, for example /incident monitoring We are rolling back the deploy. Usage: /incident monitoring [<ref>] <message> [--at <time>]"},
		{"ErrUpdateEmptyQuoted", `update ""`,
			"/incident update needs a message for the timeline, for example /incident update We are rolling back the deploy. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrUpdateOnlyDoubleDash", "update --",
			"/incident update needs a message for the timeline, for example /incident update We are rolling back the deploy. Usage: /incident update [<ref>] <message> [--at <time>]"},
		{"ErrMessage3001Runes", "update " + strings.Repeat("é", 3001),
			"The message is 3001 characters long; the limit is 3000. Split it into several updates."},
		{"ErrStatusMessage3001Runes", "resolved INC-2 " + strings.Repeat("é", 3001),
			"The message is 3001 characters long; the limit is 3000. Split it into several updates."},
		// The advice to split does not fit a postmortem (see the report).
		{"ErrPostmortem12001Runes", "postmortem " + strings.Repeat("é", 12001),
			"The message is 12001 characters long; the limit is 12000. Split it into several updates."},

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
			`Name the affected components, separated by commas, or "" for none. Usage: /incident components [<ref>] "<A, B, C>"`},
		{"ErrComponentsOnlyRef", "components INC-12",
			`Name the affected components, separated by commas, or "" for none. Usage: /incident components [<ref>] "<A, B, C>"`},
		{"ErrComponents26", `components "` + names26 + `"`,
			`That is 26 components; the limit is 25. Usage: /incident components [<ref>] "<A, B, C>"`},
		{"ErrComponentNameTooLong", "components API, " + strings.Repeat("é", 101),
			`The component "` + strings.Repeat("é", 30) + `…" is longer than 100 characters. Usage: /incident components [<ref>] "<A, B, C>"`},

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
			"There is no /incident /escalate. Commands: " + commands + "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bot.Parse(tc.line)
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

// TestParseKnownBugs holds the behaviour the parser should have but has not
// yet. Each case is skipped with the reason; remove the skip with the fix.
func TestParseKnownBugs(t *testing.T) {
	t.Run("HelpWithExtraWords", func(t *testing.T) {
		t.Skip(`known bug: "help declare now" says "There is no /incident declare", though declare exists`)
		_, err := bot.Parse("help declare now")
		if bot.ErrorCode(err) != bot.EINVALID {
			t.Fatalf("code %q, want %q", bot.ErrorCode(err), bot.EINVALID)
		}
		if msg := bot.ErrorMessage(err); strings.Contains(msg, "There is no /incident declare") {
			t.Errorf("message %q denies that declare exists", msg)
		}
	})
	t.Run("FlagEqualsQuotedValue", func(t *testing.T) {
		t.Skip(`known bug: --message="We are on it" keeps the quote in the value and spills the rest into the title`)
		got, err := bot.Parse(`declare DB down --message="We are investigating"`)
		if err != nil {
			t.Fatal(err)
		}
		want := bot.Command{Name: bot.CmdDeclare, Text: "DB down", Message: "We are investigating"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("AtEqualsQuotedTwoWordTime", func(t *testing.T) {
		t.Skip(`known bug: --at="2025-10-30 17:25" is refused; --at "2025-10-30 17:25" is read`)
		got, err := bot.Parse(`update Rolled back --at="2025-10-30 17:25"`)
		if err != nil {
			t.Fatal(err)
		}
		want := bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: time.Date(2025, 10, 30, 17, 25, 0, 0, time.UTC)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    string
		want int
		ok   bool
	}{
		{"INC", "INC-12", 12, true},
		{"LowerINC", "inc-12", 12, true},
		{"MixedCaseINC", "Inc-7", 7, true},
		{"Hash", "#12", 12, true},
		{"Number", "12", 12, true},
		{"One", "1", 1, true},
		{"NineDigits", "999999999", 999999999, true},
		{"INCNineDigits", "INC-123456789", 123456789, true},
		{"ErrEmpty", "", 0, false},
		{"ErrZero", "0", 0, false},
		{"ErrINCZero", "INC-0", 0, false},
		{"ErrHashZero", "#0", 0, false},
		{"ErrLeadingZero", "012", 0, false},
		{"ErrINCLeadingZero", "INC-012", 0, false},
		{"ErrTenDigits", "1234567890", 0, false},
		{"ErrINCTenDigits", "INC-1234567890", 0, false},
		{"ErrINCAlone", "INC-", 0, false},
		{"ErrINCWithoutDash", "INC12", 0, false},
		{"ErrHashAlone", "#", 0, false},
		{"ErrHashINC", "#INC-12", 0, false},
		{"ErrINCHash", "INC-#12", 0, false},
		{"ErrLetters", "abc", 0, false},
		{"ErrDigitsThenLetter", "12a", 0, false},
		{"ErrINCDigitsThenLetter", "INC-1x", 0, false},
		{"ErrSign", "+12", 0, false},
		{"ErrNegative", "-12", 0, false},
		{"ErrSpace", " 12", 0, false},
		{"ErrEnDash", "INC–12", 0, false},
		{"ErrFullWidthDigits", "１２", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := bot.ParseRef(tc.s)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseRef(%q) = %d, %t, want %d, %t", tc.s, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// parseTestComponents returns n component names as a command writes them
// ("C1, C2, ...") and as Parse returns them.
func parseTestComponents(n int) (string, []string) {
	list := make([]string, n)
	for i := range list {
		list[i] = fmt.Sprintf("C%d", i+1)
	}
	return strings.Join(list, ", "), list
}

// clipForLog keeps a failure message readable when the line is thousands of
// characters long.
func clipForLog(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

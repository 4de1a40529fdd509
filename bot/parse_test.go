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
			bot.Command{Name: bot.CmdAssign, Role: bot.Commander, User: "U123", UserName: "alex"}},
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
		{"RefOnlyOnce", "update #12 13 hosts down",
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
		// A bare declare asks for the declare form.
		{"DeclareWithoutTitle", "declare", bot.Command{Name: bot.CmdDeclare}},
		{"DeclareBlankQuotedTitle", `declare "  "`, bot.Command{Name: bot.CmdDeclare}},
		{"DoubleDashIsProse", "update Rollback done -- monitoring now",
			bot.Command{Name: bot.CmdUpdate, Text: "Rollback done -- monitoring now"}},
		{"EmDashAtInProse", "update Checkout degraded —at least in EU",
			bot.Command{Name: bot.CmdUpdate, Text: "Checkout degraded —at least in EU"}},
		{"FlagNamesAnyCase", "declare Checkout --Impact MAJOR",
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout", Impact: bot.ImpactMajor}},
		{"FlagEqualsQuotedValue", `declare DB down --message="We are investigating"`,
			bot.Command{Name: bot.CmdDeclare, Text: "DB down", Message: "We are investigating"}},
		{"FlagEqualsCurlyQuotedValue", `declare DB down --components=“API, Web” --impact=minor`,
			bot.Command{Name: bot.CmdDeclare, Text: "DB down", Components: []string{"API", "Web"}, HasComponents: true, Impact: bot.ImpactMinor}},
		{"AtEqualsQuotedTwoWordTime", `update Rolled back --at="2025-10-30 17:25"`,
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: time.Date(2025, 10, 30, 17, 25, 0, 0, time.UTC)}},
		{"AtEqualsTwoWordTime", `update Rolled back --at=2025-10-30 17:25`,
			bot.Command{Name: bot.CmdUpdate, Text: "Rolled back", At: time.Date(2025, 10, 30, 17, 25, 0, 0, time.UTC)}},
		{"QuotedCommandWord", `"declare" Checkout fails`,
			bot.Command{Name: bot.CmdDeclare, Text: "Checkout fails"}},
		{"RefWithLeadingZeros", "resolved INC-0012 all clear",
			bot.Command{Name: bot.CmdResolved, Ref: 12, Text: "all clear"}},
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
			got, err := bot.Parse(tc.line, time.UTC)
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
		// bare: a bare number is read as the reference, since what follows
		// it is no free text
		bare bool
	}{
		{"Investigating", "investigating %s Looking again", bot.Command{Name: bot.CmdInvestigating, Text: "Looking again"}, false},
		{"Identified", "identified %s Bad deploy", bot.Command{Name: bot.CmdIdentified, Text: "Bad deploy"}, false},
		{"Monitoring", "monitoring %s Rolled back", bot.Command{Name: bot.CmdMonitoring, Text: "Rolled back"}, false},
		{"Resolved", "resolved %s All clear", bot.Command{Name: bot.CmdResolved, Text: "All clear"}, false},
		{"Resolve", "/incident resolve %s All clear", bot.Command{Name: bot.CmdResolved, Text: "All clear"}, false},
		{"Update", "update %s Still looking", bot.Command{Name: bot.CmdUpdate, Text: "Still looking"}, false},
		{"UpdateQuoted", `update %s "Still looking"`, bot.Command{Name: bot.CmdUpdate, Text: "Still looking"}, false},
		{"PostmortemDraft", "postmortem %s", bot.Command{Name: bot.CmdPostmortem}, true},
		{"PostmortemBody", "postmortem %s The disk filled up.", bot.Command{Name: bot.CmdPostmortem, Text: "The disk filled up."}, false},
		{"Show", "show %s", bot.Command{Name: bot.CmdShow}, true},
		{"Impact", "impact %s minor", bot.Command{Name: bot.CmdImpact, Impact: bot.ImpactMinor}, true},
		{"Components", `components %s "API, Web"`, bot.Command{Name: bot.CmdComponents, Components: []string{"API", "Web"}, HasComponents: true}, false},
		{"ComponentsNone", `components %s ""`, bot.Command{Name: bot.CmdComponents, HasComponents: true}, false},
		{"Assign", "assign %s commander <@U123|alex>", bot.Command{Name: bot.CmdAssign, Role: bot.Commander, User: "U123", UserName: "alex"}, true},
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
			if f.name == "Number" && !sh.bare {
				continue // TestParseBareNumbers
			}
			t.Run(sh.name+"/"+f.name, func(t *testing.T) {
				line := fmt.Sprintf(sh.line, f.ref)
				want := sh.want
				want.Ref = 12
				got, err := bot.Parse(line, time.UTC)
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

// TestParseBareNumbers reads a bare number as a reference only where it
// cannot be the start of what the responder wrote.
func TestParseBareNumbers(t *testing.T) {
	for _, tc := range []struct {
		name string
		line string
		want bot.Command
	}{
		{"StartsAnUpdate", "update 2 nodes are still down",
			bot.Command{Name: bot.CmdUpdate, Text: "2 nodes are still down"}},
		{"StartsAMove", "resolved 2 retries later all is well",
			bot.Command{Name: bot.CmdResolved, Text: "2 retries later all is well"}},
		{"StartsAPostmortem", "postmortem 3 disks failed at once",
			bot.Command{Name: bot.CmdPostmortem, Text: "3 disks failed at once"}},
		{"StartsQuotedText", `update 2 "nodes down"`,
			bot.Command{Name: bot.CmdUpdate, Text: `2 "nodes down"`}},
		{"AloneAfterAMove", "update 12",
			bot.Command{}}, // a reference with no message: see the error test
		{"AloneIsTheDraft", "postmortem 12",
			bot.Command{Name: bot.CmdPostmortem, Ref: 12}},
		{"AloneIsShown", "show 12",
			bot.Command{Name: bot.CmdShow, Ref: 12}},
		{"BeforeAnImpact", "impact 12 major",
			bot.Command{Name: bot.CmdImpact, Ref: 12, Impact: bot.ImpactMajor}},
		{"BeforeAnAssignment", "assign 12 comms @jo",
			bot.Command{Name: bot.CmdAssign, Ref: 12, Role: bot.Comms, User: "@jo"}},
		{"PrefixedBeforeText", "update #2 nodes are still down",
			bot.Command{Name: bot.CmdUpdate, Ref: 2, Text: "nodes are still down"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bot.Parse(tc.line, time.UTC)
			if tc.want.Name == "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want the error that asks for a message", tc.line, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tc.line, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tc.line, diff)
			}
		})
	}
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
		{"INCLeadingZero", "INC-012", 12, true},
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

// BenchmarkParse measures a typical declare, and long lines of words that
// each open a quote that never closes: finding closers is a binary search, so
// those must grow about linearly with the length, not with its square.
func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name string
		line string
	}{
		{"Declare", `/incident declare Checkout fails for EU customers --impact major --components "API, Web" --at 2025-10-30 17:25 --message "We are looking into it."`},
		{"Words10k", "update " + strings.Repeat("a ", 10000)},
		{"UnclosedQuotes1k", "update " + strings.Repeat(`"a `, 1000)},
		{"UnclosedQuotes10k", "update " + strings.Repeat(`"a `, 10000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bot.Parse(bc.line, time.UTC) // the long lines are refused for their length
			}
		})
	}
}

// TestParseTimesInZone reads wall-clock times in the team's zone and times
// with a Z or an offset as written.
func TestParseTimesInZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, at string
		want     time.Time
		err      string
	}{
		{"WallClockWinter", "2025-10-30 18:40", time.Date(2025, 10, 30, 17, 40, 0, 0, time.UTC), ""},
		{"WallClockSummer", "2025-07-01T09:15", time.Date(2025, 7, 1, 7, 15, 0, 0, time.UTC), ""},
		{"ZuluHonoured", "2025-10-30T18:40:00Z", time.Date(2025, 10, 30, 18, 40, 0, 0, time.UTC), ""},
		{"OffsetHonoured", "2025-10-30T18:40:00-04:00", time.Date(2025, 10, 30, 22, 40, 0, 0, time.UTC), ""},
		{"BeforeTheGap", "2025-03-30 01:59:59", time.Date(2025, 3, 30, 0, 59, 59, 0, time.UTC), ""},
		{"AfterTheGap", "2025-03-30 03:00", time.Date(2025, 3, 30, 1, 0, 0, 0, time.UTC), ""},
		{"InTheGap", "2025-03-30 02:30", time.Time{},
			"--at 2025-03-30 02:30 does not exist in Europe/Berlin: the clocks skip it. Write 2025-03-30T02:30:00+01:00 (Mar 30, 2025, 03:30 AM CEST) or 2025-03-30T02:30:00+02:00 (Mar 30, 2025, 01:30 AM CET)."},
		{"Twice", "2025-10-26 02:00", time.Time{},
			"--at 2025-10-26 02:00 happens twice in Europe/Berlin, as the clocks go back. Write 2025-10-26T02:00:00+02:00 (Oct 26, 2025, 02:00 AM CEST) for the first or 2025-10-26T02:00:00+01:00 (Oct 26, 2025, 02:00 AM CET) for the second."},
		{"AfterTwice", "2025-10-26 03:00", time.Date(2025, 10, 26, 2, 0, 0, 0, time.UTC), ""},
		{"NoTime", "noon", time.Time{},
			`Could not read the time "noon" of --at. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (Europe/Berlin).`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bot.Parse(fmt.Sprintf("update Rolled back --at %q", tc.at), berlin)
			if tc.err != "" {
				if msg := bot.ErrorMessage(err); msg != tc.err {
					t.Errorf("error\n got %q\nwant %q", msg, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.At.Equal(tc.want) || got.At.Location() != time.UTC {
				t.Errorf("At = %v, want %v in UTC", got.At, tc.want)
			}
		})
	}
}

package bot

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// aliases let a stressed responder type the verb instead of the status.
var aliases = map[string]Name{
	"investigate": CmdInvestigating,
	"identify":    CmdIdentified,
	"monitor":     CmdMonitoring,
	"resolve":     CmdResolved,
}

// Parse reads one /incident command line. The leading "/incident" is
// optional. Wall-clock times (--at "2025-10-30 18:40") are read in loc, the
// team's zone; UTC when loc is nil. Every error is an *Error with code
// EINVALID whose message says what to type instead.
func Parse(line string, loc *time.Location) (Command, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(line) > MaxLine {
		return Command{}, Errorf(EINVALID, "That command is %d bytes long; the limit is %d. Shorten it.", len(line), MaxLine)
	}
	toks := tokenize(line)
	if len(toks) > 0 && strings.EqualFold(toks[0].text, "/incident") {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return Command{}, Errorf(EINVALID, "Type a command after /incident, for example /incident declare <title>. /incident help lists them all.")
	}
	name, ok := commandName(toks[0].text)
	if !ok {
		return Command{}, Errorf(EINVALID, "There is no /incident %s. Commands: %s. /incident help explains each.", clip(toks[0].text, 40), commandList())
	}
	sp, _ := lookupSpec(name)
	p := parser{line: line, cmd: Command{Name: name}, spec: sp, loc: loc}
	if err := p.run(toks[1:]); err != nil {
		return Command{}, err
	}
	return p.cmd, nil
}

// commandName reads a command word in any letter case, aliases included.
func commandName(word string) (Name, bool) {
	word = strings.ToLower(word)
	name := Name(word)
	if alias, ok := aliases[word]; ok {
		name = alias
	}
	_, ok := lookupSpec(name)
	return name, ok
}

// parser holds one command line while its words are sorted into flags and
// positional words.
type parser struct {
	loc  *time.Location // the zone wall-clock times are read in
	line string
	cmd  Command
	spec spec
	seen []string
	pos  []token
}

func (p *parser) usageErr(format string, args ...any) *Error {
	return Errorf(EINVALID, "%s Usage: %s", fmt.Sprintf(format, args...), p.spec.usage)
}

func (p *parser) run(toks []token) error {
	for i := 0; i < len(toks); i++ {
		f, ok := flagOf(toks[i])
		if !ok || p.prose(f, toks[i+1:]) {
			p.pos = append(p.pos, toks[i])
			continue
		}
		used, err := p.flag(f, toks[i+1:])
		if err != nil {
			return err
		}
		i += used
	}
	return p.positional()
}

// prose reports whether an autocorrected dash before a common word is prose
// rather than a flag: "—at least in the EU", "—all of it" outside list.
func (p *parser) prose(f flag, rest []token) bool {
	switch {
	case !f.autocorrected:
		return false
	case switches[f.name]:
		return !slices.Contains(p.spec.flags, f.name)
	case f.name == "at":
		value := f.value
		if !f.hasValue && len(rest) > 0 {
			value = rest[0].text
		}
		_, _, isTime := readTime(value, p.loc)
		return !isTime && !dateOnly.MatchString(value)
	}
	return false
}

// flag takes one flag and, when its value is a separate word, that word
// from rest. It returns how many words of rest it used.
func (p *parser) flag(f flag, rest []token) (used int, err error) {
	if !slices.Contains(allFlags, f.name) {
		return 0, p.usageErr("There is no flag --%s; to write it in a message, put the message in quotes.", clip(f.name, 30))
	}
	if !slices.Contains(p.spec.flags, f.name) {
		return 0, p.usageErr("/incident %s does not take --%s.", p.cmd.Name, f.name)
	}
	if slices.Contains(p.seen, f.name) {
		return 0, p.usageErr("--%s is given twice; give it once.", f.name)
	}
	if switches[f.name] {
		if f.hasValue {
			return 0, p.usageErr("--%s takes no value.", f.name)
		}
		p.seen = append(p.seen, f.name)
		p.setSwitch(f.name, true)
		return 0, nil
	}
	value := f.value
	if !f.hasValue {
		if len(rest) == 0 || isFlag(rest[0]) {
			return 0, p.usageErr("--%s needs a value.", f.name)
		}
		value, used = rest[0].text, 1
		rest = rest[1:]
	}
	// "--at 2025-10-30 17:25" spans two words.
	if (f.name == "at" || f.name == "started") && len(rest) > 0 && dateOnly.MatchString(value) && clockOnly.MatchString(rest[0].text) {
		value += " " + rest[0].text
		used++
	}
	if err := p.setFlag(f.name, value); err != nil {
		return 0, err
	}
	p.seen = append(p.seen, f.name)
	return used, nil
}

// followUpVerbs are what followup does.
var followUpVerbs = map[string]bool{"add": true, "done": true, "list": true}

// followUp reads add "<text>", done <n> or list.
func (p *parser) followUp() error {
	if len(p.pos) == 0 || !followUpVerbs[strings.ToLower(p.pos[0].text)] {
		return p.usageErr("Say add, done or list.")
	}
	p.cmd.Verb = strings.ToLower(p.pos[0].text)
	rest := p.pos[1:]
	switch p.cmd.Verb {
	case "add":
		p.pos = rest
		text, err := checkMessage(CmdFollowUp, p.text())
		if err != nil {
			return err
		}
		if text == "" {
			return p.usageErr("Say what is to be done.")
		}
		p.cmd.Text = text
	case "done":
		n, err := strconv.Atoi(strings.TrimPrefix(firstText(rest), "#"))
		if len(rest) != 1 || err != nil || n <= 0 {
			return p.usageErr("Name the follow-up by its number, for example done 2.")
		}
		p.cmd.Item = n
	case "list":
		if len(rest) > 0 {
			return p.usageErr("list takes nothing more.")
		}
	}
	if p.cmd.Verb != "add" && (p.cmd.User != "" || !p.cmd.Due.IsZero()) {
		return p.usageErr("--owner and --due go with add.")
	}
	return nil
}

func firstText(ts []token) string {
	if len(ts) == 0 {
		return ""
	}
	return ts[0].text
}

// maxWait bounds --next and snooze: past a day, say so in an update.
const maxWait = 24 * time.Hour

// parseWait reads a wait like 20m, 1h30m or 2h, from a minute to a day.
func parseWait(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.ToLower(v))
	if err != nil || d < time.Minute || d > maxWait {
		//lint:ignore ST1005 the end of a sentence responders read, after the flag's name
		return 0, fmt.Errorf("takes a wait from 1m to 24h, like 20m or 1h30m, not %q.", clip(v, 20))
	}
	return d.Round(time.Minute), nil
}

// earliest is the earliest time --at and --started take: anything before
// is a typo (a two-digit year, Go's zero time) that would break durations.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// switches are the flags that take no value.
var switches = map[string]bool{"all": true, "private": true, "mine": true, "overdue": true, "internal": true}

// setSwitch sets the field of a flag that takes no value.
func (p *parser) setSwitch(name string, on bool) {
	switch name {
	case "all":
		p.cmd.All = on
	case "private":
		p.cmd.Private = on
	case "mine":
		p.cmd.Mine = on
	case "overdue":
		p.cmd.Overdue = on
	case "internal":
		p.cmd.Internal = on
	}
}

var (
	dateOnly  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	clockOnly = regexp.MustCompile(`^\d{2}:\d{2}(:\d{2})?$`)
)

func isFlag(t token) bool {
	_, ok := flagOf(t)
	return ok
}

func (p *parser) setFlag(name, value string) error {
	switch name {
	case "since":
		d, err := ParseSince(value)
		if err != nil {
			return p.usageErr("%s", ErrorMessage(err))
		}
		p.cmd.Since = d
	case "owner":
		user, name, ok := parseUser(value)
		if !ok {
			return p.usageErr("--owner %q is not a person; mention them, for example @alex.", clip(value, 40))
		}
		p.cmd.User, p.cmd.UserName = user, name
	case "due":
		day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(value), p.loc)
		if err != nil || day.Before(earliest) {
			return p.usageErr("--due %q is not a day like 2025-11-10.", clip(value, 30))
		}
		p.cmd.Due = day
	case "next":
		d, err := parseWait(value)
		if err != nil {
			return p.usageErr("--next %s", err.Error())
		}
		p.cmd.Next = d
	case "impact":
		im, ok := ParseImpact(value)
		if !ok {
			return p.usageErr("--impact must be none, minor, major or critical, not %q.", clip(value, 30))
		}
		p.cmd.Impact = im
	case "components":
		list, set, err := splitComponents(value)
		if err != nil {
			return p.usageErr("%s", err.Message)
		}
		p.cmd.Components, p.cmd.ComponentStatus, p.cmd.HasComponents = list, set, true
	case "message":
		if strings.TrimSpace(value) == "" {
			return p.usageErr("--message is empty.")
		}
		msg, err := checkFirstUpdate(value)
		if err != nil {
			return err
		}
		p.cmd.Message = msg
	case "at", "started":
		readings, skipped, ok := readTime(value, p.loc)
		switch {
		case !ok:
			return Errorf(EINVALID, "Could not read the time %q of --%s. Write it as 2025-10-30T17:25:40Z or 2025-10-30 17:25 (%s).", clip(value, 40), name, zoneName(p.loc))
		case len(readings) > 1:
			return ambiguousTime(name, value, readings, skipped, p.loc)
		}
		t := readings[0].UTC()
		if t.Before(earliest) {
			return Errorf(EINVALID, "The time %q of --%s is before 2000; write the date in full, for example 2025-10-30 17:25.", clip(value, 40), name)
		}
		if name == "at" {
			p.cmd.At = t
		} else {
			p.cmd.Started = t
		}
	}
	return nil
}

// positional sorts the words that are not flags by the command's shape,
// after a leading reference where the command takes one.
func (p *parser) positional() error {
	switch p.spec.takes {
	case takesNothing, takesTitle, takesTopic:
	default:
		if err := p.takeRef(); err != nil {
			return err
		}
	}
	return p.shape()
}

// shape reads the positional words as the command's shape wants them.
func (p *parser) shape() error {
	switch p.spec.takes {
	case takesNothing:
		if len(p.pos) > 0 {
			return p.usageErr("/incident %s takes no words, only flags.", p.cmd.Name)
		}
	case takesTitle:
		return p.title()
	case takesMessage, takesBody:
		return p.message()
	case takesRef:
		if len(p.pos) > 0 {
			return p.usageErr("%q is not an incident reference; write one like INC-12.", clip(p.pos[0].text, 30))
		}
	case takesImpact:
		if len(p.pos) != 1 {
			return p.usageErr("Give one impact level.")
		}
		im, ok := ParseImpact(p.pos[0].text)
		if !ok {
			return p.usageErr("The impact must be none, minor, major or critical, not %q.", clip(p.pos[0].text, 30))
		}
		p.cmd.Impact = im
	case takesComponents:
		if len(p.pos) == 0 {
			return p.usageErr(`Name the affected components, separated by commas, or "" for none.`)
		}
		list, set, err := splitComponents(p.text())
		if err != nil {
			return p.usageErr("%s", err.Message)
		}
		p.cmd.Components, p.cmd.ComponentStatus, p.cmd.HasComponents = list, set, true
	case takesAssignment:
		return p.assignment()
	case takesVisibility:
		if len(p.pos) != 1 || !slices.Contains([]string{"public", "private"}, strings.ToLower(p.pos[0].text)) {
			return p.usageErr("Say public or private.")
		}
		p.cmd.Private = strings.EqualFold(p.pos[0].text, "private")
	case takesFollowUp:
		return p.followUp()
	case takesSnooze:
		if len(p.pos) != 1 {
			return p.usageErr("Say how long, for example 45m, or off.")
		}
		if strings.EqualFold(p.pos[0].text, "off") {
			p.cmd.SnoozeOff = true
			return nil
		}
		d, err := parseWait(p.pos[0].text)
		if err != nil {
			return p.usageErr("The snooze %s", err.Error())
		}
		p.cmd.Snooze = d
	case takesTopic:
		return p.topic()
	}
	return nil
}

// takeRef takes a leading incident reference. "INC-12" and "#12" always are
// one. A bare "12" is one only where it cannot be the start of what the
// responder wrote: alone (show 12, postmortem 12), or before words that fill
// a shape of no free text (impact 12 major). Before a message it is the
// message's first word: "update 2 nodes are still down" is news, not INC-2.
// A quoted word is never a reference.
func (p *parser) takeRef() error {
	if len(p.pos) == 0 || p.pos[0].quoted {
		return nil
	}
	word := p.pos[0].text
	n, ok := ParseRef(word)
	switch {
	case ok && isBareNumber(word) && !p.bareRefFits():
		return nil
	case ok:
		p.cmd.Ref = n
		p.pos = p.pos[1:]
	case hasRefPrefix(word):
		return p.usageErr("%q is not an incident reference; write one like INC-12.", clip(word, 30))
	}
	return nil
}

// bareRefFits reports whether a bare number in front of the positional words
// can only be a reference.
func (p *parser) bareRefFits() bool {
	switch p.spec.takes {
	case takesRef:
		return true
	case takesImpact, takesVisibility, takesSnooze:
		return len(p.pos) == 2
	case takesAssignment:
		return len(p.pos) == 3
	case takesFollowUp:
		return len(p.pos) >= 2 && followUpVerbs[strings.ToLower(p.pos[1].text)]
	}
	return len(p.pos) == 1
}

// title takes the declaration's title. A bare "declare" is left without one:
// the service answers it with the declare form, which doors that can show
// forms open.
func (p *parser) title() error {
	title, err := checkTitle(p.text())
	if err != nil {
		return err
	}
	if title == "" && len(p.seen) > 0 {
		return p.usageErr("Give the incident a title, for example /incident declare Checkout fails for EU customers --impact major.")
	}
	p.cmd.Text = title
	return nil
}

func (p *parser) message() error {
	msg := strings.TrimSpace(p.text())
	if msg == "" {
		if p.spec.takes == takesBody {
			return nil
		}
		return p.usageErr("/incident %s needs a message for the timeline, for example /incident %s %s", p.cmd.Name, p.cmd.Name, examples[p.cmd.Name])
	}
	msg, err := checkMessage(p.cmd.Name, msg)
	if err != nil {
		return err
	}
	p.cmd.Text = msg
	return nil
}

func (p *parser) assignment() error {
	if len(p.pos) != 2 {
		return p.usageErr("Name a role and a person, for example /incident assign commander @alex.")
	}
	role, ok := ParseRole(p.pos[0].text)
	if !ok {
		return p.usageErr("The role must be commander, comms or scribe, not %q.", clip(p.pos[0].text, 30))
	}
	user, name, ok := parseUser(p.pos[1].text)
	if !ok {
		return p.usageErr("%q is not a person; mention them, for example @alex.", clip(p.pos[1].text, 40))
	}
	p.cmd.Role, p.cmd.User, p.cmd.UserName = role, user, name
	return nil
}

func (p *parser) topic() error {
	if len(p.pos) == 0 {
		return nil
	}
	if len(p.pos) > 1 {
		return p.usageErr("Name one command, for example /incident help declare.")
	}
	word := strings.TrimPrefix(p.pos[0].text, "/")
	name, ok := commandName(word)
	if !ok {
		return Errorf(EINVALID, "There is no /incident %s. Commands: %s.", clip(word, 40), commandList())
	}
	p.cmd.Topic = name
	return nil
}

// examples show a stressed responder what a message for each command reads like.
var examples = map[Name]string{
	CmdInvestigating: "We are looking into elevated error rates.",
	CmdIdentified:    "A bad deploy of the payment service.",
	CmdMonitoring:    "The fix is out; we are watching error rates.",
	CmdResolved:      "Error rates are back to normal.",
	CmdUpdate:        "We are rolling back the deploy.",
}

// text joins the positional words back into what the responder typed: each
// run of adjacent words keeps its spacing and quotes, and a text that is one
// quoted string loses its quotes.
func (p *parser) text() string {
	if len(p.pos) == 1 && p.pos[0].quoted {
		return p.pos[0].text
	}
	var b strings.Builder
	for i := 0; i < len(p.pos); {
		j := i
		for j+1 < len(p.pos) && p.pos[j+1].start == p.nextStart(p.pos[j]) {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.line[p.pos[i].start:p.pos[j].end])
		i = j + 1
	}
	return b.String()
}

// nextStart is where the word after t begins in the line, skipping spaces.
func (p *parser) nextStart(t token) int {
	rest := p.line[t.end:]
	return t.end + len(rest) - len(strings.TrimLeftFunc(rest, unicode.IsSpace))
}

// splitComponents reads "A, B, C", each name optionally with the status a
// responder sets for it ("API=major_outage"): cleaned and trimmed, empty
// parts dropped, duplicates (in any letter case) kept once. It stops reading
// at the first name past the limit, so a list of thousands costs no more
// than one at the limit.
func splitComponents(s string) ([]string, map[string]ComponentStatus, *Error) {
	var list []string
	var set map[string]ComponentStatus
	for rest, more := s, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		part, status, explicit := strings.Cut(part, "=")
		name := strings.Join(strings.Fields(cleanText(part, false)), " ")
		if name == "" || containsFold(list, name) {
			continue
		}
		if utf8.RuneCountInString(name) > MaxComponentName {
			return nil, nil, Errorf(EINVALID, "The component %q is longer than %d characters.", clip(name, 30), MaxComponentName)
		}
		if len(list) == MaxComponents {
			return nil, nil, Errorf(EINVALID, "That is more than %d components; the limit is %d.", MaxComponents, MaxComponents)
		}
		if explicit {
			st, ok := ParseComponentStatus(status)
			if !ok {
				return nil, nil, Errorf(EINVALID, "%q is not a component status; write %s=operational, degraded_performance, partial_outage, major_outage or under_maintenance.", clip(status, 30), clip(name, 30))
			}
			if set == nil {
				set = map[string]ComponentStatus{}
			}
			set[name] = st
		}
		list = append(list, name)
	}
	return list, set, nil
}

// mention reads the user references chat clients insert: Slack "<@U123>" or
// "<@U123|alex>", Discord "<@123>" or "<@!123>".
var mention = regexp.MustCompile(`^<@!?([A-Za-z0-9]+)(\|[^>]*)?>$`)

// parseUser turns a mention into the platform's user ID, with the name the
// mention carries (Slack's "<@U123|alex>"), and keeps a plain "@name" as it
// is; either name cleaned of what does not show.
func parseUser(s string) (user, name string, ok bool) {
	if m := mention.FindStringSubmatch(s); m != nil {
		return m[1], cleanText(strings.TrimPrefix(m[2], "|"), false), true
	}
	s = cleanText(s, false)
	if len(s) > 1 && s[0] == '@' && len(s) <= 80 && !strings.ContainsAny(s[1:], "@<> ") {
		return s, "", true
	}
	return "", "", false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func commandList() string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = string(s.name)
	}
	return strings.Join(names, ", ")
}

// clip shortens user text quoted back in an error message, on one line: n
// characters of it, then an ellipsis.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Clip shortens s to at most n characters, the last an ellipsis when cut:
// for the limits of titles, labels and fields on each platform.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

package chattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// Tokens and identities of the fake Slack workspace.
const (
	// SlackBotToken is the token every Web API method except apps.connections.open accepts.
	SlackBotToken = "xoxb-test"
	// SlackAppToken is the app-level token apps.connections.open accepts.
	SlackAppToken = "xapp-test"
	// SlackTeamID is the workspace the fake reports.
	SlackTeamID = "T0001"
	// SlackBotUserID is the bot's user ID: auth.test's user_id and the author of posted messages.
	SlackBotUserID = "UBOT"
	// SlackBotID is the bot ID auth.test reports.
	SlackBotID = "BBOT"
	// SlackAppID is the app ID sent in Socket Mode hello and slash command payloads.
	SlackAppID = "A0001"
)

// SlackMessage is a message as a reader of its channel sees it now.
type SlackMessage struct {
	Channel     string
	TS          string
	ThreadTS    string          // the root's ts for a reply; empty for a top-level message
	Text        string          // current text, exactly as sent (slack-go escapes it client-side)
	Blocks      json.RawMessage // current blocks as sent; nil when the message never had any
	Attachments json.RawMessage // current attachments as sent, their blocks inside; nil when none ever
	Edits       int             // successful chat.update calls on this message, changed or not
	Raw         url.Values      // fields of the call that last wrote it (post or update), token removed
}

// SlackChannel is a channel the fake knows.
type SlackChannel struct {
	ID, Name, Topic string
	Members         []string // users added with conversations.invite, in order; never the bot
	Private         bool
}

// Slack is a fake of the Slack Web API and Socket Mode for the real slack-go
// client. Channels are IDs: those made by conversations.create or AddChannel,
// and any other ID starting with C or G, remembered on first use; anything
// else (a name, a D… IM) is channel_not_found, and the bot is a member of
// every channel. Timestamps are "<unix seconds>.<6-digit counter>", unique and
// increasing across the fake. Every method wants SlackBotToken except
// apps.connections.open, which wants SlackAppToken; swapping them is
// not_allowed_token_type, any other token invalid_auth. Methods the fake lacks
// answer unknown_method. All methods are safe for concurrent use.
type Slack struct {
	// URL is the Web API base URL, ending in "/", for slack.OptionAPIURL.
	URL string

	srv  *httptest.Server
	done chan struct{} // closed at cleanup, ending sleeps and socket loops

	mu      sync.Mutex
	closed  bool
	calls   map[string]int
	fails   map[string][]slackFault
	slows   map[string][]time.Duration
	chans   map[string]*SlackChannel
	created []string                   // channel IDs from conversations.create, in order
	msgs    map[string][]*SlackMessage // by channel, in posting order
	views   []*SlackView
	tsSeq   int
	idSeq   int
	sock    slackSocket
}

type slackFault struct {
	status     int
	retryAfter time.Duration
}

// slackError is a Slack error code, answered as {"ok":false,"error":code} with HTTP 200.
type slackError string

func (e slackError) Error() string { return string(e) }

type slackObj = map[string]any

// NewSlack starts a fake Slack on an httptest server, closed by tb.Cleanup.
func NewSlack(tb testing.TB) *Slack {
	tb.Helper()
	s := &Slack{
		done:  make(chan struct{}),
		calls: map[string]int{},
		fails: map[string][]slackFault{},
		slows: map[string][]time.Duration{},
		chans: map[string]*SlackChannel{},
		msgs:  map[string][]*SlackMessage{},
		sock:  newSlackSocket(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/socket", s.serveSocket)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/api/"
	tb.Cleanup(s.close)
	return s
}

// AddChannel makes a channel known by ID and name, as if it existed before
// the test, so that conversations.create of the same name is name_taken.
func (s *Slack) AddChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chans[id] = &SlackChannel{ID: id, Name: name}
}

// Channels returns the channels made by conversations.create, in order.
func (s *Slack) Channels() []SlackChannel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SlackChannel, 0, len(s.created))
	for _, id := range s.created {
		out = append(out, s.chans[id].copy())
	}
	return out
}

// Channel returns any channel the fake knows: created, added, or used.
func (s *Slack) Channel(id string) (SlackChannel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.chans[id]
	if !ok {
		return SlackChannel{}, false
	}
	return ch.copy(), true
}

// Messages returns a channel's top-level messages and replies, in posting order.
func (s *Slack) Messages(channel string) []SlackMessage {
	return s.messages(channel, func(*SlackMessage) bool { return true })
}

// Thread returns the replies under the root with timestamp ts, in order, without the root.
func (s *Slack) Thread(channel, ts string) []SlackMessage {
	return s.messages(channel, func(m *SlackMessage) bool { return m.ThreadTS == ts })
}

func (s *Slack) messages(channel string, keep func(*SlackMessage) bool) []SlackMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SlackMessage
	for _, m := range s.msgs[channel] {
		if keep(m) {
			c := *m
			c.Blocks = append(json.RawMessage(nil), m.Blocks...)
			c.Attachments = append(json.RawMessage(nil), m.Attachments...)
			c.Raw = cloneSlackValues(m.Raw)
			out = append(out, c)
		}
	}
	return out
}

// Calls returns how many calls of a Web API method arrived, whatever their outcome.
func (s *Slack) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// FailNext makes the next n calls of method answer HTTP status without doing
// anything, with a Retry-After header of retryAfter rounded up to whole
// seconds when retryAfter > 0. Calls queue up: FailNext twice fails n1+n2 calls.
func (s *Slack) FailNext(method string, n int, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fails[method] = append(s.fails[method], slackFault{status, retryAfter})
	}
}

// SlowNext makes the next n calls of method wait d before answering; the wait
// ends early when the client gives up, which then sees its own timeout.
func (s *Slack) SlowNext(method string, n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.slows[method] = append(s.slows[method], d)
	}
}

func (s *Slack) close() {
	s.mu.Lock()
	s.closed = true
	close(s.done)
	conns := s.sock.liveConns()
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
	s.sock.wg.Wait()
	s.srv.Close()
}

func (s *Slack) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	s.mu.Lock()
	s.calls[method]++
	delay, slow := popSlackQueue(s.slows, method)
	fault, failing := popSlackQueue(s.fails, method)
	s.mu.Unlock()
	if slow {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
	if failing {
		if fault.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((fault.retryAfter+time.Second-1)/time.Second)))
		}
		if fault.status == http.StatusTooManyRequests {
			writeSlackJSON(w, fault.status, slackObj{"ok": false, "error": "ratelimited"})
			return
		}
		http.Error(w, http.StatusText(fault.status), fault.status)
		return
	}
	resp, err := s.call(method, r)
	if err != nil {
		writeSlackJSON(w, http.StatusOK, slackObj{"ok": false, "error": err.Error()})
		return
	}
	resp["ok"] = true
	writeSlackJSON(w, http.StatusOK, resp)
}

// call authenticates and runs one Web API method. Slack checks the method
// before the token, so an unknown method is unknown_method whatever the token.
func (s *Slack) call(method string, r *http.Request) (slackObj, error) {
	handlers := map[string]func(url.Values) (slackObj, error){
		"auth.test":              s.authTest,
		"chat.postMessage":       s.postMessage,
		"chat.update":            s.updateMessage,
		"conversations.create":   s.createChannel,
		"conversations.invite":   s.invite,
		"conversations.setTopic": s.setTopic,
		"conversations.join":     s.join,
		"views.open":             s.openView,
		"views.update":           s.updateView,
		"apps.connections.open":  s.openConnection,
	}
	h, ok := handlers[method]
	if !ok {
		return nil, slackError("unknown_method")
	}
	form, err := readSlackForm(r)
	if err != nil {
		return nil, slackError("invalid_form_data")
	}
	token := form.Get("token")
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = auth
	}
	want := SlackBotToken
	if method == "apps.connections.open" {
		want = SlackAppToken
	}
	switch token {
	case want:
	case "":
		return nil, slackError("not_authed")
	case SlackBotToken, SlackAppToken:
		return nil, slackError("not_allowed_token_type")
	default:
		return nil, slackError("invalid_auth")
	}
	form.Del("token")
	return h(form)
}

func (s *Slack) authTest(url.Values) (slackObj, error) {
	return slackObj{
		"url": "https://chattest.slack.com/", "team": "chattest", "user": "incidentbot",
		"team_id": SlackTeamID, "user_id": SlackBotUserID, "bot_id": SlackBotID,
	}, nil
}

func (s *Slack) postMessage(f url.Values) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	if err := checkSlackContent(f, true); err != nil {
		return nil, err
	}
	thread := f.Get("thread_ts")
	if thread != "" {
		if root := s.findLocked(ch.ID, thread); root == nil || root.ThreadTS != "" {
			return nil, slackError("thread_not_found")
		}
	}
	s.tsSeq++
	m := &SlackMessage{
		Channel:  ch.ID,
		TS:       fmt.Sprintf("%d.%06d", time.Now().Unix(), s.tsSeq),
		ThreadTS: thread,
		Raw:      f,
	}
	m.setContent(f)
	s.msgs[ch.ID] = append(s.msgs[ch.ID], m)
	return slackObj{"channel": ch.ID, "ts": m.TS, "message": slackMessageJSON(m)}, nil
}

func (s *Slack) updateMessage(f url.Values) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	m := s.findLocked(ch.ID, f.Get("ts"))
	if m == nil {
		return nil, slackError("message_not_found")
	}
	if err := checkSlackContent(f, false); err != nil {
		return nil, err
	}
	m.setContent(f)
	m.Edits++
	m.Raw = f
	return slackObj{"channel": ch.ID, "ts": m.TS, "text": m.Text, "message": slackMessageJSON(m)}, nil
}

// checkSlackContent answers invalid_blocks or invalid_attachments for a field
// that is not a JSON array, and no_text for a post with nothing to show or an
// update that changes nothing.
func checkSlackContent(f url.Values, post bool) error {
	shown := f.Get("text") != ""
	for _, field := range []string{"blocks", "attachments"} {
		var list []json.RawMessage
		if f.Has(field) && json.Unmarshal([]byte(f.Get(field)), &list) != nil {
			return slackError("invalid_" + field)
		}
		shown = shown || len(list) > 0
	}
	if post && !shown || !post && !f.Has("text") && !f.Has("blocks") && !f.Has("attachments") {
		return slackError("no_text")
	}
	return nil
}

// setContent writes the fields a call sends. Like Slack's chat.update, it
// keeps what a call leaves out; an empty array clears blocks or attachments.
func (m *SlackMessage) setContent(f url.Values) {
	if f.Has("text") {
		m.Text = f.Get("text")
	}
	if f.Has("blocks") {
		m.Blocks = json.RawMessage(f.Get("blocks"))
	}
	if f.Has("attachments") {
		m.Attachments = json.RawMessage(f.Get("attachments"))
	}
}

func slackMessageJSON(m *SlackMessage) slackObj {
	o := slackObj{"type": "message", "user": SlackBotUserID, "bot_id": SlackBotID, "text": m.Text, "ts": m.TS}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		o["blocks"] = m.Blocks
	}
	if len(m.Attachments) > 0 {
		o["attachments"] = m.Attachments
	}
	return o
}

func (s *Slack) createChannel(f url.Values) (slackObj, error) {
	name := f.Get("name")
	switch {
	case name == "":
		return nil, slackError("invalid_name_required")
	case len([]rune(name)) > 80:
		return nil, slackError("invalid_name_maxlength")
	case strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "":
		return nil, slackError("invalid_name_specials")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.chans {
		if ch.Name == name {
			return nil, slackError("name_taken")
		}
	}
	s.idSeq++
	ch := &SlackChannel{ID: fmt.Sprintf("C%04d", s.idSeq), Name: name, Private: f.Get("is_private") == "true"}
	s.chans[ch.ID] = ch
	s.created = append(s.created, ch.ID)
	return slackObj{"channel": slackChannelJSON(ch)}, nil
}

// invite fails as a whole, like Slack, when any user is already a member.
func (s *Slack) invite(f url.Values) (slackObj, error) {
	return s.withChannel(f, func(ch *SlackChannel) error {
		users := strings.FieldsFunc(f.Get("users"), func(r rune) bool { return r == ',' || r == ' ' })
		if len(users) == 0 {
			return slackError("no_user")
		}
		for _, u := range users {
			if u == SlackBotUserID {
				return slackError("cant_invite_self")
			}
			if slices.Contains(ch.Members, u) {
				return slackError("already_in_channel")
			}
		}
		for _, u := range users {
			if !slices.Contains(ch.Members, u) { // a user named twice joins once
				ch.Members = append(ch.Members, u)
			}
		}
		return nil
	})
}

func (s *Slack) setTopic(f url.Values) (slackObj, error) {
	return s.withChannel(f, func(ch *SlackChannel) error {
		if len([]rune(f.Get("topic"))) > 250 {
			return slackError("too_long")
		}
		ch.Topic = f.Get("topic")
		return nil
	})
}

// join is harmless: the bot is a member of every channel.
func (s *Slack) join(f url.Values) (slackObj, error) {
	return s.withChannel(f, func(*SlackChannel) error { return nil })
}

// withChannel runs change on the request's channel and answers with the channel.
func (s *Slack) withChannel(f url.Values, change func(*SlackChannel) error) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.channelLocked(f.Get("channel"))
	if err != nil {
		return nil, err
	}
	if err := change(ch); err != nil {
		return nil, err
	}
	return slackObj{"channel": slackChannelJSON(ch)}, nil
}

// slackChannelJSON answers with slack-go's own type, so the client can decode it.
func slackChannelJSON(ch *SlackChannel) slack.Channel {
	var c slack.Channel
	c.ID, c.Name, c.NameNormalized = ch.ID, ch.Name, ch.Name
	c.IsChannel, c.IsPrivate, c.IsMember = true, ch.Private, true
	c.Creator, c.Members = SlackBotUserID, append([]string{SlackBotUserID}, ch.Members...)
	c.Topic = slack.Topic{Value: ch.Topic, Creator: SlackBotUserID}
	return c
}

// channelLocked finds a channel by ID, remembering a C… or G… ID on first use.
func (s *Slack) channelLocked(id string) (*SlackChannel, error) {
	if ch, ok := s.chans[id]; ok {
		return ch, nil
	}
	if len(id) < 2 || (id[0] != 'C' && id[0] != 'G') {
		return nil, slackError("channel_not_found")
	}
	ch := &SlackChannel{ID: id}
	s.chans[id] = ch
	return ch, nil
}

func (s *Slack) findLocked(channel, ts string) *SlackMessage {
	for _, m := range s.msgs[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

func (ch *SlackChannel) copy() SlackChannel {
	c := *ch
	c.Members = append([]string(nil), ch.Members...)
	return c
}

func writeSlackJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func popSlackQueue[T any](queues map[string][]T, key string) (T, bool) {
	q := queues[key]
	if len(q) == 0 {
		var zero T
		return zero, false
	}
	queues[key] = q[1:]
	return q[0], true
}

func cloneSlackValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

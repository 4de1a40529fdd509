package chattest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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
	Metadata    json.RawMessage // current metadata as sent ({"event_type":…,"event_payload":{…}}); nil when none ever
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
// every channel. A file may be shared in a direct message too
// (conversations.open, then the three steps of an upload; see Files). Timestamps are "<unix seconds>.<6-digit counter>", unique and
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
	groups  map[string][]string // user groups' members, by group ID
	uploads map[string]*slackUpload
	files   map[string][]SlackFile // by channel
	limiter *slackLimiter
	chaos   chaos
	held    chan struct{} // while set, every Web API call waits for it to close
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
		done:    make(chan struct{}),
		calls:   map[string]int{},
		fails:   map[string][]slackFault{},
		slows:   map[string][]time.Duration{},
		chans:   map[string]*SlackChannel{},
		groups:  map[string][]string{},
		msgs:    map[string][]*SlackMessage{},
		uploads: map[string]*slackUpload{},
		files:   map[string][]SlackFile{},
		sock:    newSlackSocket(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/socket", s.serveSocket)
	mux.HandleFunc("/upload/", s.serveUpload)
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

// AddPrivateChannel makes a private channel known by ID and name.
func (s *Slack) AddPrivateChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chans[id] = &SlackChannel{ID: id, Name: name, Private: true}
}

// SetUserGroup makes a user group (an S… ID) with these members, as
// usergroups.users.list reports them.
func (s *Slack) SetUserGroup(id string, users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = slices.Clone(users)
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
			c.Metadata = append(json.RawMessage(nil), m.Metadata...)
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

// Hold makes every Web API call wait, unanswered, until release is called
// or the client gives up: Slack at a standstill.
func (s *Slack) Hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held := make(chan struct{})
	s.held = held
	return sync.OnceFunc(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.held = nil
		close(held)
	})
}

// SetChaos makes calls misbehave at random from now on, as c says; FailNext
// and SlowNext still come first. SetChaos(Chaos{}) stops it.
func (s *Slack) SetChaos(c Chaos) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chaos.set(c)
}

// Faults counts the faults Chaos has injected so far, by kind, across every
// SetChaos; FailNext and SlowNext are not counted.
func (s *Slack) Faults() map[Fault]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chaos.faults()
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
	held := s.held
	s.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-s.done:
			return
		case <-r.Context().Done():
			return // the client gave up and sees its own timeout
		}
	}
	if s.limit(w, r, method) {
		return
	}
	s.mu.Lock()
	delay, slow := popSlackQueue(s.slows, method)
	fault, failing := popSlackQueue(s.fails, method)
	var chaos chaosCall
	chaotic := false
	if !slow && !failing {
		chaos.fault, chaotic = s.chaos.draw(method, slackChanges[method])
		chaos.hold = s.chaos.hold()
	}
	s.mu.Unlock()
	if slow && !wait(r.Context(), s.done, delay) {
		return // the client gave up and sees its own timeout
	}
	serve := func(w http.ResponseWriter, r *http.Request) { s.answer(w, method, r) }
	switch {
	case failing:
		refuseSlack(w, fault.status, fault.retryAfter)
	case chaotic:
		chaos.done, chaos.refuse, chaos.serve = s.done, refuseSlack, serve
		chaos.serveHTTP(w, r)
	default:
		serve(w, r)
	}
}

// slackChanges lists the methods that change something, which Chaos
// troubles when its Only is empty.
var slackChanges = map[string]bool{
	"chat.postMessage": true, "chat.update": true, "conversations.create": true, "conversations.invite": true,
	"conversations.setTopic": true, "conversations.join": true, "views.open": true, "views.update": true,
}

// refuseSlack answers an HTTP error as Slack does: a 429 with its JSON body
// and, when retryAfter > 0, Retry-After in whole seconds rounded up.
func refuseSlack(w http.ResponseWriter, status int, retryAfter time.Duration) {
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
	}
	if status == http.StatusTooManyRequests {
		writeSlackJSON(w, status, slackObj{"ok": false, "error": "ratelimited"})
		return
	}
	http.Error(w, http.StatusText(status), status)
}

// answer runs a call and writes Slack's answer.
func (s *Slack) answer(w http.ResponseWriter, method string, r *http.Request) {
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
		"auth.test":                    s.authTest,
		"chat.postMessage":             s.postMessage,
		"chat.update":                  s.updateMessage,
		"conversations.create":         s.createChannel,
		"conversations.invite":         s.invite,
		"conversations.setTopic":       s.setTopic,
		"conversations.join":           s.join,
		"conversations.list":           s.listChannels,
		"conversations.history":        s.history,
		"conversations.replies":        s.replies,
		"conversations.info":           s.channelInfo,
		"usergroups.users.list":        s.groupMembers,
		"views.open":                   s.openView,
		"views.update":                 s.updateView,
		"apps.connections.open":        s.openConnection,
		"conversations.open":           s.openIM,
		"files.getUploadURLExternal":   s.uploadURL,
		"files.completeUploadExternal": s.completeUpload,
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

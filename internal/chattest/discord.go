package chattest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// The fake's fixed identity. Only "Bot "+DiscordToken is accepted; the bot
// user's ID is DiscordAppID, as for applications created since 2021.
const (
	DiscordToken     = "test-token"
	DiscordAppID     = "100000000000000001"
	DiscordGuildID   = "200000000000000002"
	DiscordChannelID = "300000000000000003" // where SlashInteraction says it was used
)

// DiscordNonceWindow is how long an enforced nonce deduplicates messages;
// Discord only says "the past few minutes".
const DiscordNonceWindow = 5 * time.Minute

// Discord is a fake of Discord's REST API (any /api/v{N} prefix, discordgo
// uses v9) and gateway on an httptest server. Any channel or guild ID made of
// digits counts as existing, so bots may post to IDs from their config.
// Requests are named for Calls, FailNext, DelayNext and Chaos.Only as the
// method, a space and the path without /api/v{N}, with every all-digit
// segment written {id} and the token of /interactions and /webhooks written
// {token}:
// "POST /channels/{id}/messages", "PATCH /webhooks/{id}/{token}/messages/@original".
// It is safe for concurrent use.
type Discord struct {
	srv    *httptest.Server
	routes map[string]func(http.ResponseWriter, *http.Request, []string)
	done   chan struct{}

	mu           sync.Mutex
	now          func() time.Time
	lastID       uint64
	calls        map[string]int
	faults       map[string][]fault
	msgs         map[string]*message   // by message ID
	byChannel    map[string][]*message // posting order
	channels     []*DiscordChannel
	commands     map[string]json.RawMessage // by guild ID, "" for global
	lastScope    string
	interactions map[string]*interaction // by interaction ID
	responses    []Responded
	conns        map[*gatewayConn]bool // true once READY was sent
	changed      chan struct{}         // closed and replaced when conns change
	chaos        chaos
	closed       bool
}

// DiscordMessage is a message as a reader of its channel sees it now.
// AllowedMentions is nil when the last request that set it had none.
type DiscordMessage struct {
	ID, ChannelID, Content string
	Embeds                 []*discordgo.MessageEmbed
	Components             json.RawMessage
	AllowedMentions        *discordgo.MessageAllowedMentions
	Nonce                  string
	EnforceNonce           bool
	Edits                  int
	ReferenceID            string // message_reference.message_id
}

// DiscordChannel is a channel or thread the bot created. Members lists the
// users added with PUT /channels/{id}/thread-members/{id}.
type DiscordChannel struct {
	ID, Name, ParentID, GuildID, Topic string
	Type                               discordgo.ChannelType
	Thread                             bool
	Members                            []string
	// Overwrites are a channel's permission overwrites, by role or member
	// ID: how a private channel is kept to those let in.
	Overwrites map[string]*discordgo.PermissionOverwrite
}

type message struct {
	DiscordMessage // Embeds unused: embeds holds them, so readers get copies
	embeds         json.RawMessage
	nonce          json.RawMessage // as sent: Discord echoes strings and numbers
	flags          discordgo.MessageFlags
	created        time.Time
	edited         *time.Time
	hidden         bool // ephemeral, or a deferred response not yet edited
	thread         bool // a thread was started from it
}

type fault struct {
	status     int
	retryAfter time.Duration
	delay      time.Duration
}

// NewDiscord starts a fake Discord; tb.Cleanup closes its gateway connections
// and server.
func NewDiscord(tb testing.TB) *Discord {
	tb.Helper()
	d := &Discord{
		done: make(chan struct{}), now: time.Now, lastID: 1_100_000_000_000_000_000,
		calls: map[string]int{}, faults: map[string][]fault{}, msgs: map[string]*message{},
		byChannel: map[string][]*message{}, commands: map[string]json.RawMessage{},
		interactions: map[string]*interaction{}, conns: map[*gatewayConn]bool{}, changed: make(chan struct{}),
	}
	d.routes = map[string]func(http.ResponseWriter, *http.Request, []string){
		"GET /gateway":                                d.getGateway,
		"GET /gateway/bot":                            d.getGateway,
		"GET /users/@me":                              d.getMe,
		"POST /channels/{id}/messages":                d.createMessage,
		"PATCH /channels/{id}/messages/{id}":          d.editMessage,
		"POST /channels/{id}/threads":                 d.startThread,
		"POST /channels/{id}/messages/{id}/threads":   d.startThread,
		"PUT /channels/{id}/thread-members/{id}":      d.addThreadMember,
		"PUT /channels/{id}/permissions/{id}":         d.setPermission,
		"POST /guilds/{id}/channels":                  d.createChannel,
		"GET /guilds/{id}/channels":                   d.guildChannels,
		"GET /guilds/{id}/threads/active":             d.activeThreads,
		"PUT /applications/{id}/commands":             d.overwriteCommands,
		"PUT /applications/{id}/guilds/{id}/commands": d.overwriteCommands,
		routeCallback:                                 d.interactionCallback,
		routeEditOriginal:                             d.editOriginal,
		routeFollowup:                                 d.followup,
	}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serveHTTP))
	tb.Cleanup(d.close)
	return d
}

// URL is the fake's base URL, for DISCORD_API_URL: a client that sends every
// request there reaches the fake.
func (d *Discord) URL() string { return d.srv.URL + "/" }

// Client returns an HTTP client that sends every request, whatever its URL,
// to the fake; give it to Session.Client. The gateway needs no such help:
// discordgo dials the URL that GET /gateway returns, which is the fake's.
func (d *Discord) Client() *http.Client {
	base := d.srv.Client().Transport
	host := strings.TrimPrefix(d.srv.URL, "http://")
	return &http.Client{Timeout: 20 * time.Second, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = "http", host, ""
		return base.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Session returns discordgo.New("Bot "+token) wired to the fake: Client set,
// ShouldRetryOnRateLimit false (a 429 is a *discordgo.RateLimitError instead
// of a sleep that ignores the context), ShouldReconnectOnError false (no
// reconnect loop outliving the test), a proxy-free websocket dialer, and
// Close called by tb.Cleanup before the fake shuts down.
func (d *Discord) Session(tb testing.TB, token string) *discordgo.Session {
	tb.Helper()
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		tb.Fatalf("chattest: discordgo.New: %v", err)
	}
	s.Client = d.Client()
	s.Dialer = &websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	s.ShouldRetryOnRateLimit = false
	s.ShouldReconnectOnError = false
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// SetClock replaces time.Now for timestamps and the nonce window, so tests
// can step past DiscordNonceWindow without sleeping.
func (d *Discord) SetClock(now func() time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.now = now
}

// FailNext answers the next n requests on route with status (400 or more)
// and Discord's JSON error body instead of serving them. A 429 carries Discord's body and, when retryAfter > 0, its
// Retry-After and X-RateLimit-* headers; discordgo then also holds back its
// next request on that bucket until retryAfter has passed. Beware that
// discordgo itself retries a 502 up to MaxRestRetries times, each retry
// using up one failure. Faults queue in order with DelayNext's.
func (d *Discord) FailNext(route string, n int, status int, retryAfter time.Duration) {
	d.queue(route, n, fault{status: status, retryAfter: retryAfter})
}

// DelayNext holds the next n requests on route for delay before serving
// them normally, for testing deadlines such as the 3 s interaction limit.
func (d *Discord) DelayNext(route string, n int, delay time.Duration) {
	d.queue(route, n, fault{delay: delay})
}

func (d *Discord) queue(route string, n int, f fault) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for range n {
		d.faults[route] = append(d.faults[route], f)
	}
}

// Calls reports how many requests reached route, failed ones included.
func (d *Discord) Calls(route string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[route]
}

// Messages returns the messages of a channel or thread that a reader sees
// now, in posting order; ephemeral interaction responses are left out.
func (d *Discord) Messages(channelID string) []DiscordMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []DiscordMessage
	for _, m := range d.byChannel[channelID] {
		if m.hidden {
			continue
		}
		dm := m.DiscordMessage
		dm.Embeds = clone[[]*discordgo.MessageEmbed](m.embeds)
		dm.Components = slices.Clone(m.Components)
		dm.AllowedMentions = clone[*discordgo.MessageAllowedMentions](m.AllowedMentions)
		out = append(out, dm)
	}
	return out
}

// Channels returns the channels and threads created so far, in order.
func (d *Discord) Channels() []DiscordChannel {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]DiscordChannel, len(d.channels))
	for i, c := range d.channels {
		out[i] = *c
		out[i].Members = slices.Clone(c.Members)
		out[i].Overwrites = maps.Clone(c.Overwrites)
	}
	return out
}

// SetChaos makes requests misbehave at random from now on, as c says, its
// Only naming routes as Calls does; FailNext and DelayNext still come first.
// SetChaos(Chaos{}) stops it. Mind that discordgo holds back the next request
// on a bucket that got Fault429WithRetryAfter for a second.
func (d *Discord) SetChaos(c Chaos) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.chaos.set(c)
}

// Faults counts the faults Chaos has injected so far, by kind, across every
// SetChaos; FailNext and DelayNext are not counted.
func (d *Discord) Faults() map[Fault]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.chaos.faults()
}

func (d *Discord) close() {
	d.mu.Lock()
	d.closed = true
	close(d.done)
	conns := slices.Collect(maps.Keys(d.conns))
	d.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
	d.srv.Close()
}

func (d *Discord) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" && websocket.IsWebSocketUpgrade(r) {
		d.serveGateway(w, r)
		return
	}
	route, params := routeOf(r.Method, r.URL.Path)
	d.mu.Lock()
	d.calls[route]++
	var f fault
	var chaos chaosCall
	chaotic := false
	if q := d.faults[route]; len(q) > 0 {
		f, d.faults[route] = q[0], q[1:]
	} else {
		chaos.fault, chaotic = d.chaos.draw(route, r.Method != http.MethodGet)
		chaos.hold = d.chaos.hold()
	}
	d.mu.Unlock()
	if f.delay > 0 && !wait(r.Context(), d.done, f.delay) {
		return // the client gave up and sees its own timeout
	}
	serve := func(w http.ResponseWriter, r *http.Request) { d.serveRoute(w, r, route, params) }
	switch {
	case f.status != 0:
		d.writeFault(w, f)
	case chaotic:
		chaos.done, chaos.serve = d.done, serve
		chaos.refuse = func(w http.ResponseWriter, status int, retryAfter time.Duration) {
			d.writeFault(w, fault{status: status, retryAfter: retryAfter})
		}
		chaos.serveHTTP(w, r)
	default:
		serve(w, r)
	}
}

// serveRoute authenticates and serves one request.
func (d *Discord) serveRoute(w http.ResponseWriter, r *http.Request, route string, params []string) {
	h := d.routes[route]
	switch {
	case h == nil:
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	case !public(route) && r.Header.Get("Authorization") != "Bot "+DiscordToken:
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
	default:
		h(w, r, params)
	}
}

// public reports the routes Discord serves without a bot token: interaction
// answers are authorised by the token in their path.
func public(route string) bool {
	return route == "GET /gateway" || route == routeCallback || route == routeEditOriginal || route == routeFollowup
}

// routeOf names a request as documented on Discord and returns the variable
// path segments in order.
func routeOf(method, path string) (string, []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) < 2 || segs[0] != "api" || !strings.HasPrefix(segs[1], "v") || !digits(segs[1][1:]) {
		return method + " " + path, nil
	}
	segs = segs[2:]
	var params []string
	for i, s := range segs {
		switch {
		case i == 2 && (segs[0] == "interactions" || segs[0] == "webhooks"):
			segs[i] = "{token}"
		case digits(s):
			segs[i] = "{id}"
		default:
			continue
		}
		params = append(params, s)
	}
	return method + " /" + strings.Join(segs, "/"), params
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func (d *Discord) writeFault(w http.ResponseWriter, f fault) {
	if f.status != http.StatusTooManyRequests {
		writeError(w, f.status, 0, strconv.Itoa(f.status)+": "+http.StatusText(f.status))
		return
	}
	secs := f.retryAfter.Seconds()
	if f.retryAfter > 0 {
		d.mu.Lock()
		reset := d.now().Add(f.retryAfter)
		d.mu.Unlock()
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(int(secs+0.999)))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "chattest-bucket")
		h.Set("X-RateLimit-Scope", "user")
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": false,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "code": code})
}

// decode reads a JSON body, answering Discord's 50109 when it is not JSON.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return false
	}
	return true
}

// clone deep-copies through JSON so callers never share the fake's state.
func clone[T any](v any) T {
	var out T
	if b, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out
}

// newID returns an increasing snowflake-like ID. Call with d.mu held.
func (d *Discord) newID() string {
	d.lastID++
	return strconv.FormatUint(d.lastID, 10)
}

func (d *Discord) getMe(w http.ResponseWriter, r *http.Request, _ []string) {
	writeJSON(w, http.StatusOK, botUser())
}

func botUser() *discordgo.User {
	return &discordgo.User{ID: DiscordAppID, Username: "incidentbot", Discriminator: "0", Bot: true}
}

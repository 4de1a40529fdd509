package chattest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// slackPingInterval is how often the fake pings a Socket Mode client. slack-go
// reconnects when no ping arrives within its maxPingInterval (30s by default),
// so tests that shorten that option still see pings in time.
const slackPingInterval = 500 * time.Millisecond

// slackSocket is the Socket Mode side of the fake; Slack.mu guards it.
type slackSocket struct {
	tickets   map[string]bool // issued by apps.connections.open; each dials once
	conns     map[*slackConn]bool
	conn      *slackConn // the newest live connection, where envelopes go
	envelopes map[string]bool
	pending   map[string]chan json.RawMessage // envelope ID -> its ack's payload
	err       error                           // the first thing a client said wrong
	changed   chan struct{}                   // closed and replaced when conn or err changes
	wg        sync.WaitGroup                  // connection goroutines, awaited at cleanup
}

type slackConn struct {
	ws      *websocket.Conn
	writeMu sync.Mutex // gorilla allows one writer at a time (pings excepted)
	closed  chan struct{}
}

// slackEnvelope is a Socket Mode request, as socketmode.Request decodes it.
type slackEnvelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	Payload                json.RawMessage `json:"payload"`
}

func newSlackSocket() slackSocket {
	return slackSocket{
		tickets:   map[string]bool{},
		conns:     map[*slackConn]bool{},
		envelopes: map[string]bool{},
		pending:   map[string]chan json.RawMessage{},
		changed:   make(chan struct{}),
	}
}

func (k *slackSocket) liveConns() []*slackConn {
	out := make([]*slackConn, 0, len(k.conns))
	for c := range k.conns {
		out = append(out, c)
	}
	return out
}

// signalLocked wakes everyone waiting for a change of connection or error.
func (k *slackSocket) signalLocked() {
	close(k.changed)
	k.changed = make(chan struct{})
}

func (s *Slack) openConnection(url.Values) (slackObj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idSeq++
	ticket := fmt.Sprintf("ticket-%d", s.idSeq)
	s.sock.tickets[ticket] = true
	return slackObj{"url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/socket?ticket=" + ticket}, nil
}

// serveSocket is the WebSocket the apps.connections.open URL points at.
func (s *Slack) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	ok := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown or used ticket", http.StatusUnauthorized)
		return
	}
	// slack-go dials with Origin https://api.slack.com, which the default check refuses.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &slackConn{ws: ws, closed: make(chan struct{})}
	hello := slackObj{
		"type": "hello", "num_connections": 1,
		"debug_info":      slackObj{"host": "chattest", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": slackObj{"app_id": SlackAppID},
	}
	// Say hello before the connection is published, so no envelope can overtake it.
	if err := ws.WriteJSON(hello); err != nil {
		_ = ws.Close()
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.sock.conns[c] = true
	s.sock.conn = c
	s.sock.signalLocked()
	s.sock.wg.Add(2)
	s.mu.Unlock()
	go func() {
		defer s.sock.wg.Done()
		s.ping(c)
	}()
	defer s.sock.wg.Done()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		s.ack(data)
	}
	_ = ws.Close()
	close(c.closed)
	s.mu.Lock()
	delete(s.sock.conns, c)
	if s.sock.conn == c {
		s.sock.conn = nil
		s.sock.signalLocked()
	}
	s.mu.Unlock()
}

func (s *Slack) ping(c *slackConn) {
	t := time.NewTicker(slackPingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-s.done:
			return
		case <-t.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)) != nil {
				return
			}
		}
	}
}

// ack hands an acknowledgement to whoever sent its envelope. Anything other
// than an ack of an envelope the fake sent is a client bug, kept for
// SocketConnected and later sends to report.
func (s *Slack) ack(data []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	err := json.Unmarshal(data, &a)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && !s.sock.envelopes[a.EnvelopeID] {
		err = fmt.Errorf("unknown envelope_id %q", a.EnvelopeID)
	}
	if err != nil {
		if s.sock.err == nil {
			s.sock.err = fmt.Errorf("chattest: socket mode client sent %s: %w", data, err)
			s.sock.signalLocked()
		}
		return
	}
	if string(a.Payload) == "null" {
		a.Payload = nil
	}
	if ch, ok := s.sock.pending[a.EnvelopeID]; ok {
		delete(s.sock.pending, a.EnvelopeID)
		ch <- a.Payload
	}
}

// SocketConnected waits until a Socket Mode client is connected, and reports
// anything wrong the client has sent so far.
func (s *Slack) SocketConnected(ctx context.Context) error {
	_, err := s.socket(ctx)
	return err
}

func (s *Slack) socket(ctx context.Context) (*slackConn, error) {
	for {
		s.mu.Lock()
		c, err, changed := s.sock.conn, s.sock.err, s.sock.changed
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if c != nil {
			return c, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("chattest: waiting for a socket mode client: %w", ctx.Err())
		case <-s.done:
			return nil, errors.New("chattest: fake slack closed")
		}
	}
}

// SendSlashCommand sends cmd as a slash_commands envelope to the connected
// Socket Mode client (waiting for one) and returns the payload of its ack,
// nil when the ack carried none. Blank TeamID, APIAppID and TriggerID are
// filled in as Slack would; any trigger ID works with views.open.
func (s *Slack) SendSlashCommand(ctx context.Context, cmd slack.SlashCommand) (json.RawMessage, error) {
	s.mu.Lock()
	s.idSeq++
	trigger := fmt.Sprintf("trigger-%d", s.idSeq)
	s.mu.Unlock()
	cmd.TeamID = cmp.Or(cmd.TeamID, SlackTeamID)
	cmd.APIAppID = cmp.Or(cmd.APIAppID, SlackAppID)
	cmd.TriggerID = cmp.Or(cmd.TriggerID, trigger)
	payload, err := json.Marshal(cmd)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, "slash_commands", payload, true)
}

// SendInteraction sends cb, an interaction payload such as block_actions or
// view_submission, as an interactive envelope and returns the payload of the
// client's ack, nil when it carried none. Like Slack, only view_submission and
// block_suggestion accept a response payload.
func (s *Slack) SendInteraction(ctx context.Context, cb json.RawMessage) (json.RawMessage, error) {
	var peek struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(cb, &peek); err != nil {
		return nil, fmt.Errorf("chattest: interaction payload: %w", err)
	}
	accepts := peek.Type == "view_submission" || peek.Type == "block_suggestion"
	return s.send(ctx, "interactive", cb, accepts)
}

func (s *Slack) send(ctx context.Context, typ string, payload json.RawMessage, accepts bool) (json.RawMessage, error) {
	c, err := s.socket(ctx)
	if err != nil {
		return nil, err
	}
	got := make(chan json.RawMessage, 1)
	s.mu.Lock()
	s.idSeq++
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", s.idSeq)
	s.sock.envelopes[id] = true
	s.sock.pending[id] = got
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sock.pending, id)
		s.mu.Unlock()
	}()
	env := slackEnvelope{EnvelopeID: id, Type: typ, AcceptsResponsePayload: accepts, Payload: payload}
	c.writeMu.Lock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err = c.ws.WriteJSON(env)
	c.writeMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("chattest: send %s envelope: %w", typ, err)
	}
	select {
	case ack := <-got:
		return ack, nil
	case <-c.closed:
		return nil, fmt.Errorf("chattest: socket closed before the ack of %s envelope %s", typ, id)
	case <-ctx.Done():
		return nil, fmt.Errorf("chattest: waiting for the ack of %s envelope %s: %w", typ, id, ctx.Err())
	}
}

// readSlackForm reads a form-encoded or JSON body into one url.Values: JSON
// strings become their value, anything else its JSON text. slack-go sends
// JSON only to views.* and apps.connections.open, which is why this lives here.
func readSlackForm(r *http.Request) (url.Values, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return cloneSlackValues(r.Form), nil
	}
	form := r.URL.Query()
	body, err := io.ReadAll(r.Body)
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		return form, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	for k, v := range fields {
		var str string
		if json.Unmarshal(v, &str) == nil {
			form.Set(k, str)
		} else {
			form.Set(k, string(v))
		}
	}
	return form, nil
}

// SlackView is a modal opened with views.open.
type SlackView struct {
	ID        string
	TriggerID string
	View      slack.ModalViewRequest // as last opened or updated
	JSON      json.RawMessage        // View exactly as sent, for golden files
	Updates   int                    // successful views.update calls
}

// Views returns the modals opened with views.open, in order.
func (s *Slack) Views() []SlackView {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SlackView, 0, len(s.views))
	for _, v := range s.views {
		out = append(out, *v)
	}
	return out
}

func (s *Slack) openView(f url.Values) (slackObj, error) {
	if f.Get("trigger_id") == "" {
		return nil, slackError("invalid_trigger_id")
	}
	view, err := decodeSlackView(f.Get("view"))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idSeq++
	v := &SlackView{ID: fmt.Sprintf("V%04d", s.idSeq), TriggerID: f.Get("trigger_id"), View: view, JSON: json.RawMessage(f.Get("view"))}
	s.views = append(s.views, v)
	return slackObj{"view": slackViewJSON(v)}, nil
}

// updateView finds the view by view_id or, failing that, external_id.
func (s *Slack) updateView(f url.Values) (slackObj, error) {
	view, err := decodeSlackView(f.Get("view"))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.views {
		if (f.Get("view_id") != "" && v.ID == f.Get("view_id")) ||
			(f.Get("view_id") == "" && f.Get("external_id") != "" && v.View.ExternalID == f.Get("external_id")) {
			v.View, v.JSON = view, json.RawMessage(f.Get("view"))
			v.Updates++
			return slackObj{"view": slackViewJSON(v)}, nil
		}
	}
	return nil, slackError("not_found")
}

func decodeSlackView(raw string) (slack.ModalViewRequest, error) {
	var v slack.ModalViewRequest
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil || v.Type != slack.VTModal {
		return v, slackError("invalid_arguments")
	}
	return v, nil
}

// slackViewJSON echoes the view as sent, plus the fields Slack adds.
func slackViewJSON(v *SlackView) slackObj {
	o := slackObj{}
	_ = json.Unmarshal(v.JSON, &o)
	o["id"], o["root_view_id"], o["team_id"] = v.ID, v.ID, SlackTeamID
	o["app_id"], o["bot_id"], o["hash"] = SlackAppID, SlackBotID, fmt.Sprintf("%s.%d", v.ID, v.Updates)
	o["state"] = slackObj{"values": slackObj{}}
	return o
}

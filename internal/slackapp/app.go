package slackapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
)

// Options configure an App.
type Options struct {
	Service *bot.Service
	// API is the slack-go client, with every option (API URL, app token) set.
	API *slack.Client
	// Verifier checks requests over HTTP; unused in Socket Mode.
	Verifier Verifier
	// Broadcast is the stakeholders' channel, where no buttons are shown.
	Broadcast string
	Logger    *slog.Logger
}

// App is the Slack door.
type App struct {
	opt Options
	dir *Directory
}

// New returns the Slack door.
func New(o Options) *App {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{opt: o}
	a.dir = newDirectory(a.opt.API, a.opt.Logger)
	return a
}

// replyLimit keeps an answer well inside Slack's message limits and Socket
// Mode's 20 KB acknowledgement.
const replyLimit = 12000

// ephemeral is the answer only the person who typed sees.
type ephemeral struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

// slash runs a slash command and returns the answer for the person who typed
// it, or nil when the declare form opened instead.
func (a *App) slash(ctx context.Context, sc slack.SlashCommand) any {
	req := bot.Request{
		Workspace: bot.Workspace{Platform: bot.Slack, ID: sc.TeamID},
		Channel:   sc.ChannelID, Actor: sc.UserID, ActorName: sc.UserName, Text: sc.Text, RequestID: sc.TriggerID,
	}
	if sc.ChannelName == "privategroup" {
		a.dir.remember(req.Workspace, sc.ChannelID, true)
	}
	reply, err := a.opt.Service.Handle(ctx, req)
	if err != nil {
		return &ephemeral{ResponseType: "ephemeral", Text: escape(bot.ErrorMessage(err))}
	}
	if reply.Form != nil && a.openForm(ctx, sc.TriggerID, reply.Form, sc.ChannelID) {
		if reply.Form.Kind == bot.FormDeclare {
			return nil
		}
	}
	if reply.Full != 0 {
		go a.sendFull(context.WithoutCancel(ctx), req, reply.Full)
	}
	return &ephemeral{ResponseType: "ephemeral", Text: bot.Clip(escape(reply.Text), replyLimit)}
}

// fullTimeout bounds reading and sending a whole report.
const fullTimeout = 30 * time.Second

// sendFull sends the person who asked, in a direct message, the whole report
// of an incident whose answer had to leave updates out: Slack's answers to
// a command carry no files, and a file in the channel would be everyone's.
func (a *App) sendFull(ctx context.Context, req bot.Request, number int) {
	if err := a.uploadFull(ctx, req, number); err != nil {
		a.opt.Logger.Warn("slack: sending a whole report", "workspace", req.Workspace.String(), "incident", bot.FormatRef(number), "err", err)
	}
}

func (a *App) uploadFull(ctx context.Context, req bot.Request, number int) error {
	ctx, cancel := context.WithTimeout(ctx, fullTimeout)
	defer cancel()
	file, err := a.opt.Service.FullReport(ctx, req.Workspace, number)
	if err != nil {
		return err
	}
	im, _, _, err := a.opt.API.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{req.Actor}, ReturnIM: true})
	if err != nil {
		return err
	}
	_, err = a.opt.API.UploadFileContext(ctx, slack.UploadFileParameters{
		Channel: im.ID, Filename: file.Name, Title: file.Title, Content: file.Text, FileSize: len(file.Text), InitialComment: file.Caption,
	})
	return err
}

// openForm opens a form as a modal; it reports whether Slack took it.
func (a *App) openForm(ctx context.Context, triggerID string, f *bot.Form, channel string) bool {
	if triggerID == "" {
		return false
	}
	if _, err := a.opt.API.OpenViewContext(ctx, triggerID, modal(f, channel)); err != nil {
		a.opt.Logger.Warn("slack: opening a form", "form", f.Kind, "err", err)
		return false
	}
	return true
}

// interact handles a button or a modal submission, and returns what Slack
// expects back (nil for an empty 200).
func (a *App) interact(ctx context.Context, cb slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			switch act.ActionID {
			case actionMove:
				if card, to, ok := parseMoveValue(act.Value); ok {
					a.openForm(ctx, cb.TriggerID, bot.UpdateForm(card, to), cb.Channel.ID)
				}
			case actionSnooze:
				if n, err := strconv.Atoi(act.Value); err == nil && n > 0 {
					a.button(ctx, cb, bot.SnoozeCommand(n))
				}
			case actionFollowUpDone:
				var number, n int
				if _, err := fmt.Sscanf(act.Value, "%d:%d", &number, &n); err == nil && number > 0 && n > 0 {
					a.button(ctx, cb, bot.FollowUpDoneCommand(number, n))
				}
			}
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID != callbackForm {
			return nil
		}
		sub, channel, err := submission(cb.View)
		if err != nil {
			a.opt.Logger.Warn("slack: reading a form", "err", err)
			return nil
		}
		req := bot.Request{
			Workspace: bot.Workspace{Platform: bot.Slack, ID: cb.Team.ID},
			Channel:   channel, Actor: cb.User.ID, ActorName: cb.User.Name, RequestID: "view:" + cb.View.ID,
		}
		if _, err := a.opt.Service.Submit(ctx, req, sub); err != nil {
			return formError(cb.View, bot.ErrorMessage(err))
		}
	}
	return nil
}

// button runs the command behind a button (a reminder's snooze, a
// follow-up's done): its notice in the channel says it was done; a refusal
// is logged, as a button has no reply of its own.
func (a *App) button(ctx context.Context, cb slack.InteractionCallback, cmd bot.Command) {
	req := bot.Request{
		Workspace: bot.Workspace{Platform: bot.Slack, ID: cb.Team.ID},
		Channel:   cb.Channel.ID, Actor: cb.User.ID, ActorName: cb.User.Name, RequestID: "button:" + cb.TriggerID,
	}
	if _, err := a.opt.Service.Run(ctx, req, cmd); err != nil {
		a.opt.Logger.Warn("slack: a button", "command", cmd.Name, "incident", cmd.Ref, "err", bot.ErrorMessage(err))
	}
}

// formError keeps the modal open with the message under its first input.
func formError(view slack.View, msg string) any {
	field := ""
	if len(view.Blocks.BlockSet) > 0 {
		if in, ok := view.Blocks.BlockSet[0].(*slack.InputBlock); ok {
			field = in.BlockID
		}
	}
	return map[string]any{"response_action": "errors", "errors": map[string]string{field: bot.Clip(msg, 2000)}}
}

// Commands is the handler of POST /slack/commands.
func (a *App) Commands() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.opt.Verifier.readVerified(w, r)
		if !ok {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sc, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "not a slash command", http.StatusBadRequest)
			return
		}
		writeJSON(w, a.slash(r.Context(), sc))
	})
}

// Interactions is the handler of POST /slack/interactions.
func (a *App) Interactions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.opt.Verifier.readVerified(w, r)
		if !ok {
			return
		}
		form, err := url.ParseQuery(string(body))
		var cb slack.InteractionCallback
		if err == nil {
			err = json.Unmarshal([]byte(form.Get("payload")), &cb)
		}
		if err != nil {
			http.Error(w, "not an interaction", http.StatusBadRequest)
			return
		}
		writeJSON(w, a.interact(r.Context(), cb))
	})
}

// writeJSON answers 200 with v, or with an empty body for nil.
func writeJSON(w http.ResponseWriter, v any) {
	if v == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Authenticated checks that Slack accepts the bot token (auth.test).
func (a *App) Authenticated(ctx context.Context) error {
	if _, err := a.opt.API.AuthTestContext(ctx); err != nil {
		return fmt.Errorf("slack: auth.test: %w", err)
	}
	return nil
}

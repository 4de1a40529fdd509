package discordapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
)

// Options configure an App.
type Options struct {
	Service *bot.Service
	// Session is the discordgo session, its Client and retry settings set.
	Session *discordgo.Session
	// Verifier checks HTTP interactions; unused over the gateway.
	Verifier Verifier
	// Broadcast is the stakeholders' channel, where no buttons are shown.
	Broadcast string
	// Channels opens incident channels instead of threads.
	Channels bool
	Logger   *slog.Logger
}

// App is the Discord door.
type App struct {
	opt Options
}

// New returns the Discord door.
func New(o Options) *App {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &App{opt: o}
}

// respond answers one interaction: a command, a button or a form. full is
// the incident whose whole report follows the answer as a file, or 0.
func (a *App) respond(ctx context.Context, i *discordgo.Interaction) (resp *discordgo.InteractionResponse, full int) {
	if i.GuildID == "" {
		return ephemeral("incidentbot works in a server's channels, not in direct messages."), 0
	}
	req := bot.Request{Workspace: bot.Workspace{Platform: bot.Discord, ID: i.GuildID}, Channel: i.ChannelID, RequestID: i.ID}
	if m := i.Member; m != nil && m.User != nil {
		// Roles come with the interaction: who is a responder needs no call.
		req.Actor, req.ActorName, req.Groups = m.User.ID, memberName(m), m.Roles
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		if len(data.Options) != 1 || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
			return ephemeral("Pick a subcommand of /incident; /incident help lists them."), 0
		}
		sub := data.Options[0]
		opts, err := options(sub, data.Resolved)
		if err != nil {
			return ephemeral(bot.ErrorMessage(err)), 0
		}
		reply, err := a.opt.Service.HandleOptions(ctx, req, sub.Name, opts)
		return a.answer(reply, err), reply.Full
	case discordgo.InteractionMessageComponent:
		id := i.MessageComponentData().CustomID
		if card, to, ok := parseMoveID(id); ok {
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: modal(bot.UpdateForm(card, to))}, 0
		}
		if n, ok := strings.CutPrefix(id, "snooze:"); ok {
			if number, err := strconv.Atoi(n); err == nil && number > 0 {
				return a.answer(a.opt.Service.Run(ctx, req, bot.SnoozeCommand(number))), 0
			}
		}
		var number, n int
		if _, err := fmt.Sscanf(id, "followup:%d:%d", &number, &n); err == nil && number > 0 && n > 0 {
			return a.answer(a.opt.Service.Run(ctx, req, bot.FollowUpDoneCommand(number, n))), 0
		}
	case discordgo.InteractionModalSubmit:
		data := i.ModalSubmitData()
		sub, ok := submission(data)
		if !ok {
			return ephemeral("This form is no longer known; run the command again."), 0
		}
		reply, err := a.opt.Service.Submit(ctx, req, sub)
		return a.answer(reply, err), 0
	}
	return ephemeral("incidentbot does not know this interaction."), 0
}

// fullTries is how often a whole report is offered: Discord refuses a
// follow-up it receives before the answer it follows.
const fullTries = 5

// sendFull sends the whole report of incident number as a file, shown to
// the asker only, after the answer that had to leave updates out.
func (a *App) sendFull(ctx context.Context, i *discordgo.Interaction, number int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	ws := bot.Workspace{Platform: bot.Discord, ID: i.GuildID}
	file, err := a.opt.Service.FullReport(ctx, ws, number)
	for try := 1; err == nil; try++ {
		_, err = a.opt.Session.FollowupMessageCreate(i, false, &discordgo.WebhookParams{
			Content: file.Caption,
			Flags:   discordgo.MessageFlagsEphemeral, AllowedMentions: noPings(),
			Files: []*discordgo.File{{Name: file.Name, ContentType: "text/plain; charset=utf-8", Reader: strings.NewReader(file.Text)}},
		}, discordgo.WithContext(ctx))
		if err == nil || try == fullTries {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(100<<try) * time.Millisecond):
		}
	}
	if err != nil {
		a.opt.Logger.Warn("discord: sending a whole report", "workspace", ws.String(), "incident", bot.FormatRef(number), "err", err)
	}
}

// answer turns a reply into Discord's answer: a form opens as a modal,
// anything else is shown to the person who typed only.
func (a *App) answer(reply bot.Reply, err error) *discordgo.InteractionResponse {
	switch {
	case err != nil:
		return ephemeral(bot.ErrorMessage(err))
	case reply.Form != nil:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: modal(reply.Form)}
	}
	return ephemeral(reply.Text)
}

// ephemeral is an answer only its reader sees, pinging no one. A long one
// (a report) goes in embeds, which hold more than a message's content.
func ephemeral(text string) *discordgo.InteractionResponse {
	data := &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noPings()}
	if len([]rune(text)) <= contentLimit {
		data.Content = text
	} else {
		room := embedsLimit
		for text != "" && room > 0 {
			var part string
			part, text = split(text, min(descriptionLimit, room))
			room -= len([]rune(part))
			data.Embeds = append(data.Embeds, &discordgo.MessageEmbed{Description: part})
		}
		if text != "" {
			data.Content = "The report is longer than Discord shows; the end is cut. The status page has all of it."
		}
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}
}

// memberName is how the server shows a member: their nickname there, else
// their display name, else their username.
func memberName(m *discordgo.Member) string {
	switch {
	case m.Nick != "":
		return m.Nick
	case m.User.GlobalName != "":
		return m.User.GlobalName
	}
	return m.User.Username
}

// parseMoveID reads a move button's custom ID back.
func parseMoveID(id string) (bot.Card, fsm.Status, bool) {
	parts := strings.Split(id, ":")
	if len(parts) != 4 || parts[0] != "move" {
		return bot.Card{}, "", false
	}
	n, err := strconv.Atoi(parts[1])
	from, to := fsm.Status(parts[2]), fsm.Status(parts[3])
	if err != nil || n <= 0 || !from.Valid() || !to.Valid() {
		return bot.Card{}, "", false
	}
	return bot.Card{Ref: bot.FormatRef(n), Number: n, Status: from}, to, true
}

// submission reads a submitted modal: "form:<kind>:<number>:<status>" and
// its text inputs.
func submission(data discordgo.ModalSubmitInteractionData) (bot.Submission, bool) {
	parts := strings.Split(data.CustomID, ":")
	if len(parts) != 4 || parts[0] != "form" {
		return bot.Submission{}, false
	}
	n, _ := strconv.Atoi(parts[2])
	sub := bot.Submission{Kind: bot.FormKind(parts[1]), Incident: n, Status: fsm.Status(parts[3]), Values: map[string]string{}}
	for _, c := range data.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, rc := range row.Components {
			if in, ok := rc.(*discordgo.TextInput); ok {
				sub.Values[in.CustomID] = in.Value
			}
		}
	}
	return sub, true
}

// Interactions is the handler of POST /discord/interactions.
func (a *App) Interactions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.opt.Verifier.readVerified(w, r)
		if !ok {
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "not an interaction", http.StatusBadRequest)
			return
		}
		var resp *discordgo.InteractionResponse
		full := 0
		if i.Type == discordgo.InteractionPing {
			resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}
		} else {
			resp, full = a.respond(r.Context(), &i)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
		if full != 0 {
			http.NewResponseController(w).Flush() // the answer first, then what follows it
			go a.sendFull(r.Context(), &i, full)
		}
	})
}

// RunGateway takes interactions over the gateway until ctx is done, answering
// each at once: the service's own timeout keeps that inside Discord's 3 s.
func (a *App) RunGateway(ctx context.Context) error {
	s := a.opt.Session
	remove := s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		resp, full := a.respond(ctx, ic.Interaction)
		if err := s.InteractionRespond(ic.Interaction, resp, discordgo.WithContext(ctx)); err != nil {
			a.opt.Logger.Warn("discord: answering an interaction", "err", err)
			return
		}
		if full != 0 {
			go a.sendFull(ctx, ic.Interaction, full)
		}
	})
	defer remove()
	s.Identify.Intents = discordgo.IntentsGuilds
	if err := s.Open(); err != nil {
		return fmt.Errorf("discordapp: opening the gateway: %w", err)
	}
	<-ctx.Done()
	return s.Close()
}

// Authenticated checks that Discord accepts the bot token (users/@me).
func (a *App) Authenticated(ctx context.Context) error {
	if _, err := a.opt.Session.User("@me", discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord: users/@me: %w", err)
	}
	return nil
}

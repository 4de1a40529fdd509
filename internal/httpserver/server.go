package httpserver

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// Deps is what the server's routes need.
type Deps struct {
	Logger *slog.Logger
	// Ready checks what the bot needs to serve commands: Redis writable, the
	// chat platforms reachable.
	Ready func(ctx context.Context) error
	// The doors' handlers; a nil one is not routed.
	SlackCommands, SlackInteractions http.Handler
	DiscordInteractions              http.Handler
	// Metrics serves GET /metrics when set.
	Metrics http.Handler
	// StatusPage serves the public status page under StatusPath ("/" or
	// "/status/"), every method, so it can answer CORS preflights.
	StatusPage http.Handler
	StatusPath string
}

// NewServer returns the handler of every route.
func NewServer(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	addRoutes(mux, d)
	return mux
}

func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
}

// handleReadyz answers 200 when Redis can be written to and each chat
// platform configured accepts the bot, within a second; else 503 with why.
func handleReadyz(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := d.Ready(ctx); err != nil {
			d.Logger.Warn("not ready", "err", err)
			http.Error(w, "not ready: "+err.Error(), StatusOf(bot.Errorf(bot.EUNAVAILABLE, "not ready")))
			return
		}
		w.Write([]byte("ready\n"))
	})
}

// StatusOf is the one mapping of bot error codes to HTTP statuses.
func StatusOf(err error) int {
	switch bot.ErrorCode(err) {
	case "":
		return http.StatusOK
	case bot.EINVALID:
		return http.StatusBadRequest
	case bot.ENOTFOUND:
		return http.StatusNotFound
	case bot.ECONFLICT:
		return http.StatusConflict
	case bot.EFORBIDDEN:
		return http.StatusForbidden
	case bot.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

package httpserver

import "net/http"

// addRoutes lists every route of incidentbot's HTTP listener.
func addRoutes(mux *http.ServeMux, d Deps) {
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(d))
	for pattern, h := range map[string]http.Handler{
		"POST /slack/commands":       d.SlackCommands,
		"POST /slack/interactions":   d.SlackInteractions,
		"POST /discord/interactions": d.DiscordInteractions,
		"GET /metrics":               d.Metrics,
	} {
		if h != nil {
			mux.Handle(pattern, h)
		}
	}
	if d.StatusPage != nil {
		mux.Handle(d.StatusPath, d.StatusPage)
	}
}

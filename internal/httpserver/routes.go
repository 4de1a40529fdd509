package httpserver

import "net/http"

// addRoutes lists every route of incidentbot's HTTP listener.
func addRoutes(mux *http.ServeMux, d Deps) {
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(d))
}

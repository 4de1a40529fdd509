package statuspage_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
)

func TestPagePaths(t *testing.T) {
	h, _ := seedHandler(t, "/status/")
	id := bot.IncidentID(bot.Workspace{Platform: bot.Console, ID: "local"}, 1)
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/status/", "All Systems Operational", http.StatusOK},
		{"/status", "All Systems Operational", http.StatusOK},
		{"/status/incidents/" + id, "Posted 9 days ago. <time datetime=\"2025-10-30T17:25:40Z\">Oct 30, 2025 - 17:25 UTC</time>", http.StatusOK},
		{"/status/incidents/nosuchthing", "There is no such page.", http.StatusNotFound},
		{"/status/api/v2/status.json", `"indicator":"none"`, http.StatusOK},
		{"/elsewhere", "404 page not found", http.StatusNotFound},
	} {
		res := get(t, h, tc.path)
		got := string(body(t, res))
		if res.StatusCode != tc.status || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %d, want %d with %q in:\n%.400s", tc.path, res.StatusCode, tc.status, tc.want, got)
		}
	}
}

func TestPageGolden(t *testing.T) {
	h, _ := seedHandler(t, "/")
	id := bot.IncidentID(bot.Workspace{Platform: bot.Console, ID: "local"}, 1)
	bottest.Golden(t, "page-index.golden", body(t, get(t, h, "/")))
	bottest.Golden(t, "page-incident.golden", body(t, get(t, h, "/incidents/"+id)))
}

// TestMethods: the page is read-only. A path it has answers other methods
// 405 with what it allows, and the preflight of a cross-origin read; a path
// it does not have is not found whatever the method, so that with the page
// at "/" a mistyped route of the bot reads as one.
func TestMethods(t *testing.T) {
	h, _ := seedHandler(t, "/")
	for _, tc := range []struct {
		method, path string
		status       int
		header       string
	}{
		{http.MethodPost, "/", http.StatusMethodNotAllowed, "GET, HEAD, OPTIONS"},
		{http.MethodPost, "/slack/comands", http.StatusNotFound, ""},
		{http.MethodOptions, "/api/v2/summary.json", http.StatusNoContent, ""},
		{http.MethodOptions, "/api/v2/nothing.json", http.StatusNotFound, ""},
		{http.MethodHead, "/", http.StatusOK, ""},
	} {
		r := httptest.NewRequest(tc.method, "http://status.example.com"+tc.path, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.status || w.Header().Get("Allow") != tc.header {
			t.Errorf("%s %s: %d, Allow %q; want %d, %q", tc.method, tc.path, w.Code, w.Header().Get("Allow"), tc.status, tc.header)
		}
		if tc.status == http.StatusNoContent && w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s %s: no CORS headers", tc.method, tc.path)
		}
	}
}

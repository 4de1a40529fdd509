package statuspage

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// Options configure the status page. Source is required.
type Options struct {
	Source Source
	// Org names the page.
	Org string
	// Components is the page's catalog; empty shows those incidents name.
	Components bot.Catalog
	// Path is where the page is served, ending in "/"; "/" by default.
	Path string
	// URL is the page's public address, ending in "/"; empty takes it from
	// the request that built the snapshot.
	URL string
	// Location is the zone the page shows times in; UTC when nil.
	Location *time.Location
	Clock    bot.Clock
	// Refresh is how often the store is asked whether anything changed.
	Refresh time.Duration
	// MaxAge is what Cache-Control lets browsers and proxies keep a document.
	MaxAge time.Duration
	Logger *slog.Logger
}

// Handler serves the page, its API and its feeds from memory.
type Handler struct {
	opt          Options
	cache        *cache
	cacheControl []string
}

// New returns the status page's handler.
func New(o Options) *Handler {
	if o.Path == "" {
		o.Path = "/"
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Clock == nil {
		o.Clock = bot.SystemClock{}
	}
	if o.Refresh == 0 {
		o.Refresh = 2 * time.Second
	}
	if o.MaxAge == 0 {
		o.MaxAge = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Org == "" {
		o.Org = "Our organisation"
	}
	h := &Handler{opt: o, cacheControl: []string{"public, max-age=" + strconv.Itoa(int(o.MaxAge.Seconds()))}}
	h.cache = &cache{opt: o}
	h.cache.renderers = []func(bot.Page, string, map[string]doc) error{h.renderHTML, h.renderFeeds}
	return h
}

// ServeHTTP answers GET and HEAD from the snapshot, with an ETag, and the
// preflight of a cross-origin read of the API. A path the page does not
// have is not found whatever the method: with the page at "/" it answers
// for every route the bot does not.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, ok := strings.CutPrefix(r.URL.Path, h.opt.Path)
	if !ok && r.URL.Path+"/" == h.opt.Path {
		rel, ok = "", true
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	snap, err := h.cache.get(r.Context(), r.Host)
	if err != nil {
		h.opt.Logger.Error("status page: no page to serve", "err", err)
		http.Error(w, "The status page is unavailable for a moment; try again shortly.", http.StatusServiceUnavailable)
		return
	}
	d, found := snap.docs[rel]
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		if !found {
			http.NotFound(w, r)
			return
		}
		cors(w.Header())
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !found {
		d = snap.docs["404"]
	}
	hd := w.Header()
	for k, v := range d.header {
		hd[k] = v
	}
	hd["Cache-Control"] = h.cacheControl
	switch match := r.Header.Get("If-None-Match"); {
	case !found:
		delete(hd, "Etag")
		w.WriteHeader(http.StatusNotFound)
	case match != "" && etagMatches(match, d.etag):
		delete(hd, "Content-Length")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method == http.MethodGet {
		w.Write(d.body)
	}
}

func cors(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Max-Age", "86400")
}

// etagMatches reads If-None-Match: a list of tags, or "*".
func etagMatches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			return true
		}
	}
	return false
}

package statuspage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// Source is where the page's incidents come from: the store.
type Source interface {
	// PageVersion changes whenever an incident may have changed.
	PageVersion(ctx context.Context) (int64, error)
	// PageRecords returns the n newest incidents of every workspace with
	// their timelines.
	PageRecords(ctx context.Context, n int) ([]bot.PageRecord, error)
}

// doc is one rendered document, ready to serve many times.
// Its header values are made once, as slices a response can share, since
// thousands of pollers read the same few documents.
type doc struct {
	body   []byte
	etag   string
	header http.Header // Content-Type, ETag, Content-Length, and CORS for the API
}

func newDoc(ctype string, body []byte, api bool) doc {
	sum := sha256.Sum256(body)
	d := doc{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	d.header = http.Header{"Content-Type": {ctype}, "Etag": {d.etag}, "Content-Length": {strconv.Itoa(len(body))}}
	if api {
		cors(d.header)
	}
	return d
}

// snapshot is the page at one moment, every document rendered.
type snapshot struct {
	version int64
	page    bot.Page
	docs    map[string]doc // by path under the page's root
	checked time.Time      // when the version was last compared
	host    string         // the request's host the URLs were made from
	url     string         // the page's public URL
}

// cache keeps the newest snapshot. A request that finds it older than the
// refresh interval compares the store's version, and rebuilds when it
// changed; requests meanwhile are served the snapshot they found, so at most
// one reader at a time talks to the store.
type cache struct {
	opt       Options
	renderers []func(page bot.Page, url string, docs map[string]doc) error
	mu        sync.Mutex // held while refreshing
	current   atomic.Pointer[snapshot]
}

// maxAge bounds how long a built page stands without a change to its data,
// so that "2 days ago" and the uptime bars move on by themselves.
const maxAge = time.Minute

func (c *cache) get(ctx context.Context, host string) (*snapshot, error) {
	return c.fetch(ctx, host, false)
}

// fetch is get, or with fresh set a snapshot no older than the store's
// version now: what a webhook of an update just made needs.
func (c *cache) fetch(ctx context.Context, host string, fresh bool) (*snapshot, error) {
	now := c.opt.Clock.Now()
	old := c.load()
	if !fresh && old != nil && now.Sub(old.checked) < c.opt.Refresh {
		return old, nil
	}
	if !fresh && old != nil && !c.mu.TryLock() {
		return old, nil // another request is refreshing
	}
	if fresh || old == nil {
		c.mu.Lock()
		if old = c.load(); !fresh && old != nil && now.Sub(old.checked) < c.opt.Refresh {
			c.mu.Unlock()
			return old, nil
		}
	}
	defer c.mu.Unlock()
	if host == "" && old != nil {
		host = old.host
	}
	snap, err := c.refresh(ctx, old, now, host)
	if err != nil {
		if old != nil {
			c.opt.Logger.Warn("status page: refreshing; serving the last page", "err", err)
			return old, nil
		}
		return nil, err
	}
	c.current.Store(snap)
	return snap, nil
}

func (c *cache) load() *snapshot { return c.current.Load() }

// refresh compares the store's version with old's and builds a new snapshot
// when it differs, or when old is too old to read "ago" from.
func (c *cache) refresh(ctx context.Context, old *snapshot, now time.Time, host string) (*snapshot, error) {
	v, err := c.opt.Source.PageVersion(ctx)
	if err != nil {
		return nil, err
	}
	if old != nil && old.version == v && now.Sub(old.page.Built) < maxAge {
		fresh := *old
		fresh.checked = now
		return &fresh, nil
	}
	recs, err := c.opt.Source.PageRecords(ctx, readLimit)
	if err != nil {
		return nil, err
	}
	page := bot.BuildPage(c.opt.Org, c.opt.Components, recs, now)
	url := c.baseURL(host)
	docs, err := c.render(page, url)
	if err != nil {
		return nil, err
	}
	return &snapshot{version: v, page: page, docs: docs, checked: now, host: host, url: url}, nil
}

// readLimit is how many incidents are read to find the page's newest: more
// than incidents.json lists, since private and internal ones are skipped.
const readLimit = 4 * maxIncidents

// baseURL is the page's public URL: configured, else from the request.
func (c *cache) baseURL(host string) string {
	switch {
	case c.opt.URL != "":
		return c.opt.URL
	case host == "": // no request yet: links stay relative
		return c.opt.Path
	}
	return "http://" + host + c.opt.Path
}

// api is the page in Statuspage's shapes.
func (c *cache) api(page bot.Page, url string) api {
	zone := c.opt.Location.String()
	if zone == "UTC" {
		zone = "Etc/UTC" // the zone's IANA name, as Statuspage writes it
	}
	return api{page: page, url: url, zone: zone}
}

// render renders every document of the page.
func (c *cache) render(page bot.Page, url string) (map[string]doc, error) {
	a := c.api(page, url)
	docs := map[string]doc{}
	for path, v := range map[string]any{
		"api/v2/summary.json":                summaryDoc(a.summary()),
		"api/v2/status.json":                 statusDoc{Page: a.pageObj(), Status: a.status()},
		"api/v2/components.json":             componentsDoc{Page: a.pageObj(), Components: a.components()},
		"api/v2/incidents.json":              incidentsDoc{Page: a.pageObj(), Incidents: a.incidents(false)},
		"api/v2/incidents/unresolved.json":   incidentsDoc{Page: a.pageObj(), Incidents: a.incidents(true)},
		"api/v2/scheduled-maintenances.json": maintenancesDoc{Page: a.pageObj(), ScheduledMaintenances: []apiIncident{}},
	} {
		body, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("statuspage: %s: %w", path, err)
		}
		docs[path] = newDoc("application/json; charset=utf-8", body, true)
	}
	for _, r := range c.renderers {
		if err := r(page, url, docs); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

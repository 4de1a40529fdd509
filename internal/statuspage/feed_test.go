package statuspage_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/mmcdole/gofeed"
)

// TestFeeds parses both feeds with a feed library, as readers do: one
// entry per public update, newest first, each linking to its incident.
func TestFeeds(t *testing.T) {
	h, _ := seedHandler(t, "/")
	for _, tc := range []struct{ path, kind, ctype string }{
		{"/history.atom", "atom", "application/atom+xml; charset=utf-8"},
		{"/history.rss", "rss", "application/rss+xml; charset=utf-8"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			res := get(t, h, tc.path)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			f, err := gofeed.NewParser().Parse(bytes.NewReader(body(t, res)))
			if err != nil {
				t.Fatal(err)
			}
			if f.FeedType != tc.kind {
				t.Errorf("feed type %q, want %q", f.FeedType, tc.kind)
			}
			if len(f.Items) != 12 {
				t.Fatalf("%d entries, want 11 updates and the postmortem", len(f.Items))
			}
			first, last := f.Items[0], f.Items[11]
			if first.Title != "Some US customers may be impacted by data delays and UI errors: Postmortem" || first.PublishedParsed == nil ||
				first.PublishedParsed.Format("2006-01-02T15:04") != "2025-11-06T22:31" {
				t.Errorf("newest entry %q at %v", first.Title, first.PublishedParsed)
			}
			if last.Title != "Some US customers may be impacted by data delays and UI errors: Investigating" ||
				last.Link != first.Link || last.GUID == first.GUID {
				t.Errorf("oldest entry %q %q %q", last.Title, last.Link, last.GUID)
			}
		})
	}
}

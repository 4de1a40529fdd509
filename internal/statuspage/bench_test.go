package statuspage_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/statuspage"
)

// countingSource counts what the page asks of the store.
type countingSource struct {
	statuspage.Source
	reads atomic.Int64
}

func (c *countingSource) PageVersion(ctx context.Context) (int64, error) {
	c.reads.Add(1)
	return c.Source.PageVersion(ctx)
}

func (c *countingSource) PageRecords(ctx context.Context, n int) ([]bot.PageRecord, error) {
	c.reads.Add(1)
	return c.Source.PageRecords(ctx, n)
}

// BenchmarkSummary serves summary.json over real connections to 200
// clients at once, and reports requests a second and how often the store
// was read meanwhile.
func BenchmarkSummary(b *testing.B) {
	const clients = 200
	src := &countingSource{Source: seedStore(b)}
	h := statuspage.New(statuspage.Options{Source: src, Org: "Customer.io"})
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/api/v2/summary.json"
	fetch := func() error {
		res, err := client.Get(url)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	if err := fetch(); err != nil { // the first snapshot, outside the timing
		b.Fatal(err)
	}
	src.reads.Store(0)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := fetch(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(src.reads.Load())/elapsed.Seconds(), "store-reads/s")
}

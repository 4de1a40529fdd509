package statuspage_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/console"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
	"github.com/incidentbot/incidentbot/internal/statuspage"
)

// seedNow is when the tests read the page: two days after the postmortem.
var seedNow = time.Date(2025, 11, 8, 22, 31, 0, 0, time.UTC)

// seedStore replays the seed incident through the console into a fresh
// embedded store.
func seedStore(t testing.TB) *redisstore.Store {
	t.Helper()
	st := redistest.Open(t, "")
	replaySeed(t, st, nil, nil)
	return st
}

// replaySeed types the seed's commands at the console, delivering what
// they queue, webhooks to hooks included, before each next command.
func replaySeed(t testing.TB, st *redisstore.Store, webhooks []string, hooks bot.Poster) {
	t.Helper()
	svc := bot.NewService(bot.Options{Store: st, Clock: bottest.NewClock(seedNow), Org: "Customer.io", Webhooks: webhooks})
	f, err := os.Open("../../cmd/incidentbot/testdata/seed-replay.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	poster := &console.Poster{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := bot.NewDelivery(bot.DeliveryOptions{Outbox: st, Posters: map[bot.Platform]bot.Poster{bot.Console: poster}, Webhooks: hooks})
	go d.Run(ctx)
	c := &console.Console{Service: svc, Outbox: st, Poster: poster, In: f, Out: io.Discard, Actor: "@seed"}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// seedHandler is the status page of the replayed seed, read at seedNow.
func seedHandler(t testing.TB, path string) (*statuspage.Handler, *redisstore.Store) {
	st := seedStore(t)
	return statuspage.New(statuspage.Options{Source: st, Org: "Customer.io", Path: path, Clock: bottest.NewClock(seedNow)}), st
}

// get fetches a path of h as a browser on status.example.com would.
func get(t testing.TB, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "http://status.example.com"+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t testing.TB, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

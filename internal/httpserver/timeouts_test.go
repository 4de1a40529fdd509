package httpserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/internal/httpserver"
)

func TestNew(t *testing.T) {
	h := http.NotFoundHandler()
	srv := httpserver.New(h)
	type limits struct {
		ReadHeader, Read, Write, Idle time.Duration
		MaxHeaderBytes                int
	}
	got := limits{srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes}
	want := limits{5 * time.Second, 10 * time.Second, 15 * time.Second, 60 * time.Second, 64 << 10}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	if srv.ReadTimeout > 30*time.Second || srv.ReadTimeout != httpserver.ReadTimeout {
		t.Errorf("ReadTimeout %s: want httpserver.ReadTimeout, and at most 30s", srv.ReadTimeout)
	}
	if srv.Handler == nil || srv.ConnState == nil {
		t.Error("New left out the handler or the ConnState hook the listener's order needs")
	}
}

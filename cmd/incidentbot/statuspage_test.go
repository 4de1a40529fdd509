package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestStatusPageServed runs local mode with the page moved to /status: an
// incident typed at the console reaches summary.json, and the page is off
// with INCIDENTBOT_STATUS=off.
func TestStatusPageServed(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		want         int
	}{{"On", "", http.StatusOK}, {"Off", "off", http.StatusNotFound}} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			stdin, typing := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(context.Background(), []string{"incidentbot"}, env(map[string]string{"INCIDENTBOT_ADDR": addr,
					"INCIDENTBOT_STATUS": tc.status, "INCIDENTBOT_STATUS_PATH": "/status", "INCIDENTBOT_COMPONENTS": "Delivery: Email, SMS; API"}),
					stdin, io.Discard, io.Discard)
			}()
			defer func() {
				typing.Close()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}()
			waitFor(t, "http://"+addr+"/healthz", http.StatusOK)
			fmt.Fprintln(typing, `/incident declare Mail is late --impact minor --components "Email, API=major_outage"`)
			waitFor(t, "http://"+addr+"/status/api/v2/status.json", tc.want)
			if tc.want != http.StatusOK {
				return
			}
			for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
				indicator := summaryIndicator(t, "http://"+addr+"/status/api/v2/summary.json")
				if indicator == "critical" {
					break
				}
				if time.Since(start) > 20*time.Second {
					t.Fatalf("summary.json still says %q, want critical from API=major_outage", indicator)
				}
			}
		})
	}
}

func summaryIndicator(t *testing.T, url string) string {
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var s struct {
		Status struct{ Indicator string } `json:"status"`
	}
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s.Status.Indicator
}

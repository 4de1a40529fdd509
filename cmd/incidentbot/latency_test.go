package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// latencyRate is the pace of BenchmarkAckLatency, commands a second: a busy
// hour for a large organisation, far below what the bot takes, so that the
// figure is how long one responder waits, not how long a queue is.
const latencyRate = 200

// BenchmarkAckLatency is how long a responder waits for the answer to a
// command. The real binary serves Slack against the fake, on a redis-server
// of its own; b.N signed `/incident update` commands go out at 200 a second,
// each when its turn comes whatever became of those before it, spread over
// 32 incidents, and their posts go out meanwhile. Then as many GET /healthz
// at the same pace: the least a request waits on this machine. It reports
// the median and the 99th percentile of each, in ms.
//
//	go test ./cmd/incidentbot -run '^$' -bench AckLatency -benchtime 2000x
func BenchmarkAckLatency(b *testing.B) {
	rig := newBenchRig(b)
	b.ResetTimer()
	acks := paced(b, b.N, func(i int) error {
		reply, err := rig.r.send(rig.proc.addr, "C0GENERAL", fmt.Sprintf("update INC-%d Latency %d", i%benchClients+1, i))
		if err == nil && !strings.HasPrefix(reply, "Update added") {
			err = fmt.Errorf("not acknowledged: %q", reply)
		}
		return err
	})
	b.StopTimer()
	health := paced(b, b.N, func(int) error {
		resp, err := rig.r.client.Get("http://" + rig.proc.addr + "/healthz")
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /healthz: %s", resp.Status)
		}
		return nil
	})
	waitDelivered(b, rig.st, rig.r.workspace(), 30*time.Second)

	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.Logf("%d commands at %d a second: answered after %.2f ms (median), %.2f ms (p99), %.2f ms (slowest); GET /healthz %.2f ms (median), %.2f ms (p99)",
		b.N, latencyRate, ms(quantile(acks, 0.5)), ms(quantile(acks, 0.99)), ms(acks[len(acks)-1]), ms(quantile(health, 0.5)), ms(quantile(health, 0.99)))
	b.ReportMetric(ms(quantile(acks, 0.5)), "ack-p50-ms")
	b.ReportMetric(ms(quantile(acks, 0.99)), "ack-p99-ms")
	b.ReportMetric(ms(quantile(health, 0.5)), "healthz-p50-ms")
	b.ReportMetric(ms(quantile(health, 0.99)), "healthz-p99-ms")
	b.ReportMetric(0, "ns/op") // the pace sets the time: per-op time says nothing
}

// paced makes n calls of do at latencyRate a second, each in a goroutine of
// its own when its turn comes, so that a slow answer delays no other call,
// and returns how long each took, shortest first.
func paced(b *testing.B, n int, do func(i int) error) []time.Duration {
	b.Helper()
	tick := time.NewTicker(time.Second / latencyRate)
	defer tick.Stop()
	took := make([]time.Duration, n)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range n {
		<-tick.C
		wg.Go(func() {
			start := time.Now()
			err := do(i)
			took[i] = time.Since(start)
			if err != nil && failed.Add(1) == 1 {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	slices.Sort(took)
	return took
}

// quantile is the q-quantile of sorted durations, by nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

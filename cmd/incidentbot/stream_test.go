package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// stream is commands sent without pause to an incidentbot while a test
// fails Redis over under it: each noted in the responder's ledger, and the
// time of each answered as recorded kept, so the test can wait for the
// stream to be under way, or back, instead of sleeping.
type stream struct {
	mu       sync.Mutex
	recorded []time.Time
	stop     chan struct{}
	wg       sync.WaitGroup
}

// startStream sends updates of INC-1 to addr from workers responders.
func startStream(r *responder, addr, name string, workers int) *stream {
	s := &stream{stop: make(chan struct{})}
	for w := range workers {
		s.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-s.stop:
					return
				default:
				}
				tok := fmt.Sprintf("tok-%s-%d-%d", name, w, i)
				reply, err := r.send(addr, "C0GENERAL", "update INC-1 streaming "+tok)
				r.note(tok, reply, err)
				// Without a replica left to confirm, "recorded, but not yet
				// safe" is a command working too.
				if err == nil && (strings.HasPrefix(reply, "Update added") || strings.HasPrefix(reply, "Recorded, but only")) {
					s.mu.Lock()
					s.recorded = append(s.recorded, time.Now())
					s.mu.Unlock()
				}
				time.Sleep(10 * time.Millisecond) // a responder's pace, not a wait for anything
			}
		})
	}
	return s
}

// firstSince is when the first command after t was recorded, or zero.
func (s *stream) firstSince(t time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.recorded {
		if at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// waitRecorded waits until n commands after t were recorded.
func (s *stream) waitRecorded(tb testing.TB, n int, t time.Time) {
	tb.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		got := 0
		for _, at := range s.recorded {
			if at.After(t) {
				got++
			}
		}
		s.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("only %d commands recorded since %s, want %d", got, t.Format(time.StampMilli), n)
		}
	}
}

// end stops the stream and waits for the commands under way.
func (s *stream) end() {
	close(s.stop)
	s.wg.Wait()
}

package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Golden compares got with testdata/name, or writes it there when the tests
// run with -update; the diff is then reviewed like any change.
func Golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (go test -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		tb.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

// JSON encodes v as a platform reads it: indented, and without Go's \u003c
// for < > & (which some client types use when they marshal themselves), so
// a test sees exactly the escaping a door did.
func JSON(tb testing.TB, v any) []byte {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var plain any
	if err := json.Unmarshal(raw, &plain); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(plain); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// WaitDelivered waits until a delivery loop running elsewhere has delivered
// every post queued for ws.
func WaitDelivered(tb testing.TB, o bot.Outbox, ws bot.Workspace) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		bl, err := o.Backlog(context.Background(), ws)
		if err == nil && bl.Queued == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("posts still queued for %s: %+v, %v", ws, bl, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Eventually waits until cond holds, looking every few milliseconds, and
// fails the test with what when it still does not after within: a
// condition, not a time, is what tests wait for.
func Eventually(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("still not after %s: %s", within, what)
		}
	}
}

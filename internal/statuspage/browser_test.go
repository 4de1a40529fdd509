package statuspage_test

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/bot"
)

// chromium finds a headless-capable Chromium: Debian's package, or another
// install of it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("no Chromium installed (apt-get install chromium; .ci/run installs it): the browser test of the status page did not run")
	return ""
}

// browser starts a headless Chromium for the test, collecting every console
// error and log entry of level error.
func browser(t *testing.T) (context.Context, func() []string) {
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var errs []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeWarning {
				errs = append(errs, "console."+string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			errs = append(errs, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError || ev.Entry.Level == log.LevelWarning {
				errs = append(errs, string(ev.Entry.Level)+": "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// artefact is where a test writes what a person may want to look at: the
// directory INCIDENTBOT_TEST_ARTEFACTS names, else the test's temporary one.
func artefact(t *testing.T, name string) string {
	dir := os.Getenv("INCIDENTBOT_TEST_ARTEFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// TestBrowser looks at the page after the seed replay in a real browser, on
// a phone-sized screen, in light and dark.
func TestBrowser(t *testing.T) {
	ctx, consoleErrors := browser(t)
	h, st := seedHandler(t, "/")
	srv := httptest.NewServer(h)
	defer srv.Close()
	recs, err := st.PageRecords(context.Background(), 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("page records %d, %v", len(recs), err)
	}
	id := bot.IncidentID(recs[0].Incident.Workspace, recs[0].Incident.Number)

	var banner string
	var components []string
	var scrollWidth, clientWidth int
	var shot []byte
	err = chromedp.Run(ctx,
		emulation.SetDeviceMetricsOverride(390, 844, 3, true),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Text(".banner", &banner, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll(".component h3")].map(e => e.textContent.trim())`, &components),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollWidth),
		chromedp.Evaluate(`document.documentElement.clientWidth`, &clientWidth),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err != nil {
		t.Fatal(err)
	}
	if banner != "All Systems Operational" {
		t.Errorf("banner %q", banner)
	}
	if diff := cmp.Diff([]string{"Data Processing", "Message Sending", "User Interface"}, components); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if scrollWidth > clientWidth {
		t.Errorf("the page scrolls sideways at 390 px: %d px wide in a %d px viewport", scrollWidth, clientWidth)
	}
	save(t, "status-page.png", shot, true)

	var statuses, bodies []string
	var postmortem string
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/incidents/"+id),
		chromedp.Evaluate(`[...document.querySelectorAll(".update h4")].map(e => e.textContent.trim())`, &statuses),
		chromedp.Evaluate(`[...document.querySelectorAll(".update p:not(.when)")].map(e => e.textContent.trim())`, &bodies),
		chromedp.Text(".postmortem", &postmortem, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollWidth),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}),
		chromedp.CaptureScreenshot(&shot),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Investigating", "Investigating", "Identified", "Identified", "Identified", "Identified", "Identified", "Identified", "Identified", "Monitoring", "Resolved"}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("the incident's updates (-want +got):\n%s", diff)
	}
	if len(bodies) != 11 || !strings.HasPrefix(bodies[0], "Some US customers will experience errors") || bodies[10] != "This incident has been resolved." {
		t.Errorf("update bodies: %q", bodies)
	}
	if !strings.Contains(postmortem, "Incident Summary") || !strings.Contains(postmortem, "Corrective and Preventative Measures") {
		t.Errorf("postmortem %q", postmortem)
	}
	if scrollWidth > clientWidth {
		t.Errorf("the incident page scrolls sideways at 390 px: %d px", scrollWidth)
	}
	save(t, "incident-dark.png", shot, false)
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("the browser's console reported: %q", errs)
	}
}

// save writes a screenshot as a test artefact; the README's, with -update,
// also into testdata, where the README shows it from.
func save(t *testing.T, name string, png []byte, readme bool) {
	path := artefact(t, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if f := flag.Lookup("update"); readme && f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(filepath.Join("testdata", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

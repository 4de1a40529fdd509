package statuspage_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot/bottest"
)

var documents = []string{"summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances"}

func TestAPIGolden(t *testing.T) {
	h, _ := seedHandler(t, "/")
	for _, name := range documents {
		t.Run(name, func(t *testing.T) {
			res := get(t, h, "/api/v2/"+name+".json")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			var v any
			if err := json.Unmarshal(body(t, res), &v); err != nil {
				t.Fatal(err)
			}
			bottest.Golden(t, "api-"+strings.ReplaceAll(name, "/", "-")+".golden", bottest.JSON(t, v))
		})
	}
}

// TestAPIShape holds our documents against real ones of a public
// Statuspage page: every key they have we have, with a value of the same
// JSON type, and every enum value ours uses is one Statuspage documents.
func TestAPIShape(t *testing.T) {
	h, _ := seedHandler(t, "/")
	ours := map[string]any{}
	for _, name := range []string{"summary", "incidents"} {
		var v any
		if err := json.Unmarshal(body(t, get(t, h, "/api/v2/"+name+".json")), &v); err != nil {
			t.Fatal(err)
		}
		ours[name] = v
	}
	// After the seed, summary lists no incident (it is resolved): its
	// incidents are held against incidents.json's.
	summary := ours["summary"].(map[string]any)
	summary["incidents"] = ours["incidents"].(map[string]any)["incidents"]
	for _, name := range []string{"summary", "incidents"} {
		raw, err := os.ReadFile("testdata/statuspage-" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var real any
		if err := json.Unmarshal(raw, &real); err != nil {
			t.Fatal(err)
		}
		for _, p := range sameShape(name, real, ours[name]) {
			t.Error(p)
		}
	}
	enums := map[string][]string{
		"status":     {"investigating", "identified", "monitoring", "resolved", "postmortem", "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"},
		"impact":     {"none", "minor", "major", "critical", "maintenance"},
		"indicator":  {"none", "minor", "major", "critical", "maintenance"},
		"new_status": {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"},
		"old_status": {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"},
	}
	walk(ours["summary"], func(key string, v any) {
		if allowed, ok := enums[key]; ok {
			if s, isString := v.(string); isString && !slices.Contains(allowed, s) {
				t.Errorf("%s is %v, not one of Statuspage's %v", key, v, allowed)
			}
		}
	})
}

// sameShape lists where ours lacks a key of real or holds another type.
func sameShape(path string, real, ours any) []string {
	if real == nil || ours == nil {
		return nil // null stands for any type
	}
	var problems []string
	switch r := real.(type) {
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: ours is %T, Statuspage's an object", path, ours)}
		}
		for k, rv := range r {
			ov, ok := o[k]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: ours lacks %q", path, k))
				continue
			}
			problems = append(problems, sameShape(path+"."+k, rv, ov)...)
		}
	case []any:
		o, ok := ours.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: ours is %T, Statuspage's an array", path, ours)}
		}
		if len(r) > 0 {
			for i, ov := range o {
				problems = append(problems, sameShape(fmt.Sprintf("%s[%d]", path, i), r[0], ov)...)
			}
		}
	default:
		if fmt.Sprintf("%T", real) != fmt.Sprintf("%T", ours) {
			problems = append(problems, fmt.Sprintf("%s: ours is %T, Statuspage's %T", path, ours, real))
		}
	}
	return problems
}

func walk(v any, f func(key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			f(k, vv)
			walk(vv, f)
		}
	case []any:
		for _, vv := range x {
			walk(vv, f)
		}
	}
}

func TestCachingHeaders(t *testing.T) {
	h, _ := seedHandler(t, "/")
	res := get(t, h, "/api/v2/summary.json")
	etag := res.Header.Get("ETag")
	for k, want := range map[string]string{"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=5", "Content-Type": "application/json; charset=utf-8"} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if etag == "" {
		t.Fatal("no ETag")
	}
	if res := get(t, h, "/api/v2/summary.json", "If-None-Match", etag); res.StatusCode != http.StatusNotModified || len(body(t, res)) != 0 {
		t.Errorf("If-None-Match of the current tag: status %d", res.StatusCode)
	}
	if res := get(t, h, "/api/v2/summary.json", "If-None-Match", `"other"`); res.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match of another tag: status %d", res.StatusCode)
	}
	if res := get(t, h, "/api/v2/nothing.json"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown document: status %d", res.StatusCode)
	}
}

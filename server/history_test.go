package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sqldict/sqldict/api"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// versionsDict writes n versions of "k" ("v1" … "vn") and one of "other"
// between each, so that the sequences of k are not consecutive.
func versionsDict(t *testing.T, n int) (*sqldict.Dict, []sqldict.Entry) {
	t.Helper()
	d, _ := uiDict(t)
	var hist []sqldict.Entry
	for i := 1; i <= n; i++ {
		es, err := d.Commit(context.Background(), sqldict.Write{Key: "k", Value: fmt.Appendf(nil, "v%d", i)}, sqldict.Write{Key: fmt.Sprintf("o%d", i), Value: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		hist = append(hist, es[0])
	}
	return d, hist
}

func TestHistory_Pages(t *testing.T) {
	d, hist := versionsDict(t, 7)
	s := uiServer(t, d, "")
	// Without limit: the JSON array of docs/http.md, whole.
	resp, body := get(t, s, "/v1/t/history/k")
	var all []api.Entry
	if err := json.Unmarshal([]byte(body), &all); err != nil || resp.StatusCode != 200 || len(all) != 7 {
		t.Fatalf("whole history: %d %v %d entries: %.200s", resp.StatusCode, err, len(all), body)
	}
	// With limit: pages of 3, 3 and 1, following next, at one point.
	var got []int64
	after, pages := "0", 0
	for after != "" {
		resp, body := get(t, s, "/v1/t/history/k?limit=3&after="+after)
		var page api.HistoryPage
		if err := json.Unmarshal([]byte(body), &page); err != nil || resp.StatusCode != 200 {
			t.Fatalf("page after %s: %d %v: %.200s", after, resp.StatusCode, err, body)
		}
		if strconv.FormatInt(page.Sequence, 10) != resp.Header.Get(api.HeaderSequence) {
			t.Fatalf("page sequence %d, header %s", page.Sequence, resp.Header.Get(api.HeaderSequence))
		}
		for _, e := range page.Entries {
			got = append(got, e.Sequence)
		}
		after, pages = page.Next, pages+1
	}
	if pages != 3 || len(got) != 7 {
		t.Fatalf("%d pages, sequences %v", pages, got)
	}
	for i, e := range hist {
		if got[i] != e.Sequence {
			t.Fatalf("entry %d: sequence %d, want %d", i, got[i], e.Sequence)
		}
	}
	// Past the end: an empty page; a key never written: 404; bad after: 400.
	if _, body := get(t, s, "/v1/t/history/k?limit=3&after="+strconv.FormatInt(hist[6].Sequence, 10)); !strings.Contains(body, `"entries":[],"next":""`) {
		t.Fatalf("past the end: %s", body)
	}
	if resp, _ := get(t, s, "/v1/t/history/never?limit=3"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("never written: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s, "/v1/t/history/k?after=-1"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("after=-1: %d", resp.StatusCode)
	}
}

func TestHistoryIn_Errors(t *testing.T) {
	d, hist := versionsDict(t, 3)
	ctx := context.Background()
	for _, c := range []struct {
		after int64
		limit int
	}{{-1, 0}, {0, -1}} {
		for _, err := range d.HistoryIn(ctx, "k", c.after, c.limit) {
			if !errors.Is(err, sqldict.ErrInvalidArgument) {
				t.Fatalf("after %d limit %d: %v", c.after, c.limit, err)
			}
		}
	}
	n := 0
	for e, err := range d.HistoryIn(ctx, "k", hist[0].Sequence, 1) {
		if err != nil || e.Sequence != hist[1].Sequence {
			t.Fatalf("after the first, limit 1: %v %v", e, err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("limit 1 gave %d entries", n)
	}
}

var versionRe = regexp.MustCompile(`<h3>Version (\d+)</h3>`)
var olderRe = regexp.MustCompile(`id="older" href="([^"]+)"`)

func TestUI_KeyPagesVersions(t *testing.T) {
	d, _ := versionsDict(t, 25)
	s := uiServer(t, d, "")
	target := "/ui/t/key?key=k&limit=10"
	var shown []string
	for pages := 0; target != ""; pages++ {
		if pages == 4 {
			t.Fatal("more than 3 pages")
		}
		resp, body := get(t, s, target)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", target, resp.StatusCode)
		}
		if !strings.Contains(body, "Version 25, sequence") {
			t.Fatalf("%s: the current value is not version 25", target)
		}
		for _, m := range versionRe.FindAllStringSubmatch(body, -1) {
			shown = append(shown, m[1])
		}
		target = ""
		if m := olderRe.FindStringSubmatch(body); m != nil {
			target = html.UnescapeString(m[1])
		}
	}
	want := []string{}
	for v := 25; v >= 1; v-- {
		want = append(want, strconv.Itoa(v))
	}
	if strings.Join(shown, ",") != strings.Join(want, ",") {
		t.Fatalf("versions shown %v, want %v", shown, want)
	}
}

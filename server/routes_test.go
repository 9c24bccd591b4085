package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func decode[T any](t *testing.T, c *call) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(c.body), &v); err != nil {
		t.Fatalf("decode %s: %v", c.body, err)
	}
	return v
}

// TestServe_Routes walks every row of docs/http.md's resource table against the
// real binary.
func TestServe_Routes(t *testing.T) {
	p := serve(t, sqliteURL(t))
	base := p.URL + "/v1/sqldict/"

	do(t, "GET", p.URL+"/healthz", "").want(200)

	// PUT: 201 for a new key, 200 over a live one; metadata headers.
	put := do(t, "PUT", base+"keys/cfg/a", "one", "X-Sqldict-Author", "ana", "X-Sqldict-Comment", "first%20%C3%A9").want(201).header("ETag", `"1"`)
	e := decode[api.Entry](t, put)
	if e.Key != "cfg/a" || e.Version != 1 || e.Sequence != 1 || e.Author != "ana" || e.Comment != "first é" || e.Value != nil {
		t.Fatalf("PUT entry %+v", e)
	}
	do(t, "PUT", base+"keys/cfg/a", "two").want(200).header("ETag", `"2"`)
	do(t, "PUT", base+"keys/cfg/a", "three", "If-Match", `"2"`).want(200).header("ETag", `"3"`)
	c := do(t, "PUT", base+"keys/cfg/a", "x", "If-Match", `"2"`).wantErr(412, "conflict")
	if !strings.Contains(c.body, `"expected":2`) || !strings.Contains(c.body, `"actual":3`) {
		t.Fatalf("conflict body %s lacks expected/actual", c.body)
	}
	do(t, "PUT", base+"keys/cfg/a", "x", "If-None-Match", "*").wantErr(412, "conflict")
	do(t, "PUT", base+"keys/cfg/b", "bee", "If-None-Match", "*").want(201)

	// GET and HEAD: the value verbatim and the headers.
	g := do(t, "GET", base+"keys/cfg/a", "").want(200).header("ETag", `"3"`).header(api.HeaderVersion, "3").
		header(api.HeaderEntrySequence, "3").header(api.HeaderSequence, "4").header("Content-Type", "application/octet-stream")
	if g.body != "three" {
		t.Fatalf("GET body %q", g.body)
	}
	if g.resp.Header.Get("Last-Modified") == "" {
		t.Fatal("GET without Last-Modified")
	}
	h := do(t, "HEAD", base+"keys/cfg/a", "").want(200).header("ETag", `"3"`).header("Content-Length", "5")
	if h.body != "" {
		t.Fatalf("HEAD body %q", h.body)
	}
	do(t, "GET", base+"keys/cfg/a", "", "If-None-Match", `"3"`).want(304)
	do(t, "GET", base+"keys/cfg/a", "", "If-None-Match", `"2"`).want(200)
	if g := do(t, "GET", base+"keys/cfg/a?at=1", "").want(200).header(api.HeaderSequence, "1"); g.body != "one" {
		t.Fatalf("GET at=1: %q", g.body)
	}
	created := decode[api.Entry](t, put).Created
	if g := do(t, "GET", base+"keys/cfg/a?as_of="+created, "").want(200); g.body != "one" {
		t.Fatalf("GET as_of=%s: %q", created, g.body)
	}

	// DELETE: 200 with the entry, then 404.
	del := decode[api.Entry](t, do(t, "DELETE", base+"keys/cfg/b", "").want(200))
	if !del.Deleted || del.Version != 2 {
		t.Fatalf("DELETE entry %+v", del)
	}
	do(t, "DELETE", base+"keys/cfg/b", "").wantErr(404, "not_found")
	do(t, "GET", base+"keys/cfg/b", "").wantErr(404, "not_found")
	do(t, "DELETE", base+"keys/cfg/a", "", "If-Match", `"1"`).wantErr(412, "conflict")
	do(t, "PUT", base+"keys/cfg/b", "again").want(201) // recreated after a delete

	// POST commit: all or nothing.
	cr := decode[api.CommitResponse](t, do(t, "POST", base+"commit",
		`{"writes":[{"key":"x/1","value":"MQ=="},{"key":"x/2","value":"Mg==","author":"bo"},{"key":"cfg/b","delete":true,"if_version":3}]}`).want(200))
	if len(cr.Entries) != 3 || cr.Entries[0].Sequence != 7 || cr.Entries[2].Sequence != 9 || !cr.Entries[2].Deleted || cr.Entries[1].Author != "bo" {
		t.Fatalf("commit entries %+v", cr.Entries)
	}
	do(t, "POST", base+"commit", `{"writes":[{"key":"x/3","value":"Mw=="},{"key":"x/1","if_version":0,"value":""}]}`).wantErr(412, "conflict")
	do(t, "GET", base+"keys/x/3", "").wantErr(404, "not_found")

	// GET keys: pages at one sequence.
	k1 := decode[api.Keys](t, do(t, "GET", base+"keys?limit=2", "").want(200))
	if strings.Join(k1.Keys, ",") != "cfg/a,x/1" || k1.Next != "x/1" || k1.Sequence != 9 {
		t.Fatalf("keys page 1 %+v", k1)
	}
	do(t, "PUT", base+"keys/x/0", "late").want(201) // after the listing's sequence
	k2 := decode[api.Keys](t, do(t, "GET", base+"keys?limit=2&after=x/1&at=9", "").want(200))
	if strings.Join(k2.Keys, ",") != "x/2" || k2.Next != "" || k2.Sequence != 9 {
		t.Fatalf("keys page 2 %+v", k2)
	}
	kp := decode[api.Keys](t, do(t, "GET", base+"keys?prefix=x/", "").want(200))
	if strings.Join(kp.Keys, ",") != "x/0,x/1,x/2" {
		t.Fatalf("keys prefix x/: %+v", kp)
	}

	// GET entries: JSON Lines with values.
	en := do(t, "GET", base+"entries?prefix=x/&after=x/0", "").want(200).header("Content-Type", "application/x-ndjson")
	lines := strings.Split(strings.TrimSpace(en.body), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"key":"x/1","value":"MQ=="`) {
		t.Fatalf("entries %q", en.body)
	}

	// GET history: oldest first, with values.
	hist := decode[[]api.Entry](t, do(t, "GET", base+"history/cfg/a", "").want(200))
	if len(hist) != 3 || *hist[0].Value != "b25l" || hist[2].Version != 3 {
		t.Fatalf("history %+v", hist)
	}
	do(t, "GET", base+"history/nothing", "").wantErr(404, "not_found")

	// GET log: the journal in sequence order.
	lg := do(t, "GET", base+"log?after=2&until=5&limit=2", "").want(200).header(api.HeaderSequence, "5")
	if ls := strings.Split(strings.TrimSpace(lg.body), "\n"); len(ls) != 2 || !strings.Contains(ls[0], `"sequence":3`) || !strings.Contains(ls[1], `"sequence":4`) {
		t.Fatalf("log %q", lg.body)
	}

	// GET diff.
	changes := decode[[]api.Change](t, do(t, "GET", base+"diff?from=1&to=9", "").want(200))
	kinds := map[string]string{}
	for _, ch := range changes {
		kinds[ch.Key] = ch.Kind
	}
	if kinds["cfg/a"] != "changed" || kinds["x/1"] != "added" || kinds["cfg/b"] != "" || len(changes) != 3 {
		t.Fatalf("diff %+v", changes)
	}

	// GET stat.
	st := decode[api.Stat](t, do(t, "GET", base+"stat", "").want(200))
	if st.Sequence != 10 || st.Keys != 4 || st.Horizon != 0 || st.Created == "" {
		t.Fatalf("stat %+v", st)
	}

	// GET watch: SSE from after, and resumption with Last-Event-ID.
	events := readEvents(t, base+"watch?after=8", "", 2)
	if events[0] != "9 delete cfg/b" || events[1] != "10 put x/0" {
		t.Fatalf("watch events %q", events)
	}
	if ev := readEvents(t, base+"watch?after=1&prefix=x/", "9", 1); ev[0] != "10 put x/0" {
		t.Fatalf("watch with Last-Event-ID 9: %q", ev)
	}

	// POST prune, then a pruned point.
	pr := decode[api.PruneResult](t, do(t, "POST", base+"prune", `{"keep_versions":1}`).want(200))
	if pr.Removed == 0 || pr.Horizon == 0 {
		t.Fatalf("prune %+v", pr)
	}
	do(t, "GET", base+"keys/cfg/a?at=1", "").wantErr(410, "pruned")

	// GET /metrics.
	m := do(t, "GET", p.URL+"/metrics", "").want(200)
	for _, want := range []string{
		`sqldict_http_requests_total{code="201",method="PUT",route="PUT /v1/{table}/keys/{key...}"}`,
		"sqldict_http_request_duration_seconds_bucket", "sqldict_watch_streams_open",
		`sqldict_commits_total{table="sqldict"}`, "sqldict_commit_writes_bucket",
	} {
		if !strings.Contains(m.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(p.Stderr(), "level=ERROR") {
		t.Errorf("server logged errors:\n%s", p.Stderr())
	}
	sqldicttest.CheckInvariants(t, p.Dict(sqldict.DefaultTable))
}

// readEvents reads n events of a watch stream as "ID KIND KEY".
func readEvents(t *testing.T, url, lastID string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("watch: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var out []string
	var id, kind string
	sc := bufio.NewScanner(resp.Body)
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			var e api.Entry
			if err := json.Unmarshal([]byte(line[6:]), &e); err != nil {
				t.Fatal(err)
			}
			out = append(out, id+" "+kind+" "+e.Key)
		}
	}
	if len(out) < n {
		t.Fatalf("watch ended after %q: %v", out, sc.Err())
	}
	return out
}

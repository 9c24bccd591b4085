package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/sqldict/sqldict/api"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// openAPIPath is the published description of serve's routes.
const openAPIPath = "../docs/openapi.yaml"

// apiCase is one request of TestServe_OpenAPI: op is the description's
// "METHOD /path/{template}", which the case covers.
type apiCase struct {
	op, method, path, body string
	hdr                    []string
	status                 int
}

// openAPICases walks every operation of docs/openapi.yaml, with successes
// and the error codes a client meets, in an order that builds on itself.
func openAPICases() []apiCase {
	const k, keys = "/v1/{table}/keys/{key}", "/v1/{table}/keys"
	return []apiCase{
		{"GET /healthz", "GET", "/healthz", "", nil, 200},
		{"PUT " + k, "PUT", "/v1/sqldict/keys/a", "one", []string{"X-Sqldict-Author", "ana", "X-Sqldict-Comment", "first%20write"}, 201},
		{"PUT " + k, "PUT", "/v1/sqldict/keys/a", "two", []string{"If-Match", `"1"`}, 200},
		{"PUT " + k, "PUT", "/v1/sqldict/keys/a", "x", []string{"If-Match", `"1"`}, 412},
		{"PUT " + k, "PUT", "/v1/sqldict/keys/cfg%2Fb", "bee", []string{"If-None-Match", "*"}, 201},
		{"PUT " + k, "PUT", "/v1/other/keys/a", "x", nil, 404},
		{"GET " + k, "GET", "/v1/sqldict/keys/a", "", nil, 200},
		{"GET " + k, "GET", "/v1/sqldict/keys/a?at=1", "", nil, 200},
		{"GET " + k, "GET", "/v1/sqldict/keys/a", "", []string{"If-None-Match", `"2"`}, 304},
		{"GET " + k, "GET", "/v1/sqldict/keys/nothing", "", nil, 404},
		{"GET " + k, "GET", "/v1/sqldict/keys/a?at=99", "", nil, 422},
		{"GET " + k, "GET", "/v1/sqldict/keys/a?as_of=yesterday", "", nil, 400},
		{"HEAD " + k, "HEAD", "/v1/sqldict/keys/a", "", nil, 200},
		{"DELETE " + k, "DELETE", "/v1/sqldict/keys/cfg%2Fb", "", nil, 200},
		{"DELETE " + k, "DELETE", "/v1/sqldict/keys/cfg%2Fb", "", nil, 404},
		{"POST /v1/{table}/commit", "POST", "/v1/sqldict/commit", `{"writes":[{"key":"x1","value":"MQ==","if_version":0,"author":"bo"},{"key":"a","delete":true}]}`, nil, 200},
		{"POST /v1/{table}/commit", "POST", "/v1/sqldict/commit", `{"writes":[{"key":"x1","value":"Mg==","if_version":0}]}`, nil, 412},
		{"GET " + keys, "GET", "/v1/sqldict/keys?limit=1", "", nil, 200},
		{"GET " + keys, "GET", "/v1/sqldict/keys?prefix=x&from=a&to=z&at=5", "", nil, 200},
		{"GET " + keys, "GET", "/v1/sqldict/keys?limit=-1", "", nil, 400},
		{"GET /v1/{table}/entries", "GET", "/v1/sqldict/entries?prefix=x", "", nil, 200},
		{"GET /v1/{table}/history/{key}", "GET", "/v1/sqldict/history/a", "", nil, 200},
		{"GET /v1/{table}/history/{key}", "GET", "/v1/sqldict/history/a?version=1", "", nil, 200},
		{"GET /v1/{table}/history/{key}", "GET", "/v1/sqldict/history/a?version=99", "", nil, 404},
		{"GET /v1/{table}/history/{key}", "GET", "/v1/sqldict/history/a?version=x", "", nil, 400},
		{"GET /v1/{table}/log", "GET", "/v1/sqldict/log?after=0&limit=10", "", nil, 200},
		{"GET /v1/{table}/diff", "GET", "/v1/sqldict/diff?from=0&to=6", "", nil, 200},
		{"GET /v1/{table}/stat", "GET", "/v1/sqldict/stat", "", nil, 200},
		{"GET /v1/{table}/watch", "GET", "/v1/sqldict/watch?after=0", "", nil, 200},
		{"POST /v1/{table}/prune", "POST", "/v1/sqldict/prune", `{"keep_versions":1}`, nil, 200},
		{"GET " + k, "GET", "/v1/sqldict/keys/a?at=1", "", nil, 410},
		{"GET /v1/{table}/history/{key}", "GET", "/v1/sqldict/history/a?version=1", "", nil, 410},
		{"POST /v1/{table}/prune", "POST", "/v1/sqldict/prune", `{"keep_versions":"one"}`, nil, 400},
		{"GET /metrics", "GET", "/metrics", "", nil, 200},
	}
}

// TestServe_OpenAPI checks docs/openapi.yaml: it is a valid OpenAPI 3.1
// document, every operation it describes is exercised, and every request
// and real response of serve, errors included, validate against it.
func TestServe_OpenAPI(t *testing.T) {
	spec, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatalf("parse %s: %v", openAPIPath, err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator for %s: %v", openAPIPath, errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s is not valid OpenAPI: %s: %s", openAPIPath, e.Message, e.Reason)
		}
		t.FailNow()
	}
	checkCoverage(t, doc, openAPICases())

	p := serve(t, sqliteURL(t))
	for _, c := range openAPICases() {
		req, resp := exchange(t, p.URL, c)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-ndjson") {
			checkLines(t, c, resp) // the validator decodes a body as one JSON value
			continue
		}
		validate := v.ValidateHttpRequestResponse
		if c.status == http.StatusBadRequest { // the request breaks the description on purpose
			validate = v.ValidateHttpResponse
		}
		if ok, verrs := validate(req, resp); !ok {
			for _, e := range verrs {
				t.Errorf("%s %s (%d): %s: %s", c.method, c.path, resp.StatusCode, e.Message, e.Reason)
			}
		}
	}
}

// checkLines checks a JSON Lines answer: every line is an Entry, the
// description's schema, with no member it lacks.
func checkLines(t *testing.T, c apiCase, resp *http.Response) {
	t.Helper()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		var e api.Entry
		if err := dec.Decode(&e); err != nil || e.Sequence < 1 || e.Version < 1 || e.Created == "" {
			t.Errorf("%s %s: line %s is no Entry (%v)", c.method, c.path, sc.Text(), err)
		}
	}
}

// exchange sends c to the server at base and returns a fresh copy of the
// request and the response with its body read, both readable again for the
// validator. A watch stream is read up to its first event.
func exchange(t *testing.T, base string, c apiCase) (*http.Request, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(newRequest(t, ctx, base, c))
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	var body []byte
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body = firstEvent(t, resp.Body)
	} else if body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatalf("%s %s: read body: %v", c.method, c.path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return newRequest(t, context.Background(), base, c), resp
}

func newRequest(t *testing.T, ctx context.Context, base string, c apiCase) *http.Request {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, base+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(c.hdr); i += 2 {
		req.Header.Set(c.hdr[i], c.hdr[i+1])
	}
	if strings.HasPrefix(c.body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else if c.body != "" {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	return req
}

// firstEvent reads a Server-Sent Events stream up to the end of its first
// event (a blank line after a data: line).
func firstEvent(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var out bytes.Buffer
	sc := bufio.NewScanner(r)
	seenData := false
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		seenData = seenData || strings.HasPrefix(sc.Text(), "data:")
		if seenData && sc.Text() == "" {
			return out.Bytes()
		}
	}
	t.Fatalf("watch stream ended before its first event (%v): %q", sc.Err(), out.String())
	return nil
}

// checkCoverage fails unless cases exercise exactly the operations the
// description has, so that a route added on one side shows.
func checkCoverage(t *testing.T, doc libopenapi.Document, cases []apiCase) {
	t.Helper()
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build model: %v", err)
	}
	var described, covered []string
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			described = append(described, strings.ToUpper(method)+" "+path)
		}
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if !seen[c.op] {
			seen[c.op] = true
			covered = append(covered, c.op)
		}
	}
	sort.Strings(described)
	sort.Strings(covered)
	if strings.Join(described, "\n") != strings.Join(covered, "\n") {
		t.Fatalf("the cases cover\n%s\nbut %s describes\n%s", strings.Join(covered, "\n"), openAPIPath, strings.Join(described, "\n"))
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServe_SettingsPrecedence: a flag wins over SQLDICT_*, which wins
// over the config file, which wins over the default. Each source gives
// --idle-conns a different invalid value; the refusal names the winner.
func TestServe_SettingsPrecedence(t *testing.T) {
	c := newCLI(t)
	conf := c.file("serve.json", `{"idle-conns": -1, "listen": "127.0.0.1:0"}`)
	t.Setenv("SQLDICT_CONFIG", "")
	t.Setenv("SQLDICT_IDLE_CONNS", "-2")
	c.fails(exitUsage, "--idle-conns -3:", "", "serve", "--config", conf, "--idle-conns", "-3")
	c.fails(exitUsage, "--idle-conns -2:", "", "serve", "--config", conf)
	t.Setenv("SQLDICT_IDLE_CONNS", "")
	c.fails(exitUsage, "--idle-conns -1:", "", "serve", "--config", conf)
	t.Setenv("SQLDICT_CONFIG", conf)
	c.fails(exitUsage, "--idle-conns -1:", "", "serve")
	c.fails(exitUsage, "--idle-conns -4:", "", "serve", "--idle-conns", "-4")

	// Mistakes in either source are usage errors naming it.
	t.Setenv("SQLDICT_CONFIG", "")
	t.Setenv("SQLDICT_HEARTBEAT", "often")
	c.fails(exitUsage, "$SQLDICT_HEARTBEAT: invalid value", "", "serve")
	t.Setenv("SQLDICT_HEARTBEAT", "")
	for content, want := range map[string]string{
		`{"lisen": ":0"}`:           `unknown setting "lisen"; did you mean "listen"?`,
		`{"listen": [":0", ":1"]}`:  "listen: takes one value, not a list",
		`{"idle-conns": {"n": 1}}`:  "want a string, a number or a boolean",
		`["listen"]`:                "want a JSON object of flag names",
		`{"log-format": "yaml"}`:    `--log-format "yaml": want text or json`,
		`{"heartbeat": "soon"}`:     "heartbeat: invalid value",
		`{"table": ["a", "Bad-1"]}`: "table name",
		`{"json": true}`:            `unknown setting "json"`,
	} {
		c.fails(exitUsage, want, "", "serve", "--config", c.file("bad.json", content))
	}
	c.fails(exitError, "no such file", "", "serve", "--config", c.dir+"/missing.json")
}

// serveRun starts 'sqldict serve' with args and returns its base URL and
// a stop function returning its exit code and stderr (read only once it
// has returned).
func serveRun(t *testing.T, c *cli, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := Run(ctx, append([]string{"--db", c.url, "serve"}, args...), strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- code
	}()
	stop := func() (int, string) {
		cancel()
		select {
		case code := <-done:
			return code, stderr.String()
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop within 20s")
			return -1, ""
		}
	}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(pr)
		s.Scan()
		line <- s.Text()
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case l := <-line:
		if _, addr, ok := strings.Cut(l, "listening on "); ok {
			return addr, stop
		}
		code, errs := stop()
		t.Fatalf("serve printed %q, exit %d, stderr %q", l, code, errs)
	case <-time.After(20 * time.Second):
		code, errs := stop()
		t.Fatalf("serve did not listen within 20s; exit %d, stderr %q", code, errs)
	}
	return "", nil
}

// TestServe_ConfigAndJSONLogs: serve takes its tables and log format from
// the environment and the config file, and logs JSON lines.
func TestServe_ConfigAndJSONLogs(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v", "--table", "one")
	t.Setenv("SQLDICT_TABLE", "one,two")
	t.Setenv("SQLDICT_CONFIG", c.file("serve.json", `{"listen": "127.0.0.1:0", "log-format": "json", "table": ["ignored"]}`))
	base, stop := serveRun(t, c)
	client := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{"/v1/one/keys", "/v1/two/keys", "/v1/ignored/keys"} {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusOK
		if path == "/v1/ignored/keys" {
			want = http.StatusNotFound // the environment's tables win
		}
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	code, stderr := stop()
	if code != exitOK {
		t.Fatalf("serve exited %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) < 3 {
		t.Fatalf("stderr %q: want a log line per request", stderr)
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["msg"] == nil || rec["level"] == nil {
			t.Errorf("log line %q is not a JSON record: %v", l, err)
		}
	}
	if !strings.Contains(stderr, fmt.Sprintf("%q", "/v1/two/keys")) {
		t.Errorf("the logs do not mention the request: %s", stderr)
	}
}

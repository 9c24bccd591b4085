package server_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/server"
)

func writeTokens(t *testing.T, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// eventually retries check every 20 ms until it returns "" or 10 s pass.
func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func statusWith(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServe_ReloadTokens: SIGHUP swaps the tokens without dropping an open
// connection; a broken file keeps the old ones and the log says why.
func TestServe_ReloadTokens(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.txt")
	writeTokens(t, file, "oldtok-1 read\n")
	p := serve(t, sqliteURL(t), "--tokens", file)
	url := p.URL + "/v1/sqldict/stat"
	do(t, "GET", url, "", "Authorization", "Bearer oldtok-1").want(200)
	// A watch stream open across the reload must stay open.
	stream, err := http.NewRequest("GET", p.URL+"/v1/sqldict/watch", nil)
	if err != nil {
		t.Fatal(err)
	}
	stream.Header.Set("Authorization", "Bearer oldtok-1")
	resp, err := http.DefaultClient.Do(stream)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("watch: %v %v", resp, err)
	}
	defer resp.Body.Close()

	writeTokens(t, file, "newtok-2 write\n")
	p.Signal(syscall.SIGHUP)
	eventually(t, "new token after SIGHUP", func() string {
		if c := statusWith(t, url, "newtok-2"); c != 200 {
			return http.StatusText(c)
		}
		return ""
	})
	do(t, "GET", url, "", "Authorization", "Bearer oldtok-1").wantErr(401, "unauthorized")

	writeTokens(t, file, "brokentok-3 superuser\n")
	p.Signal(syscall.SIGHUP)
	eventually(t, "log of the failed reload", func() string {
		if !strings.Contains(p.Stderr(), "reload tokens failed") {
			return "no log line"
		}
		return ""
	})
	do(t, "GET", url, "", "Authorization", "Bearer newtok-2").want(200)
	do(t, "GET", url, "", "Authorization", "Bearer brokentok-3").wantErr(401, "unauthorized")
	if strings.Contains(p.Stderr(), "brokentok") {
		t.Fatalf("the log shows a token:\n%s", p.Stderr())
	}

	// The watch stream opened before both reloads still delivers.
	do(t, "PUT", p.URL+"/v1/sqldict/keys/k", "v", "Authorization", "Bearer newtok-2").want(201)
	buf := make([]byte, 4096)
	got := ""
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !strings.Contains(got, `"k"`) {
			n, err := resp.Body.Read(buf)
			got += string(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("watch stream delivered nothing within 10s")
	}
	if !strings.Contains(got, `"k"`) {
		t.Fatalf("watch stream ended across the reloads: %q", got)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}

// TestParseTokens_NoEcho: a malformed line's error names the line, not
// the token, whichever field is wrong.
func TestParseTokens_NoEcho(t *testing.T) {
	for _, text := range []string{"read s3cr3t-tok\n", "s3cr3t-tok\n", "admin read s3cr3t-tok\n", "x read\ns3cr3t-tok bogus\n"} {
		_, err := server.ParseTokens(strings.NewReader(text))
		if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "line") {
			t.Errorf("%q: error %v; want one naming the line without the token", text, err)
		}
	}
}

// TestServe_BearerCase: the scheme name is case-insensitive.
func TestServe_BearerCase(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.txt")
	writeTokens(t, file, "tok-1 read\n")
	p := serve(t, sqliteURL(t), "--tokens", file)
	url := p.URL + "/v1/sqldict/stat"
	for _, h := range []string{"bearer tok-1", "BEARER tok-1", "Bearer  tok-1"} {
		do(t, "GET", url, "", "Authorization", h).want(200)
	}
	for _, h := range []string{"Basic tok-1", "Bearertok-1", "tok-1"} {
		do(t, "GET", url, "", "Authorization", h).wantErr(401, "unauthorized")
	}
}

// TestServe_MetricsScoped: with tokens /metrics needs one and shows the
// series of its tables only; /ui/ lists only the caller's tables.
func TestServe_MetricsScoped(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.txt")
	writeTokens(t, file, "alltok-1 admin\nothertok-2 read other\n")
	p := serve(t, sqliteURL(t), "--table", "sqldict", "--table", "other", "--tokens", file)
	for _, table := range []string{"sqldict", "other"} {
		do(t, "PUT", p.URL+"/v1/"+table+"/keys/k", "v", "Authorization", "Bearer alltok-1").want(201)
	}
	do(t, "GET", p.URL+"/metrics", "").wantErr(401, "unauthorized")
	do(t, "GET", p.URL+"/metrics", "", "Authorization", "Bearer nosuch").wantErr(401, "unauthorized")
	all := do(t, "GET", p.URL+"/metrics", "", "Authorization", "Bearer alltok-1").want(200).body
	other := do(t, "GET", p.URL+"/metrics", "", "Authorization", "Bearer othertok-2").want(200).body
	for _, c := range []struct {
		page, series string
		want         bool
	}{
		{all, `sqldict_commits_total{table="sqldict"}`, true},
		{all, `sqldict_commits_total{table="other"}`, true},
		{other, `sqldict_commits_total{table="other"}`, true},
		{other, `table="sqldict"`, false},
		{other, `sqldict_http_requests_total{`, true},
	} {
		if strings.Contains(c.page, c.series) != c.want {
			t.Errorf("metrics page has %s: %v, want %v", c.series, !c.want, c.want)
		}
	}

	cookie := []string{"Cookie", server.UICookie + "=othertok-2"}
	page := do(t, "GET", p.URL+"/ui/", "", cookie...).want(200).body
	if !strings.Contains(page, `href="/ui/other/"`) || strings.Contains(page, `/ui/sqldict/`) {
		t.Fatalf("/ui/ for a token of table other:\n%s", page)
	}
}

// TestServe_MetricsMethods: invented methods share one label value, so the
// number of series stays bounded.
func TestServe_MetricsMethods(t *testing.T) {
	p := serve(t, sqliteURL(t))
	series := func() int {
		page := do(t, "GET", p.URL+"/metrics", "").want(200).body
		return strings.Count(page, "sqldict_http_requests_total{")
	}
	send := func(prefix string, n int) {
		for i := range n {
			req, _ := http.NewRequest(fmt.Sprintf("%s%d", prefix, i), p.URL+"/v1/sqldict/stat", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	send("INVENTED", 50)
	before := series()
	send("MADEUP", 200)
	if after := series(); after > before+1 {
		t.Fatalf("200 invented methods made %d request series (from %d)", after, before)
	}
	if page := do(t, "GET", p.URL+"/metrics", "").body; !strings.Contains(page, `method="OTHER"`) || strings.Contains(page, "MADEUP") {
		t.Fatal(`invented methods are not counted as method="OTHER"`)
	}
}

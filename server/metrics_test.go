package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// metricValue returns the value of the sample named series (name and
// labels exactly as exposed) in a Prometheus text page, or fails.
func metricValue(t *testing.T, page, series string) float64 {
	t.Helper()
	for line := range strings.Lines(page) {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("%s: %v", series, err)
			}
			return v
		}
	}
	t.Fatalf("no sample %s in\n%s", series, page)
	return 0
}

// TestServe_GroupCommitMetric: 16 concurrent PUTs move the group-commit
// batch-size histogram by exactly 16 callers and 16 rows, in 1 to 16
// batches, and every bucket agrees with the count.
func TestServe_GroupCommitMetric(t *testing.T) {
	const puts = 16
	p := serve(t, sqliteURL(t))
	const (
		sum   = `sqldict_group_commit_batch_size_sum{table="sqldict"}`
		count = `sqldict_group_commit_batch_size_count{table="sqldict"}`
		rows  = `sqldict_group_commit_rows_total{table="sqldict"}`
		le1   = `sqldict_group_commit_batch_size_bucket{table="sqldict",le="1"}`
		le16  = `sqldict_group_commit_batch_size_bucket{table="sqldict",le="16"}`
		inf   = `sqldict_group_commit_batch_size_bucket{table="sqldict",le="+Inf"}`
	)
	before := do(t, "GET", p.URL+"/metrics", "").want(200).body
	for _, s := range []string{sum, count, rows, inf} {
		if v := metricValue(t, before, s); v != 0 {
			t.Fatalf("before any write: %s = %v", s, v)
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, puts)
	for i := range puts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/v1/sqldict/keys/k%02d", p.URL, i), strings.NewReader("v"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				errs <- fmt.Errorf("PUT k%02d: status %d", i, resp.StatusCode)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	after := do(t, "GET", p.URL+"/metrics", "").want(200).body
	if v := metricValue(t, after, sum); v != puts {
		t.Fatalf("%s = %v, want %d callers", sum, v, puts)
	}
	if v := metricValue(t, after, rows); v != puts {
		t.Fatalf("%s = %v, want %d rows", rows, v, puts)
	}
	n := metricValue(t, after, count)
	if n < 1 || n > puts {
		t.Fatalf("%s = %v, want 1..%d batches", count, n, puts)
	}
	if metricValue(t, after, inf) != n || metricValue(t, after, le16) != n || metricValue(t, after, le1) > n {
		t.Fatalf("buckets disagree with the count %v:\n%s", n, after)
	}
	t.Logf("%d concurrent PUTs committed in %v transactions", puts, n)
}

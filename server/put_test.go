package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// TestServe_PutStatusUnderRace: PUTs and DELETEs of one key race; every
// PUT answers 201 exactly when the version before its own was a tombstone
// (or it wrote version 1), 200 exactly when that version was live, as the
// journal's history shows afterwards.
func TestServe_PutStatusUnderRace(t *testing.T) {
	const writers, rounds = 8, 15
	p := serve(t, sqliteURL(t))
	url := p.URL + "/v1/sqldict/keys/k"
	type put struct {
		version int64
		status  int
	}
	var mu sync.Mutex
	var puts []put
	errs := make(chan error, 2*writers)
	var wg sync.WaitGroup
	for g := range 2 * writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				method := "PUT"
				if g%2 == 1 {
					method = "DELETE"
				}
				req, _ := http.NewRequest(method, url, strings.NewReader(fmt.Sprint(g, i)))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				switch {
				case method == "DELETE" && (resp.StatusCode == 200 || resp.StatusCode == 404):
				case method == "PUT" && (resp.StatusCode == 200 || resp.StatusCode == 201):
					v, err := strconv.ParseInt(strings.Trim(resp.Header.Get("ETag"), `"`), 10, 64)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					puts = append(puts, put{v, resp.StatusCode})
					mu.Unlock()
				default:
					errs <- fmt.Errorf("%s: status %d", method, resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	hist, err := p.Dict(sqldict.DefaultTable).History(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, pu := range puts {
		want := http.StatusOK
		if pu.version == 1 || hist[pu.version-2].Deleted {
			want = http.StatusCreated
			created++
		}
		if pu.status != want {
			t.Fatalf("PUT wrote version %d: status %d, want %d (version %d deleted: %v)", pu.version, pu.status, want, pu.version-1, pu.version > 1 && hist[pu.version-2].Deleted)
		}
	}
	t.Logf("%d PUTs, %d of them over a tombstone or new", len(puts), created)
}

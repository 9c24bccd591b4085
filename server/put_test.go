package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
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

// TestServe_PutStatusAfterOtherWriters: a write another process made
// between two PUTs decides the second one's status.
func TestServe_PutStatusAfterOtherWriters(t *testing.T) {
	p := serve(t, sqliteURL(t))
	url := p.URL + "/v1/sqldict/keys/k"
	d := p.Dict(sqldict.DefaultTable)
	ctx := t.Context()
	do(t, "PUT", url, "1").want(201).header("ETag", `"1"`)
	do(t, "PUT", url, "2").want(200).header("ETag", `"2"`)
	sqldicttest.Must(t, d.Delete(ctx, "k")) // version 3, behind the server's back
	do(t, "PUT", url, "4").want(201).header("ETag", `"4"`)
	do(t, "DELETE", url, "").want(200).header("ETag", `"5"`)
	sqldicttest.Must(t, d.Set(ctx, "k", []byte("6")))
	do(t, "PUT", url, "7").want(200).header("ETag", `"7"`)
	do(t, "DELETE", url, "").want(200).header("ETag", `"8"`)
	do(t, "PUT", url, "9").want(201).header("ETag", `"9"`)
	_, err := d.Commit(ctx, sqldict.Write{Key: "k", Delete: true}, sqldict.Write{Key: "j", Value: []byte("x")})
	sqldicttest.Must(t, err)
	do(t, "PUT", url, "11").want(201).header("ETag", `"11"`)
	do(t, "PUT", p.URL+"/v1/sqldict/keys/j", "y").want(200).header("ETag", `"2"`)
}

package servetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// CASRace serves a journal of db (table; "" for the default) with the
// binary and has 16 clients race compare-and-set over HTTP on one key,
// round after round: exactly one wins each version, the others get the
// conflict with the versions, and no update is lost. The server package
// runs it on SQLite, the integration module on MariaDB and PostgreSQL.
func CASRace(t *testing.T, db, table string) {
	const clients, rounds = 16, 12
	if table == "" {
		table = sqldict.DefaultTable
	}
	p := Start(t, db, "--table", table)
	ctx := t.Context()
	cs := make([]*client.Client, clients)
	for i := range cs {
		c, err := client.New(p.URL, client.Options{Table: table})
		if err != nil {
			t.Fatal(err)
		}
		cs[i] = c
	}
	sqldicttest.Must(t, cs[0].Set(ctx, "counter", []byte("start")))
	winners := make([]int, rounds)
	for r := 1; r <= rounds; r++ {
		start := make(chan struct{})
		var wg sync.WaitGroup
		var won atomic.Int32
		errs := make(chan error, clients)
		for i, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := c.Commit(ctx, sqldict.Write{Key: "counter", Value: fmt.Appendf(nil, "%d", i), IfVersion: sqldict.Expect(int64(r))})
				var ce *sqldict.ConflictError
				switch {
				case err == nil:
					won.Add(1)
					winners[r-1] = i
				case errors.As(err, &ce) && errors.Is(err, sqldict.ErrConflict):
					if ce.Key != "counter" || ce.Expected != int64(r) || ce.Actual != int64(r+1) {
						errs <- fmt.Errorf("round %d: conflict %+v", r, ce)
					}
				default:
					errs <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := won.Load(); n != 1 {
			t.Fatalf("round %d: %d winners, want exactly 1", r, n)
		}
	}
	hist, err := cs[0].History(ctx, "counter")
	sqldicttest.Must(t, err)
	if len(hist) != rounds+1 {
		t.Fatalf("history has %d versions, want %d", len(hist), rounds+1)
	}
	for r := 1; r <= rounds; r++ {
		if got, want := string(hist[r].Value), fmt.Sprint(winners[r-1]); got != want {
			t.Fatalf("version %d holds %q, the winner was %s", r+1, got, want)
		}
	}
	sqldicttest.CheckInvariants(t, p.Dict(table))
}

// SIGTERMDuringWrites serves a journal of db (table; "" for the default)
// with the binary, has 64 clients commit pairs of keys and sends the server
// SIGTERM meanwhile. It must exit 0; every acknowledged commit must be in
// the journal, every other one entirely in or entirely absent.
func SIGTERMDuringWrites(t *testing.T, db, table string) {
	const clients = 64
	if table == "" {
		table = sqldict.DefaultTable
	}
	p := Start(t, db, "--table", table, "--shutdown-timeout", "30s")
	ctx := t.Context()
	type attempt struct {
		key   string
		acked bool
	}
	var mu sync.Mutex
	var attempts []attempt
	var acked atomic.Int64
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for g := range clients {
		c, err := client.New(p.URL, client.Options{Table: table})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("g%02d/%04d", g, i)
				v := []byte(key)
				_, err := c.Commit(ctx, sqldict.Write{Key: key + "/a", Value: v}, sqldict.Write{Key: key + "/b", Value: v})
				mu.Lock()
				attempts = append(attempts, attempt{key, err == nil})
				mu.Unlock()
				if err != nil {
					return // the server is gone
				}
				if acked.Add(1) >= 4*clients {
					once.Do(func() { close(enough) })
				}
			}
		}()
	}
	<-enough
	if err := p.Stop(); err != nil {
		t.Fatalf("serve after SIGTERM: %v, want exit 0\n%s", err, p.Stderr())
	}
	wg.Wait()

	d := p.Dict(table)
	in := 0
	for _, a := range attempts {
		_, errA := d.Get(ctx, a.key+"/a")
		_, errB := d.Get(ctx, a.key+"/b")
		switch {
		case errA == nil && errB == nil:
			in++
		case a.acked:
			t.Errorf("acknowledged commit %s is not in the journal: %v, %v", a.key, errA, errB)
		case errors.Is(errA, sqldict.ErrNotFound) != errors.Is(errB, sqldict.ErrNotFound):
			t.Errorf("unacknowledged commit %s is half in the journal: %v, %v", a.key, errA, errB)
		}
	}
	if in < int(acked.Load()) {
		t.Fatalf("%d commits in the journal, %d acknowledged", in, acked.Load())
	}
	t.Logf("%d commits tried, %d acknowledged, %d in the journal", len(attempts), acked.Load(), in)
	sqldicttest.CheckInvariants(t, d)
}

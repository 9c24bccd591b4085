package server_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestServe_SnapshotSameAsDict: snapshot.AsOf, At and Diff through a client
// give exactly what they give on the Dict the server serves, read side by
// side on one journal: the sequence and time a time resolves to, every live
// entry, and every change with both entries.
func TestServe_SnapshotSameAsDict(t *testing.T) {
	ctx := context.Background()
	table := sqldicttest.UniqueTable()
	p := serve(t, sqliteURL(t), "--table", table)
	d := p.Dict(table)
	c, err := client.New(p.URL, client.Options{Table: table})
	sqldicttest.Must(t, err)
	t.Cleanup(func() { c.Close() })
	var times []time.Time
	for i := range 12 {
		ws := []sqldict.Write{{Key: fmt.Sprintf("k%d", i%5), Value: []byte{byte(i)}, Author: "ana"}}
		if i%4 == 3 {
			ws = append(ws, sqldict.Write{Key: fmt.Sprintf("k%d", (i+2)%5), Delete: true})
		}
		es, err := c.Commit(ctx, ws...)
		sqldicttest.Must(t, err)
		times = append(times, es[0].Created, es[0].Created.Add(-time.Microsecond))
	}
	var prev [2]*snapshot.View
	for _, at := range times {
		var views [2]*snapshot.View
		for i, s := range []sqldict.Store{d, c} {
			views[i], err = snapshot.AsOf(ctx, s, at)
			sqldicttest.Must(t, err)
		}
		sameView(t, at, views)
		if prev[0] != nil {
			var diffs [2][]snapshot.Change
			for i := range 2 {
				diffs[i], err = snapshot.Diff(ctx, prev[i], views[i])
				sqldicttest.Must(t, err)
			}
			if !reflect.DeepEqual(diffs[0], diffs[1]) {
				t.Fatalf("Diff(%d, %d): Dict %+v, client %+v", prev[0].Sequence(), views[0].Sequence(), diffs[0], diffs[1])
			}
		}
		prev = views
	}
}

// sameView fails unless the Dict's and the client's views read the same.
func sameView(t *testing.T, at time.Time, v [2]*snapshot.View) {
	t.Helper()
	if v[0].Sequence() != v[1].Sequence() || !v[0].Time().Equal(v[1].Time()) {
		t.Fatalf("AsOf(%v): Dict at %d (%v), client at %d (%v)", at, v[0].Sequence(), v[0].Time(), v[1].Sequence(), v[1].Time())
	}
	var all [2][]sqldict.Entry
	for i := range 2 {
		v2, err := snapshot.At(context.Background(), v[i].Store(), v[i].Sequence())
		sqldicttest.Must(t, err)
		for e, err := range v2.All(context.Background()) {
			sqldicttest.Must(t, err)
			e.Created = e.Created.UTC()
			all[i] = append(all[i], e)
		}
	}
	if !reflect.DeepEqual(all[0], all[1]) {
		t.Fatalf("at %d: Dict reads %+v, client %+v", v[0].Sequence(), all[0], all[1])
	}
}

package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
)

// healthz answers ok when every served journal's meta row can be read.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *sqldict.Dict) error {
	for _, d := range s.cfg.Tables {
		if _, err := d.Stat(r.Context()); err != nil {
			return &apiError{http.StatusServiceUnavailable, api.CodeUnavailable, fmt.Sprintf("table %s: %v", d.Table(), err)}
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
	return nil
}

// stat answers the journal's head, horizon and number of live keys at a
// point (the head by default).
func (s *Server) stat(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	ctx := r.Context()
	st, err := d.Stat(ctx)
	if err != nil {
		return err
	}
	snap, err := point(ctx, r, d)
	if err != nil {
		return err
	}
	n, err := snap.Len(ctx)
	if err != nil {
		return err
	}
	setSequence(w, snap.Sequence())
	return writeJSON(w, http.StatusOK, api.Stat{
		Sequence: snap.Sequence(), Created: api.FormatTime(snap.Time()), Horizon: st.Horizon, Keys: n,
	})
}

// diff answers the changes between two points.
func (s *Server) diff(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	ctx := r.Context()
	q := r.URL.Query()
	from, _, err := pointSeq(ctx, q, "from", "from_time", d)
	if err != nil {
		return err
	}
	to, ok, err := pointSeq(ctx, q, "to", "to_time", d)
	if err != nil {
		return err
	}
	if !ok {
		st, err := d.Stat(ctx)
		if err != nil {
			return err
		}
		to = st.Sequence
	}
	a, err := snapshot.At(ctx, d, from)
	if err != nil {
		return err
	}
	b, err := snapshot.At(ctx, d, to)
	if err != nil {
		return err
	}
	changes, err := snapshot.Diff(ctx, a, b)
	if err != nil {
		return err
	}
	out := make([]api.Change, len(changes))
	for i, c := range changes {
		out[i] = api.Change{Key: c.Key, Kind: c.Kind.String(), Before: entryPtr(c.Before), After: entryPtr(c.After)}
	}
	setSequence(w, to)
	return writeJSON(w, http.StatusOK, out)
}

func entryPtr(e *sqldict.Entry) *api.Entry {
	if e == nil {
		return nil
	}
	j := api.EntryJSON(*e, true)
	return &j
}

// prune runs a compaction by the policy in the body.
func (s *Server) prune(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	var p api.PrunePolicy
	if err := decodeJSON(w, r, 1<<16, &p); err != nil {
		return err
	}
	pol, err := prunePolicy(p)
	if err != nil {
		return err
	}
	res, err := prune.Compact(r.Context(), d, pol)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.PruneResult{Removed: res.Removed, Batches: res.Batches, Horizon: res.Horizon})
}

// prunePolicy converts p to a prune.Policy.
func prunePolicy(p api.PrunePolicy) (prune.Policy, error) {
	if p.KeepVersions < 0 || p.Through < 0 || p.BatchSize < 0 {
		return prune.Policy{}, badArg("prune policy: keep_versions, through and batch_size must not be negative")
	}
	pol := prune.Policy{KeepVersions: p.KeepVersions, Through: p.Through, DropDeleted: p.DropDeleted, BatchSize: p.BatchSize}
	if p.KeepFor != "" {
		d, err := time.ParseDuration(p.KeepFor)
		if err != nil || d < 0 {
			return prune.Policy{}, badArg(fmt.Sprintf("prune policy: keep_for %q: want a duration like 720h", p.KeepFor))
		}
		pol.KeepFor = d
	}
	if p.Before != "" {
		t, err := time.Parse(time.RFC3339Nano, p.Before)
		if err != nil {
			return prune.Policy{}, badArg(fmt.Sprintf("prune policy: before %q: want an RFC 3339 time", p.Before))
		}
		pol.Before = t
	}
	return pol, nil
}

package server

import (
	"fmt"
	"net/http"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// commit applies a batch of writes atomically.
func (s *Server) commit(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	var req api.CommitRequest
	if err := decodeJSON(w, r, s.cfg.MaxCommitBytes, &req); err != nil {
		return err
	}
	writes := make([]sqldict.Write, len(req.Writes))
	for i, cw := range req.Writes {
		if cw.Delete && cw.Value != nil {
			return badArg(fmt.Sprintf("writes[%d]: a delete has no value", i))
		}
		wr := sqldict.Write{Key: cw.Key, Value: cw.Value, Delete: cw.Delete, Author: cw.Author, Comment: cw.Comment}
		if !cw.Delete && wr.Value == nil {
			wr.Value = []byte{}
		}
		if cw.IfVersion != nil {
			if *cw.IfVersion < 0 {
				return badArg(fmt.Sprintf("writes[%d]: if_version %d: want 0 or more", i, *cw.IfVersion))
			}
			wr.IfVersion = sqldict.Expect(*cw.IfVersion)
		}
		writes[i] = wr
	}
	es, err := d.Commit(r.Context(), writes...)
	if err != nil {
		return err
	}
	if len(writes) > 0 {
		s.metrics.observeCommit(d.Table(), len(writes))
	}
	out := api.CommitResponse{Entries: make([]api.Entry, len(es))}
	for i, e := range es {
		out.Entries[i] = api.EntryJSON(e, false)
	}
	return writeJSON(w, http.StatusOK, out)
}

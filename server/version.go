package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// version answers history/{key}?version=N: the one entry of that version
// as a JSON entry with its value, a tombstone included, in one round trip
// and one query (Dict.Version). A version never changes once written, so
// X-Sqldict-Sequence is the entry's own sequence: the answer holds at every
// point from there until pruning removes it (then 410 pruned). 404
// not_found when the key never reached N.
func (s *Server) version(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	q := r.URL.Query()
	for _, p := range []string{"at", "as_of", "after", "limit"} {
		if q.Has(p) {
			return fmt.Errorf("%w: version= does not take %s=", sqldict.ErrInvalidArgument, p)
		}
	}
	v, err := strconv.ParseInt(q.Get(api.ParamVersion), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: version=%q is not an integer", sqldict.ErrInvalidArgument, q.Get(api.ParamVersion))
	}
	e, err := d.Version(r.Context(), r.PathValue("key"), v)
	if err != nil {
		return err
	}
	h := w.Header()
	setSequence(w, e.Sequence)
	h.Set("ETag", api.ETag(e.Version))
	h.Set(api.HeaderVersion, strconv.FormatInt(e.Version, 10))
	h.Set(api.HeaderEntrySequence, strconv.FormatInt(e.Sequence, 10))
	h.Set("Content-Type", api.ContentTypeJSON)
	w.WriteHeader(http.StatusOK)
	_ = encodeEntry(w, e)
	return nil
}

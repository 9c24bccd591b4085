package server

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// Scope is what a token may do. Each scope includes the ones below it.
type Scope int

// The scopes, weakest first.
const (
	ScopeNone  Scope = iota // routes anyone may call: /healthz, /metrics
	ScopeRead               // every read
	ScopeWrite              // PUT, DELETE, commit; includes read
	ScopeAdmin              // prune; includes write
)

func (s Scope) String() string {
	switch s {
	case ScopeNone:
		return "none"
	case ScopeRead:
		return "read"
	case ScopeWrite:
		return "write"
	case ScopeAdmin:
		return "admin"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

func parseScope(s string) (Scope, bool) {
	switch s {
	case "read":
		return ScopeRead, true
	case "write":
		return ScopeWrite, true
	case "admin":
		return ScopeAdmin, true
	}
	return ScopeNone, false
}

// grant is one line of a tokens file. Only the token's hash is kept.
type grant struct {
	sum    [sha256.Size]byte
	scope  Scope
	tables []string // nil: every table
}

// Tokens is a parsed tokens file. The zero value grants nothing.
type Tokens struct {
	grants []grant
}

// LoadTokens reads a tokens file: one token a line, "TOKEN SCOPE [TABLE…]",
// scope read, write or admin; no table list grants every table. Blank lines
// and lines starting with # are skipped. Errors name the line, never the
// token.
func LoadTokens(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := ParseTokens(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseTokens reads tokens in the format of LoadTokens.
func ParseTokens(r io.Reader) (*Tokens, error) {
	t := &Tokens{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("%w: line %d: want TOKEN SCOPE [TABLE...]", sqldict.ErrInvalidArgument, n)
		}
		scope, ok := parseScope(f[1])
		if !ok {
			return nil, fmt.Errorf("%w: line %d: scope %q: want read, write or admin", sqldict.ErrInvalidArgument, n, f[1])
		}
		for _, table := range f[2:] {
			if err := sqldict.ValidTable(table); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
		}
		sum := sha256.Sum256([]byte(f[0]))
		for _, g := range t.grants {
			if g.sum == sum {
				return nil, fmt.Errorf("%w: line %d: the token appears twice", sqldict.ErrInvalidArgument, n)
			}
		}
		t.grants = append(t.grants, grant{sum: sum, scope: scope, tables: f[2:]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(t.grants) == 0 {
		return nil, fmt.Errorf("%w: no tokens", sqldict.ErrInvalidArgument)
	}
	return t, nil
}

// lookup finds the grant of token. It compares against every grant, in
// constant time over the tokens' hashes, so neither the position of a match
// nor the token's length shows in the time taken.
func (t *Tokens) lookup(token string) (grant, bool) {
	sum := sha256.Sum256([]byte(token))
	var found grant
	ok := 0
	for _, g := range t.grants {
		if subtle.ConstantTimeCompare(g.sum[:], sum[:]) == 1 {
			found, ok = g, 1
		}
	}
	return found, ok == 1
}

// authorize checks the request's bearer token for scope on table ("" for
// routes about no table). It returns nil when the request may go on.
func (s *Server) authorize(r *http.Request, scope Scope, table string) error {
	if s.cfg.Tokens == nil || scope == ScopeNone {
		return nil
	}
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return &apiError{http.StatusUnauthorized, api.CodeUnauthorized, "missing bearer token (Authorization: Bearer TOKEN)"}
	}
	return s.grants(token, scope, table)
}

// grants checks that token grants scope on table ("" for no table); the
// API's bearer header and the UI's cookie both end here.
func (s *Server) grants(token string, scope Scope, table string) error {
	g, ok := s.cfg.Tokens.lookup(token)
	if !ok {
		return &apiError{http.StatusUnauthorized, api.CodeUnauthorized, "unknown token"}
	}
	if table != "" && len(g.tables) > 0 && !slices.Contains(g.tables, table) {
		return &apiError{http.StatusForbidden, api.CodeForbidden, fmt.Sprintf("token not granted table %q", table)}
	}
	if g.scope < scope {
		return &apiError{http.StatusForbidden, api.CodeForbidden, fmt.Sprintf("token has scope %s, route needs %s", g.scope, scope)}
	}
	return nil
}

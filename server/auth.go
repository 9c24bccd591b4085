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
			// The field is not echoed: a line in the wrong order would
			// put the token in the error, and so in logs.
			return nil, fmt.Errorf("%w: line %d: field 2 is not a scope: want TOKEN SCOPE [TABLE...], scope read, write or admin", sqldict.ErrInvalidArgument, n)
		}
		for i, table := range f[2:] {
			if sqldict.ValidTable(table) != nil {
				return nil, fmt.Errorf("%w: line %d: field %d is not a table name", sqldict.ErrInvalidArgument, n, i+3)
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

// SetTokens replaces the tokens every later request is checked against
// (requests already authorized go on): how serve reloads its tokens file.
// A Server created without tokens stays open and refuses, as does nil.
func (s *Server) SetTokens(t *Tokens) error {
	if t == nil || len(t.grants) == 0 {
		return fmt.Errorf("%w: no tokens", sqldict.ErrInvalidArgument)
	}
	if s.tokens.Load() == nil {
		return fmt.Errorf("%w: the server was started without tokens", sqldict.ErrInvalidArgument)
	}
	s.tokens.Store(t)
	return nil
}

// authorize checks the request's bearer token for scope on table ("" for
// routes about no table). It returns nil when the request may go on.
func (s *Server) authorize(r *http.Request, scope Scope, table string) error {
	if s.tokens.Load() == nil || scope == ScopeNone {
		return nil
	}
	token, ok := bearer(r)
	if !ok {
		return &apiError{http.StatusUnauthorized, api.CodeUnauthorized, "missing bearer token (Authorization: Bearer TOKEN)"}
	}
	return s.grants(token, scope, table)
}

// bearer returns the request's bearer token; the scheme's name is
// case-insensitive (RFC 9110 section 11.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimLeft(token, " ")
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// grants checks that token grants scope on table ("" for no table); the
// API's bearer header and the UI's cookie both end here.
func (s *Server) grants(token string, scope Scope, table string) error {
	g, ok := s.tokens.Load().lookup(token)
	if !ok {
		return &apiError{http.StatusUnauthorized, api.CodeUnauthorized, "unknown token"}
	}
	if table != "" && !g.may(table) {
		return &apiError{http.StatusForbidden, api.CodeForbidden, fmt.Sprintf("token not granted table %q", table)}
	}
	if g.scope < scope {
		return &apiError{http.StatusForbidden, api.CodeForbidden, fmt.Sprintf("token has scope %s, route needs %s", g.scope, scope)}
	}
	return nil
}

// may reports whether the grant covers table.
func (g grant) may(table string) bool {
	return len(g.tables) == 0 || slices.Contains(g.tables, table)
}

// tablesOf returns which tables token may see: every one without tokens,
// none for an unknown token.
func (s *Server) tablesOf(token string) func(table string) bool {
	t := s.tokens.Load()
	if t == nil {
		return func(string) bool { return true }
	}
	g, ok := t.lookup(token)
	return func(table string) bool { return ok && g.may(table) }
}

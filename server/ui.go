package server

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// UICookie is the cookie the login form stores the token in.
const UICookie = "sqldict_token"

// uiCSP lets pages load only the server's own script and style and talk
// only to the server: an injected tag could neither run inline script nor
// send anything elsewhere.
const uiCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

//go:embed ui
var uiFiles embed.FS

var uiTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"link": uiLink,
	"keep": keepLink,
}).ParseFS(uiFiles, "ui/*.html"))

// uiFunc renders one page: it returns the template's name and its data.
type uiFunc func(r *http.Request, d *sqldict.Dict) (string, any, error)

// uiRoutes registers the audit pages under /ui/.
func (s *Server) uiRoutes() {
	static, _ := fs.Sub(uiFiles, "ui/static")
	s.mux.Handle("GET /ui/-/static/", s.instrument(uiHeaders(
		http.StripPrefix("/ui/-/static/", http.FileServerFS(static)))))
	s.mux.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	s.mux.Handle("GET /ui/login", s.instrument(uiHeaders(http.HandlerFunc(s.uiLoginForm))))
	s.mux.Handle("POST /ui/login", s.instrument(uiHeaders(http.HandlerFunc(s.uiLogin))))
	s.mux.Handle("POST /ui/logout", s.instrument(uiHeaders(http.HandlerFunc(s.uiLogout))))
	s.uiHandle("GET /ui/{$}", s.uiTables)
	s.uiHandle("GET /ui/{table}/{$}", s.uiKeys)
	s.uiHandle("GET /ui/{table}/key", s.uiKey)
	s.uiHandle("GET /ui/{table}/diff", s.uiDiff)
	// EventSource cannot send an Authorization header: the page's watch
	// stream is the API's, behind the cookie.
	s.mux.Handle("GET /ui/{table}/watch", s.instrument(uiHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := s.uiAuth(r)
		if err == nil {
			err = s.watch(w, r, d)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	}))))
}

// uiHeaders sets the headers every UI answer carries.
func uiHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", uiCSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// uiAuth checks the cookie's token for read on the path's table (when it
// has one) and returns that table's journal.
func (s *Server) uiAuth(r *http.Request) (*sqldict.Dict, error) {
	table := r.PathValue("table")
	if s.tokens.Load() != nil {
		c, err := r.Cookie(UICookie)
		if err != nil || c.Value == "" {
			return nil, &apiError{http.StatusUnauthorized, api.CodeUnauthorized, "not logged in"}
		}
		if err := s.grants(c.Value, ScopeRead, table); err != nil {
			return nil, err
		}
	}
	if table == "" {
		return nil, nil
	}
	if err := sqldict.ValidTable(table); err != nil {
		return nil, err
	}
	d := s.cfg.Tables[table]
	if d == nil {
		return nil, &tableError{table}
	}
	return d, nil
}

// uiHandle registers a page: unauthenticated readers are sent to the login
// form, errors are shown as a page with the API's status.
func (s *Server) uiHandle(pattern string, h uiFunc) {
	s.mux.Handle(pattern, s.instrument(uiHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := s.uiAuth(r)
		if status, _ := classify(err); status == http.StatusUnauthorized {
			http.Redirect(w, r, "/ui/login?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
			return
		}
		name, data := "", any(nil)
		if err == nil {
			name, data, err = h(r, d)
		}
		if err != nil {
			s.uiError(w, r, err)
			return
		}
		s.render(w, http.StatusOK, name, data)
	}))))
}

// uiError shows err as a page; internal errors are logged, not shown.
func (s *Server) uiError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := classify(err)
	msg := err.Error()
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", routeAttr(r), errAttr(err))
		if status == http.StatusInternalServerError {
			msg = "internal error (see the server log)"
		}
	}
	s.render(w, status, "error.html", struct {
		Title, Code, Message string
		Table                string
	}{http.StatusText(status), code, msg, r.PathValue("table")})
}

// render executes a template into a buffer first, so a failure half-way
// answers 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := uiTemplates.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("ui template", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// uiTables lists the served tables the caller's token is granted.
func (s *Server) uiTables(r *http.Request, _ *sqldict.Dict) (string, any, error) {
	token := ""
	if c, err := r.Cookie(UICookie); err == nil {
		token = c.Value
	}
	may := s.tablesOf(token)
	names := make([]string, 0, len(s.cfg.Tables))
	for name := range s.cfg.Tables {
		if may(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return "tables.html", struct {
		Title  string
		Table  string
		Tables []string
		Login  bool
	}{"Tables", "", names, s.tokens.Load() != nil}, nil
}

func (s *Server) uiLoginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "login.html", loginPage{Title: "Log in", Next: safeNext(r.URL.Query().Get("next"))})
}

type loginPage struct {
	Title, Table, Next, Error string
}

// uiLogin checks the form's token and keeps it in an HttpOnly,
// SameSite=Strict cookie (Secure under TLS), so page scripts cannot read it
// and other sites' requests do not carry it.
func (s *Server) uiLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := r.PostFormValue("token")
	next := safeNext(r.PostFormValue("next"))
	if s.tokens.Load() == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if err := s.grants(token, ScopeRead, ""); err != nil || token == "" {
		s.render(w, http.StatusUnauthorized, "login.html", loginPage{Title: "Log in", Next: next, Error: "unknown token"})
		return
	}
	http.SetCookie(w, uiCookie(r, token, 0))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) uiLogout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, uiCookie(r, "", -1))
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

func uiCookie(r *http.Request, token string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: UICookie, Value: token, Path: "/ui/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	}
}

// safeNext keeps a post-login redirect on this server's pages: an open
// redirect to another site would make the login form a phishing aid.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/ui/"
	}
	return next
}

// uiLink builds a UI URL: path and query pairs; pairs with an empty value
// are left out, so links carry only the parameters in use.
func uiLink(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// keepLink is the current page (its path) with only the keep pairs: the
// way back to the newest state.
func keepLink(keep [][2]string) string {
	q := url.Values{}
	for _, kv := range keep {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	return "?" + q.Encode()
}

// pickerLayouts are the times the picker (an <input type=datetime-local>,
// read as UTC) sends, besides the API's RFC 3339.
var pickerLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"}

// parsePickerTime reads as_of as the API does or as the picker sends it.
func parsePickerTime(s string) (time.Time, error) {
	for _, l := range pickerLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, badArg("as_of=" + s + ": want a time like 2026-12-01T09:30:00Z")
}

package server

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sqldict/sqldict/api"
)

// The guard refuses what a web page in a browser could send to a server
// on the user's machine or network: a foreign Host (DNS rebinding: the
// attacker's name resolving to the server's address), a write from another
// origin, and a JSON route's body sent as text/plain (which a page may
// POST cross-site without a CORS preflight).

// guard checks the Host of every request and the origin of every request
// that may change something. It runs before routing.
func (s *Server) guard(r *http.Request) error {
	if !s.hostAllowed(r, r.Host) {
		return &apiError{http.StatusForbidden, api.CodeForbidden,
			"the Host header does not name this server (sqldict serve --allow-host NAME accepts a name)"}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		// Safe: a page on another site cannot read the answer (no CORS
		// headers), and links to the UI from elsewhere keep working.
		return nil
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		// A browser sends "Origin: null" for a same-origin form whose page
		// says Referrer-Policy: no-referrer (the UI's pages do); its
		// Sec-Fetch-Site, which no page can set, still tells the truth.
		if origin == "null" && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
			return nil
		}
		if !s.originAllowed(r, origin) {
			return &apiError{http.StatusForbidden, api.CodeForbidden, "cross-origin request refused: the Origin does not name this server"}
		}
		return nil
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return &apiError{http.StatusForbidden, api.CodeForbidden, "cross-site request refused (Sec-Fetch-Site)"}
	}
	return nil
}

// originAllowed reports whether origin (scheme://host[:port]) names this
// server: the request's own Host, or a host hostAllowed accepts.
func (s *Server) originAllowed(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false // "null" (sandboxed frames, file: pages) included
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return s.hostAllowed(r, u.Host)
}

// hostAllowed reports whether host (a Host header: name or IP, with an
// optional port) names this server: the address the connection reached
// (for a loopback one, localhost too), one of the machine's interface
// addresses when the listener is bound to a wildcard, or a name of
// Config.AllowHosts.
func (s *Server) hostAllowed(r *http.Request, host string) bool {
	if host == "" {
		return false
	}
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = host, "80"
		if r.TLS != nil {
			port = "443"
		}
	}
	for _, a := range s.cfg.AllowHosts {
		if strings.EqualFold(a, host) || strings.EqualFold(a, name) {
			return true
		}
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
	if !ok || port != strconv.Itoa(local.Port) {
		return false
	}
	if strings.EqualFold(name, "localhost") {
		return local.IP.IsLoopback()
	}
	ip := net.ParseIP(name)
	if ip == nil {
		return false
	}
	if ip.Equal(local.IP) {
		return true
	}
	for _, a := range s.interfaceIPs() {
		if ip.Equal(a) {
			return true
		}
	}
	return false
}

// interfaceIPs are the machine's addresses when Serve's listener is bound
// to a wildcard address, nil otherwise.
func (s *Server) interfaceIPs() []net.IP {
	p := s.ifaceIPs.Load()
	if p == nil {
		return nil
	}
	return *p
}

// bindListener records, for hostAllowed, the machine's interface addresses
// when addr is a wildcard bind (0.0.0.0, ::).
func (s *Server) bindListener(addr net.Addr) {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		s.log.Warn("listing interface addresses for the Host check", "error", err)
		return
	}
	ips := make([]net.IP, 0, len(addrs))
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ips = append(ips, n.IP)
		}
	}
	s.ifaceIPs.Store(&ips)
}

// requireJSON refuses a body that is not declared application/json: a
// cross-site page can send text/plain (or no type) without a preflight.
func requireJSON(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &apiError{http.StatusUnsupportedMediaType, api.CodeUnsupportedMediaType,
			fmt.Sprintf("Content-Type %q: want application/json", r.Header.Get("Content-Type"))}
	}
	return nil
}

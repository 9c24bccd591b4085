package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sqldict/sqldict/client"
)

// TestServe_TLS serves HTTPS with a self-signed certificate; the client
// reaches it with that certificate as its root.
func TestServe_TLS(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)

	p := serve(t, sqliteURL(t), "--tls-cert", certFile, "--tls-key", keyFile)
	if p.URL[:8] != "https://" {
		t.Fatalf("serve with TLS announced %s", p.URL)
	}
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	c, err := client.New(p.URL, client.Options{HTTPClient: hc, Retries: 20})
	if err != nil {
		t.Fatal(err)
	}
	// Stat retries until the listener answers.
	if _, err := c.Stat(t.Context()); err != nil {
		t.Fatalf("stat over TLS: %v\n%s", err, p.Stderr())
	}
	if err := c.Set(t.Context(), "k", []byte("secret")); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(t.Context(), "k"); err != nil || string(v) != "secret" {
		t.Fatalf("Get over TLS: %q %v", v, err)
	}
	// Plain HTTP to the TLS port is refused.
	if resp, err := http.Get("http" + p.URL[5:] + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP answered 200 on the TLS port")
		}
	}
}

package typed

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/sqldict/sqldict/sqldict"
)

// KeySize is the size of an AES-256 key in bytes.
const KeySize = 32

// A Keyring holds the AES-256 keys values are encrypted with, each under a
// key ID, and names the primary one new values are written with. Rotation:
// add a new key, make it primary, keep the old ones for as long as any
// version written under them must stay readable. A Keyring is immutable and
// safe for concurrent use.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a keyring of keys (key ID → 32-byte key) whose primary
// key is keys[primary]. Key IDs are 1 to 255 bytes. Bad input fails with
// sqldict.ErrInvalidArgument.
func NewKeyring(primary string, keys map[string][]byte) (*Keyring, error) {
	if _, ok := keys[primary]; !ok {
		return nil, fmt.Errorf("%w: keyring: primary key %q is not among the keys", sqldict.ErrInvalidArgument, primary)
	}
	kr := &Keyring{primary: primary, aeads: make(map[string]cipher.AEAD, len(keys))}
	for id, k := range keys {
		if len(id) == 0 || len(id) > 255 {
			return nil, fmt.Errorf("%w: keyring: key ID %q: want 1 to 255 bytes", sqldict.ErrInvalidArgument, id)
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("%w: keyring: key %q has %d bytes, want %d (AES-256)", sqldict.ErrInvalidArgument, id, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("%w: keyring: key %q: %v", sqldict.ErrInvalidArgument, id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("%w: keyring: key %q: %v", sqldict.ErrInvalidArgument, id, err)
		}
		kr.aeads[id] = aead
	}
	return kr, nil
}

// Primary returns the ID of the key new values are encrypted with.
func (kr *Keyring) Primary() string { return kr.primary }

// IDs returns the key IDs in the ring, sorted.
func (kr *Keyring) IDs() []string {
	ids := make([]string, 0, len(kr.aeads))
	for id := range kr.aeads {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// NewKey returns a fresh random 32-byte key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(fmt.Sprintf("typed: crypto/rand: %v", err)) // crypto/rand does not fail on supported systems
	}
	return k
}

// keyringFile is the keyring file format (docs/typed.md documents it).
type keyringFile struct {
	Primary string            `json:"primary"`
	Keys    map[string]string `json:"keys"` // key ID → standard base64 of 32 bytes
}

// ParseKeyring reads a keyring file:
//
//	{"primary": "2026-12", "keys": {"2026-11": "<base64>", "2026-12": "<base64>"}}
//
// Each key is the standard base64 of 32 random bytes. Unknown fields and
// malformed input fail with sqldict.ErrInvalidArgument.
func ParseKeyring(data []byte) (*Keyring, error) {
	var f keyringFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: keyring: %v", sqldict.ErrInvalidArgument, err)
	}
	keys := make(map[string][]byte, len(f.Keys))
	for id, s := range f.Keys {
		k, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: keyring: key %q: %v", sqldict.ErrInvalidArgument, id, err)
		}
		keys[id] = k
	}
	return NewKeyring(f.Primary, keys)
}

// LoadKeyring reads the keyring file at path (see ParseKeyring).
func LoadKeyring(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return ParseKeyring(data)
}

// MarshalKeyring returns the keyring file for keys (see ParseKeyring).
func MarshalKeyring(primary string, keys map[string][]byte) ([]byte, error) {
	if _, err := NewKeyring(primary, keys); err != nil {
		return nil, err
	}
	f := keyringFile{Primary: primary, Keys: make(map[string]string, len(keys))}
	for id, k := range keys {
		f.Keys[id] = base64.StdEncoding.EncodeToString(k)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Encrypt returns the AES-256-GCM layer ("aes256gcm"). It encrypts with the
// keyring's primary key and records the key ID; reads use the key the
// envelope names. The payload is a random 12-byte nonce followed by the
// ciphertext and tag. The additional data binds the ciphertext to its
// journal table, its key and the envelope header before the layer (codec,
// expiry, earlier layers): a ciphertext copied to another key or table,
// or a header altered, fails with ErrDecrypt. Put it last in Options.Layers,
// since layers after it see only ciphertext.
func Encrypt(kr *Keyring) Layer { return aesLayer{kr: kr} }

type aesLayer struct{ kr *Keyring }

func (aesLayer) Name() string { return "aes256gcm" }

func (l aesLayer) Seal(s Scope, b []byte) ([]byte, []byte, bool, error) {
	aead := l.kr.aeads[l.kr.primary]
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(b)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, nil, false, fmt.Errorf("nonce: %w", err)
	}
	out = aead.Seal(out, out, b, s.AdditionalData())
	return out, []byte(l.kr.primary), false, nil
}

func (l aesLayer) Open(s Scope, param, b []byte) ([]byte, error) {
	aead, ok := l.kr.aeads[string(param)]
	if !ok {
		return nil, fmt.Errorf("%w: key ID %q (keyring holds %q)", ErrUnknownKey, param, l.kr.IDs())
	}
	n := aead.NonceSize()
	if len(b) < n+aead.Overhead() {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes is too short", ErrDecrypt, len(b))
	}
	out, err := aead.Open(nil, b[:n], b[n:], s.AdditionalData())
	if err != nil {
		return nil, fmt.Errorf("%w: key %q, table %q, key ID %q", ErrDecrypt, s.Key, s.Table, param)
	}
	return out, nil
}

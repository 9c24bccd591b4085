// Package typed stores Go values in a sqldict Store: typed.Dict[Config]
// instead of []byte, with composable layers for compression, encryption,
// validation, read-only and write-only views, and expiry.
//
//	import _ "github.com/sqldict/sqldict/dialects/sqlite" // registers sqlite:
//
//	d, _ := sqldict.OpenURL(ctx, "sqlite:state.db", sqldict.Options{Table: "configs"})
//	kr, _ := typed.LoadKeyring("keys.json")
//	cfg, _ := typed.New(d, typed.Options[Config]{
//		Layers:   []typed.Layer{typed.Compress(0), typed.Encrypt(kr)},
//		Validate: func(key string, c Config) error { ... },
//	})
//	err = cfg.Set(ctx, "checkout", Config{Limit: 10})
//	c, err := cfg.Get(ctx, "checkout")
//
// Every read and write goes through the Store, so the sqldict guarantees
// hold unchanged: versions, history, exact snapshots, conflicts, and the
// same errors (sqldict.ErrNotFound, ErrConflict, ErrPruned …). This package
// adds ErrFormat, ErrDecode, ErrDecrypt, ErrUnknownKey, ErrValidation,
// ErrExpired and ErrWriteOnly.
//
// # The envelope
//
// Each stored value is an envelope that says how it was written, so that a
// reader with another configuration (a new codec, compression switched on,
// a rotated key) still reads old versions correctly, or refuses them with a
// typed error; it never misreads them. Version 1, all integers big-endian:
//
//	magic    3 bytes  0xFE 'S' 'D'  (0xFE never starts UTF-8 text or JSON)
//	version  1 byte   1
//	flags    1 byte   bit 0: an expiry follows; other bits must be 0
//	codec    1 byte length n, n bytes name ("json", "gob", "raw", or yours)
//	expiry   8 bytes  int64 Unix microseconds, UTC; present iff flag bit 0
//	layers   for each layer applied on write, in order:
//	           1 byte length n (1..255), n bytes name ("zstd", "aes256gcm")
//	           1 byte length m, m bytes parameter (aes256gcm: the key ID)
//	end      1 byte   0 (a layer name of length 0)
//	payload  the rest: the codec's bytes after every layer
//
// A reader undoes the layers in reverse order, then decodes with the named
// codec. An unknown version, flag, codec or layer fails with ErrFormat. A
// layer that a write skipped (a value too small to compress) is not
// recorded. The header is in the clear: the expiry can be swept without the
// keyring, and it is authenticated by encryption (below).
//
// # Encryption
//
// Encrypt seals the payload with AES-256-GCM under the keyring's primary
// key and records the key ID; a random 96-bit nonce precedes the
// ciphertext. The additional data is the journal table, the key and every
// header byte before the layer's record, so a ciphertext moved to another
// key or table, an altered expiry or codec, or a flipped bit fails with
// ErrDecrypt, and a key ID missing from the keyring with ErrUnknownKey. A
// Dict configured with Encrypt refuses values it finds without it
// (ErrDecrypt), so a plaintext value slipped into the journal is not
// mistaken for an authenticated one. Rotation: add a key to the ring and
// make it primary; versions written under older keys read as long as their
// keys stay in the ring; Reseal rewrites the live values under the primary
// key. Keyring files are JSON (ParseKeyring).
//
// # Expiry
//
// A write may carry an expiry time (Write.ExpiresAt, SetTTL). Reads at the
// head judge it by Options.Now; views by their own time: View.Get at a time
// before the expiry returns the value, after it sqldict.ErrNotFound (and
// ErrExpired), whether or not Sweep has run. Sweep appends tombstones for
// expired keys so that the journal's history shows when they went and
// listing the byte store stops counting them; it needs no keyring.
//
// # Caveats
//
// Dict.All skips expired entries after the Store applied Range.Limit, so a
// page may hold fewer entries than the limit. Schema validation marshals
// the value with encoding/json even when the codec is another one. Keys
// are not encrypted, only values.
package typed

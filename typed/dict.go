package typed

import (
	"fmt"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sqldict/sqldict/sqldict"
)

// Options configure a Dict. The zero value works: JSON values, no layers,
// no validation.
type Options[T any] struct {
	// Codec writes new values; nil means JSON. Reads use the codec each
	// envelope names, found among Codec, Codecs and the built-ins.
	Codec Codec
	// Codecs are further codecs reads may meet (values written under an
	// earlier configuration). JSON, Gob and Raw are always known.
	Codecs []Codec
	// Layers transform the codec's bytes on write, in order; put Encrypt
	// last. Reads undo the layers each envelope names, found among these
	// (zstd is always known; an encrypted value needs Encrypt with a
	// keyring holding its key).
	Layers []Layer
	// Validate, when set, is called before every write of a value; an
	// error fails the write with ErrValidation and writes nothing.
	Validate func(key string, v T) error
	// Schema, when set, is a JSON Schema every written value's JSON form
	// (encoding/json, whatever the Codec) must satisfy, else ErrValidation.
	// CompileSchema builds one.
	Schema *jsonschema.Schema
	// Table is the journal table name bound into encrypted values (see
	// Encrypt). Zero: the Store's Table() when it has one (a *sqldict.Dict
	// does), else sqldict.DefaultTable. Set it when the Store cannot tell,
	// and keep it when a journal moves to another table name, or its
	// encrypted values stop decrypting.
	Table string
	// ReadBare makes reads accept values without an envelope (written by a
	// plain sqldict.Dict or the CLI's set), decoding them with Codec, no
	// layers, no expiry. Zero: such values fail with ErrFormat. Leave it
	// off when values are encrypted: a bare value is not authenticated.
	ReadBare bool
	// Now is the clock expiry is judged by at the head (Get, Entry, All,
	// Sweep) and that SetTTL adds to; nil means time.Now. Views judge
	// expiry by their own time instead.
	Now func() time.Time
	// SweepAuthor is the author of the versions Sweep and Reseal append;
	// zero: DefaultSweepAuthor.
	SweepAuthor string
}

// DefaultSweepAuthor is the author Sweep records when Options.SweepAuthor
// is empty.
const DefaultSweepAuthor = "sqldict/typed sweep"

// Dict keeps values of type T in a sqldict.Store (a *sqldict.Dict, or the
// HTTP client): each value goes through the codec and the layers into an
// envelope, and back. It is safe for concurrent use when its Store is, and
// holds nothing of its own to close.
type Dict[T any] struct {
	store  sqldict.Store
	opts   Options[T]
	codecs map[string]Codec
	layers map[string]Layer
	table  string
	mode   mode
	// required is the name of the encryption layer when one is configured:
	// reads then refuse values it did not seal, so that a plaintext value
	// slipped into the journal is not taken for an authenticated one.
	required string
}

// mode is a set of refusals: a read-only view of a write-only view refuses
// both.
type mode int

const (
	readWrite mode = 0
	readOnly  mode = 1 << 0
	writeOnly mode = 1 << 1
)

// New returns a Dict of T values over store. Bad options (a codec or layer
// name that is empty, too long or given twice) fail with
// sqldict.ErrInvalidArgument.
func New[T any](store sqldict.Store, opts Options[T]) (*Dict[T], error) {
	if store == nil {
		return nil, fmt.Errorf("%w: typed.New: nil store", sqldict.ErrInvalidArgument)
	}
	if opts.Codec == nil {
		opts.Codec = JSON
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SweepAuthor == "" {
		opts.SweepAuthor = DefaultSweepAuthor
	}
	d := &Dict[T]{store: store, opts: opts, codecs: map[string]Codec{}, layers: map[string]Layer{}}
	for _, c := range builtinCodecs {
		d.codecs[c.Name()] = c
	}
	for _, c := range append([]Codec{opts.Codec}, opts.Codecs...) {
		if n := c.Name(); n == "" || len(n) > 255 {
			return nil, fmt.Errorf("%w: codec name %q: want 1 to 255 bytes", sqldict.ErrInvalidArgument, n)
		}
		if prev, ok := d.codecs[c.Name()]; ok && prev != c {
			return nil, fmt.Errorf("%w: two codecs named %q", sqldict.ErrInvalidArgument, c.Name())
		}
		d.codecs[c.Name()] = c
	}
	d.layers["zstd"] = Compress(0)
	for i, l := range opts.Layers {
		n := l.Name()
		if n == "" || len(n) > 255 {
			return nil, fmt.Errorf("%w: layer name %q: want 1 to 255 bytes", sqldict.ErrInvalidArgument, n)
		}
		for _, prev := range opts.Layers[:i] {
			if prev.Name() == n {
				return nil, fmt.Errorf("%w: two layers named %q", sqldict.ErrInvalidArgument, n)
			}
		}
		d.layers[n] = l
		if _, ok := l.(aesLayer); ok {
			d.required = n
		}
	}
	d.table = opts.Table
	if d.table == "" {
		d.table = sqldict.DefaultTable
		if t, ok := store.(tabler); ok {
			d.table = t.Table()
		}
	}
	return d, nil
}

// Store returns the store the Dict reads and writes.
func (d *Dict[T]) Store() sqldict.Store { return d.store }

// ReadOnly returns a view of d whose writes (Set, SetTTL, Delete, Commit,
// Sweep) fail with sqldict.ErrReadOnly and write nothing.
func (d *Dict[T]) ReadOnly() *Dict[T] { return d.withMode(readOnly) }

// WriteOnly returns a view of d whose reads (Get, Has, Entry, History, All,
// Snapshot, AsOf) fail with ErrWriteOnly: a drop box for secrets that the
// writer must not read back.
func (d *Dict[T]) WriteOnly() *Dict[T] { return d.withMode(writeOnly) }

func (d *Dict[T]) withMode(m mode) *Dict[T] {
	c := *d
	c.mode |= m
	return &c
}

func (d *Dict[T]) canRead() error {
	if d.mode&writeOnly != 0 {
		return ErrWriteOnly
	}
	return nil
}

func (d *Dict[T]) canWrite() error {
	if d.mode&readOnly != 0 {
		return fmt.Errorf("%w: typed read-only view", sqldict.ErrReadOnly)
	}
	return nil
}

// Entry is one row of the journal with its value decoded.
type Entry[T any] struct {
	Key     string
	Value   T    // the zero T for a tombstone
	Deleted bool // a tombstone
	// Expires is when the value expires; zero when it never does.
	Expires time.Time
	// Expired reports whether the value had expired at the read's time
	// (the clock at the head, the view's time in a snapshot). Get treats an
	// expired value as absent; History and Entry show it with this set.
	Expired  bool
	Sequence int64
	Version  int64
	Created  time.Time
	Author   string
	Comment  string
}

// Write is one change inside Dict.Commit, as sqldict.Write with a T.
type Write[T any] struct {
	Key       string
	Value     T
	Delete    bool // append a tombstone; Value is ignored
	IfVersion sqldict.Expectation
	Author    string
	Comment   string
	// ExpiresAt, when not zero, is when the value expires (microsecond
	// resolution): reads at or after it treat the key as absent, and Sweep
	// appends a tombstone for it.
	ExpiresAt time.Time
}

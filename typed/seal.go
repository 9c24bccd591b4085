package typed

import (
	"errors"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// seal validates v and returns its envelope.
func (d *Dict[T]) seal(key string, v T, expires time.Time) ([]byte, error) {
	if err := d.validate(key, v); err != nil {
		return nil, err
	}
	codecName := d.opts.Codec.Name()
	var payload []byte
	if p, ok := any(v).(Payload); ok {
		codecName, payload = p.Codec, p.Data
	} else {
		var err error
		if payload, err = d.opts.Codec.Marshal(v); err != nil {
			return nil, fmt.Errorf("%w: encode %q with %s: %v", sqldict.ErrInvalidArgument, key, codecName, err)
		}
	}
	if !expires.IsZero() {
		// The envelope keeps microseconds, like the journal's times.
		expires = expires.UTC().Truncate(time.Microsecond)
	}
	hdr, err := appendStart(make([]byte, 0, 64), codecName, expires)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sqldict.ErrInvalidArgument, err)
	}
	for _, l := range d.opts.Layers {
		out, param, skip, err := l.Seal(Scope{Table: d.table, Key: key, Header: hdr}, payload)
		if err != nil {
			return nil, fmt.Errorf("seal %q with %s: %w", key, l.Name(), err)
		}
		if skip {
			continue
		}
		if hdr, err = appendLayer(hdr, l.Name(), param); err != nil {
			return nil, fmt.Errorf("%w: %v", sqldict.ErrInvalidArgument, err)
		}
		payload = out
	}
	hdr = append(hdr, 0) // no more layers
	return append(hdr, payload...), nil
}

// open decodes raw, the stored value of key: the value, its expiry (zero
// when none) and the first error.
func (d *Dict[T]) open(key string, raw []byte) (T, time.Time, error) {
	var v T
	p, isPayload := any(&v).(*Payload)
	if !isEnvelope(raw) && d.opts.ReadBare && d.required == "" {
		if isPayload {
			p.Codec, p.Data = d.opts.Codec.Name(), raw
			return v, time.Time{}, nil
		}
		if err := d.opts.Codec.Unmarshal(raw, &v); err != nil {
			return v, time.Time{}, fmt.Errorf("%w: bare value of %q with %s: %v", ErrDecode, key, d.opts.Codec.Name(), err)
		}
		return v, time.Time{}, nil
	}
	if !isEnvelope(raw) && d.required != "" {
		return v, time.Time{}, fmt.Errorf("%w: %q has no envelope, so it is not sealed with %s", ErrDecrypt, key, d.required)
	}
	h, payload, err := parseHeader(raw)
	if err != nil {
		return v, time.Time{}, fmt.Errorf("%q: %w", key, err)
	}
	if d.required != "" && !recorded(h, d.required) {
		return v, h.expires, fmt.Errorf("%w: %q is not sealed with %s, which this Dict requires", ErrDecrypt, key, d.required)
	}
	codec, ok := d.codecs[h.codec]
	if !ok && !isPayload {
		return v, h.expires, fmt.Errorf("%w: %q was written with codec %q, which this Dict was not given", ErrFormat, key, h.codec)
	}
	for i := len(h.layers) - 1; i >= 0; i-- {
		rec := h.layers[i]
		l, ok := d.layers[rec.name]
		if !ok {
			return v, h.expires, fmt.Errorf("%w: %q was written through layer %q, which this Dict was not given", ErrFormat, key, rec.name)
		}
		if payload, err = l.Open(Scope{Table: d.table, Key: key, Header: h.prefix[i]}, rec.param, payload); err != nil {
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrDecode) {
				err = fmt.Errorf("%w: %w", ErrDecode, err)
			}
			return v, h.expires, fmt.Errorf("open %q: %w", key, err)
		}
	}
	if isPayload {
		p.Codec, p.Data = h.codec, payload
		return v, h.expires, nil
	}
	if err := codec.Unmarshal(payload, &v); err != nil {
		return v, h.expires, fmt.Errorf("%w: %q with %s: %v", ErrDecode, key, h.codec, err)
	}
	return v, h.expires, nil
}

// expiry reads only the expiry time of a stored value, without decrypting
// or decoding it.
func (d *Dict[T]) expiry(raw []byte) (time.Time, error) {
	if !isEnvelope(raw) && d.opts.ReadBare && d.required == "" {
		return time.Time{}, nil
	}
	h, _, err := parseHeader(raw)
	return h.expires, err
}

// expired reports whether expires is set and not after at.
func expired(expires, at time.Time) bool {
	return !expires.IsZero() && !at.Before(expires)
}

// entry decodes a journal row, judging expiry at at.
func (d *Dict[T]) entry(e sqldict.Entry, at time.Time) (Entry[T], error) {
	te := Entry[T]{
		Key: e.Key, Deleted: e.Deleted, Sequence: e.Sequence, Version: e.Version,
		Created: e.Created, Author: e.Author, Comment: e.Comment,
	}
	if e.Deleted {
		return te, nil
	}
	v, exp, err := d.open(e.Key, e.Value)
	if err != nil {
		return Entry[T]{}, err
	}
	te.Value, te.Expires, te.Expired = v, exp, expired(exp, at)
	return te, nil
}

// expiredErr is the error of a read of a value expired at at.
func expiredErr(key string, expires time.Time) error {
	return fmt.Errorf("%w: %w: %q expired at %s", ErrExpired, sqldict.ErrNotFound, key, expires.Format(time.RFC3339Nano))
}

func recorded(h header, layer string) bool {
	_, ok := h.layer(layer)
	return ok
}

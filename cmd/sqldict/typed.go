package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/typed"
)

// The typed verbs read and write values through package typed's envelope:
// codecs, zstd, AES-256-GCM with a keyring file, expiry. They live under
// one verb so that the plain verbs keep showing values exactly as stored.
var cmdTyped = &command{
	name:    "typed",
	args:    "(get | set | sweep | keygen | reseal) …",
	summary: "values through codecs, compression, encryption and expiry (package typed)",
	help: `
Subcommands:
  typed get KEY [--keyring FILE] [--as-of TIME | --at SEQ]
      print the value decoded from its envelope (decrypted, decompressed);
      with --json, JSON values are pretty-printed and others are shown as
      {"codec", "value" | "value_base64"}. An expired value is not found
      (exit 3).
  typed set KEY (VALUE | -) [--codec json|raw] [--compress] [--keyring FILE]
            [--ttl DURATION | --expires TIME] [--author N] [--comment T] [--if-version N]
      write a value in an envelope; --codec json (the default) refuses
      input that is not JSON (exit 2).
  typed sweep [--prefix P]
      append a tombstone for every expired key (no keyring needed).
  typed keygen [--id ID] FILE
      create the keyring FILE, or add a new key to it and make it primary
      (rotation: older values stay readable while their keys stay in it).
  typed reseal --keyring FILE [--prefix P]
      rewrite the live values encrypted under older keys under the primary
      one (history keeps the old versions under their old keys).

The keyring file (also $SQLDICT_KEYRING) is JSON:
  {"primary": "2026-12", "keys": {"2026-11": "<base64 of 32 bytes>", "2026-12": "…"}}

Examples:
  sqldict typed keygen keys.json
  echo '{"limit": 10}' | sqldict typed set config - --compress --keyring keys.json
  sqldict typed get config --keyring keys.json --json
  sqldict typed set session/1 '"alice"' --ttl 30m
  sqldict typed sweep --prefix session/`,
	run: func(a *app, c *command, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			a.verbUsage(c, a.flagSet(c.name, c.args))
			if len(args) == 0 {
				return usagef("missing subcommand: usage: sqldict typed %s", c.args)
			}
			return nil
		}
		sub := typedSubs[args[0]]
		if sub == nil {
			return usagef("unknown subcommand %q%s: usage: sqldict typed %s", args[0], didYouMean(args[0], typedSubNames(), ""), c.args)
		}
		return sub(a, typedSub(c, args[0]), args[1:])
	},
	words: typedSubNames,
}

// typedSubs are typed's subcommands.
var typedSubs = map[string]func(*app, *command, []string) error{
	"get": typedGet, "set": typedSet, "sweep": typedSweep, "keygen": typedKeygen, "reseal": typedReseal,
}

// typedSub is the command a subcommand of typed runs as.
func typedSub(c *command, name string) *command {
	return &command{name: "typed " + name, args: "(see 'sqldict typed --help')", summary: c.summary}
}

// typedSubNames lists typed's subcommands in a stable order.
func typedSubNames() []string {
	return slices.Sorted(maps.Keys(typedSubs))
}

// keyringFlag registers --keyring.
func keyringFlag(fs *flag.FlagSet) *string {
	return fs.String("keyring", env("SQLDICT_KEYRING"), "keyring `FILE` for encrypted values (env SQLDICT_KEYRING)")
}

// typedDict opens a Dict[Payload] over d, with the keyring's encryption
// when path is set, and the write layers given.
func typedDict(d *sqldict.Dict, path string, compress bool) (*typed.Dict[typed.Payload], error) {
	var layers []typed.Layer
	if compress {
		layers = append(layers, typed.Compress(0))
	}
	if path != "" {
		kr, err := typed.LoadKeyring(path)
		if err != nil {
			return nil, err
		}
		layers = append(layers, typed.Encrypt(kr))
	}
	return typed.New(d, typed.Options[typed.Payload]{Layers: layers, Now: now})
}

func typedGet(a *app, c *command, args []string) error {
	fs := a.flagSet(c.name, c.args)
	var p point
	p.register(fs)
	keyring := keyringFlag(fs)
	pos, err := a.parse(c, fs, args, 1, 1)
	if err != nil {
		return err
	}
	if err := a.checkPoint(&p); err != nil {
		return err
	}
	return a.readDict(func(d *sqldict.Dict) error {
		td, err := typedDict(d, *keyring, false)
		if err != nil {
			return err
		}
		get := td.Get
		switch {
		case given(fs, "as-of"):
			v, err := td.AsOf(a.ctx, p.t)
			if err != nil {
				return fmt.Errorf("as of %s: %w", a.formatTime(p.t), err)
			}
			get = v.Get
		case given(fs, "at"):
			v, err := td.Snapshot(a.ctx, p.at)
			if err != nil {
				return err
			}
			get = v.Get
		}
		v, err := get(a.ctx, pos[0])
		if err != nil {
			return err
		}
		return a.writePayload(v)
	})
}

// writePayload prints a decoded value: as stored, or for --json pretty.
func (a *app) writePayload(v typed.Payload) error {
	if !a.json {
		return a.writeValue(v.Data)
	}
	if v.Codec == typed.JSON.Name() {
		var b bytes.Buffer
		if err := json.Indent(&b, v.Data, "", "  "); err != nil {
			return fmt.Errorf("%w: stored JSON: %v", typed.ErrDecode, err)
		}
		b.WriteByte('\n')
		_, err := a.stdout.Write(b.Bytes())
		return err
	}
	out := struct {
		Codec       string  `json:"codec"`
		Value       *string `json:"value,omitempty"`
		ValueBase64 *string `json:"value_base64,omitempty"`
	}{Codec: v.Codec}
	s := string(v.Data)
	if !isText(v.Data) {
		s = base64.StdEncoding.EncodeToString(v.Data)
		out.ValueBase64 = &s
	} else {
		out.Value = &s
	}
	return a.printJSON(out)
}

func typedSet(a *app, c *command, args []string) error {
	fs := a.flagSet(c.name, c.args)
	var m meta
	m.register(fs, true)
	keyring := keyringFlag(fs)
	codec := fs.String("codec", "json", "store the value with codec `NAME`: json (checked to be JSON) or raw")
	compress := fs.Bool("compress", false, "compress with zstd (values under 256 bytes stay as they are)")
	ttl := fs.Duration("ttl", 0, "expire the value after `DURATION` (e.g. 30m, 24h)")
	expires := fs.String("expires", "", "expire the value at `TIME`")
	pos, err := a.parse(c, fs, args, 2, 2)
	if err != nil {
		return err
	}
	var exp time.Time
	switch {
	case *ttl != 0 && *expires != "":
		return usagef("give --ttl or --expires, not both")
	case *ttl < 0:
		return usagef("--ttl %v: want a positive duration", *ttl)
	case *ttl > 0:
		exp = now().Add(*ttl)
	case *expires != "":
		if exp, err = a.parseTime(*expires); err != nil {
			return err
		}
	}
	if *codec != typed.JSON.Name() && *codec != typed.Raw.Name() {
		return usagef("--codec %q: want json or raw", *codec)
	}
	return a.withDict(func(d *sqldict.Dict) error {
		value := []byte(pos[1])
		if pos[1] == "-" {
			if value, err = io.ReadAll(io.LimitReader(a.stdin, int64(d.Options().MaxValueSize)+1)); err != nil {
				return fmt.Errorf("read stdin: %w", err)
			}
		}
		if *codec == typed.JSON.Name() {
			var b bytes.Buffer
			if err := json.Compact(&b, value); err != nil {
				return usagef("value is not JSON (%v); give --codec raw to store it as it is", err)
			}
			value = b.Bytes()
		}
		td, err := typedDict(d, *keyring, *compress)
		if err != nil {
			return err
		}
		w := m.write(sqldict.Write{Key: pos[0]})
		es, err := td.Commit(a.ctx, typed.Write[typed.Payload]{
			Key: w.Key, Value: typed.Payload{Codec: *codec, Data: value}, IfVersion: w.IfVersion,
			Author: w.Author, Comment: w.Comment, ExpiresAt: exp,
		})
		if err != nil {
			return err
		}
		e, err := d.Entry(a.ctx, es[0].Key)
		if err != nil {
			return err
		}
		return a.reportWrite("set", e)
	})
}

func typedSweep(a *app, c *command, args []string) error {
	return a.typedRewrite(c, args, false)
}

func typedReseal(a *app, c *command, args []string) error {
	return a.typedRewrite(c, args, true)
}

// typedRewrite runs Sweep, or Reseal with the keyring, over --prefix.
func (a *app) typedRewrite(c *command, args []string, reseal bool) error {
	fs := a.flagSet(c.name, c.args)
	prefix := fs.String("prefix", "", "only keys starting with `P`")
	keyring := keyringFlag(fs)
	if _, err := a.parse(c, fs, args, 0, 0); err != nil {
		return err
	}
	if reseal && *keyring == "" {
		return usagef("reseal needs --keyring FILE (or $SQLDICT_KEYRING)")
	}
	return a.withDict(func(d *sqldict.Dict) error {
		td, err := typedDict(d, *keyring, false)
		if err != nil {
			return err
		}
		rewrite, what := td.Sweep, "expired"
		if reseal {
			rewrite, what = td.Reseal, "resealed"
		}
		n, err := rewrite(a.ctx, sqldict.Range{Prefix: *prefix})
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(map[string]int{what: n})
		}
		_, err = fmt.Fprintf(a.stdout, "%s %d keys\n", what, n)
		return err
	})
}

func typedKeygen(a *app, c *command, args []string) error {
	fs := a.flagSet(c.name, c.args)
	id := fs.String("id", "", "the new key's `ID` (default: the current UTC time, 20261201T123456Z)")
	pos, err := a.parse(c, fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *id == "" {
		*id = now().UTC().Format("20060102T150405Z")
	}
	path := pos[0]
	keys := map[string][]byte{}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		var f struct {
			Keys map[string]string `json:"keys"`
		}
		if _, err := typed.ParseKeyring(data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		_ = json.Unmarshal(data, &f) // ParseKeyring accepted it
		for k, v := range f.Keys {
			keys[k], _ = base64.StdEncoding.DecodeString(v)
		}
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	if _, ok := keys[*id]; ok {
		return usagef("%s already holds a key %q", path, *id)
	}
	keys[*id] = typed.NewKey()
	out, err := typed.MarshalKeyring(*id, keys)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%s: primary key %s (%d keys)\n", path, *id, len(keys))
	return err
}

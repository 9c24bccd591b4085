package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// The export format, version 1: JSON Lines (one JSON object per line, UTF-8,
// "\n"-terminated), in three parts.
//
//	{"sqldict_export":1,"table":"sqldict","sequence":9,"created":"2024-05-01T10:00:00.123456Z","horizon":0}
//	{"seq":1,"key":"greeting","value":"aGVsbG8=","deleted":false,"version":1,"created":"…","author":"ana","comment":""}
//	…
//	{"end":true,"rows":9}
//
// The header gives the journal's head (newest sequence and its time) and its
// prune horizon. Then one line per journal row in sequence order: value is
// the standard base64 of the bytes (any bytes round-trip), null for a
// tombstone; created is UTC, RFC 3339 with microseconds. Sequence numbers
// may have gaps only at or below the horizon (rows pruning removed). The
// trailer says how many rows came before it: a file without it is truncated
// and is refused.
const exportFormat = 1

const exportTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

type exportHeader struct {
	Format   int    `json:"sqldict_export"`
	Table    string `json:"table"`
	Sequence int64  `json:"sequence"`
	Created  string `json:"created"`
	Horizon  int64  `json:"horizon"`
}

type exportRow struct {
	Seq     int64   `json:"seq"`
	Key     string  `json:"key"`
	Value   *[]byte `json:"value"` // encoding/json writes []byte as base64
	Deleted bool    `json:"deleted"`
	Version int64   `json:"version"`
	Created string  `json:"created"`
	Author  string  `json:"author"`
	Comment string  `json:"comment"`
}

type exportTrailer struct {
	End  bool  `json:"end"`
	Rows int64 `json:"rows"`
}

func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(exportTimeLayout)
}

var cmdExport = &command{
	name:    "export",
	args:    "[-o FILE]",
	summary: "write the whole journal, history included, as JSON Lines",
	help: `
Writes every row of the journal — sequence, key, value, deletion, version,
time, author, comment — in a line-oriented format that round-trips any bytes
(see docs/cli.md). 'sqldict import' reads it back into an empty journal on
any engine, reproducing every view at every sequence. On a terminal,
progress is shown on stderr; a one-line summary follows on stderr (on
stdout with -o).

Examples:
  sqldict export > backup.jsonl
  sqldict export -o backup.jsonl --db sqlite:prod.db
  sqldict export | sqldict import --db postgres://me@db/prod`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		outPath := fs.String("o", "", "write to `FILE` instead of stdout")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		if given(fs, "o") && *outPath == "" {
			return usagef("-o needs a file name (leave it out for stdout)")
		}
		return a.readJournal(func(d journal) error {
			if *outPath == "" {
				return a.export(d, a.stdout, a.stderr)
			}
			f, err := os.Create(*outPath)
			if err != nil {
				return err
			}
			err = a.export(d, f, a.stdout)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(*outPath)
			}
			return err
		})
	},
}

// export writes the journal to w and its summary line to summary.
func (a *app) export(d journal, w, summary io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	st, err := d.Stat(a.ctx)
	if err != nil {
		return err
	}
	if err := enc.Encode(exportHeader{exportFormat, d.Table(), st.Sequence, exportTime(st.Created), st.Horizon}); err != nil {
		return err
	}
	var n int64
	p := a.progress("exporting, sequence", "rows", st.Sequence)
	defer p.done()
	for e, err := range d.Log(a.ctx, 0, st.Sequence) {
		if err != nil {
			return err
		}
		p.set(e.Sequence)
		r := exportRow{Seq: e.Sequence, Key: e.Key, Deleted: e.Deleted, Version: e.Version,
			Created: exportTime(e.Created), Author: e.Author, Comment: e.Comment}
		if !e.Deleted {
			if e.Value == nil {
				e.Value = []byte{} // nil would encode as null, a tombstone
			}
			r.Value = &e.Value
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
		n++
	}
	// Pruning while the log was read may have removed rows below a new
	// horizon: the dump would then describe no state the journal had.
	after, err := d.Stat(a.ctx)
	if err != nil {
		return err
	}
	if after.Horizon != st.Horizon {
		return fmt.Errorf("the journal was pruned during the export; run it again")
	}
	if err := enc.Encode(exportTrailer{End: true, Rows: n}); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	p.done()
	_, err = fmt.Fprintf(summary, "exported %s of %s through sequence %d, horizon %d (%s)\n",
		plural(n, "row", "rows"), d.Table(), st.Sequence, st.Horizon, p.rate(n, "rows"))
	return err
}

var cmdImport = &command{
	name:    "import",
	args:    "[FILE | -]",
	summary: "load an export into an empty journal, history included",
	help: `
Reads a file written by 'sqldict export' (stdin when FILE is - or missing)
and writes its rows verbatim — sequence numbers, versions, times, authors and
comments — into the journal named by --db and --table, which must be empty.
The import is one transaction: a malformed, truncated or inconsistent file
writes nothing. On a terminal, progress is shown on stderr; a one-line
summary is always printed.

Examples:
  sqldict import backup.jsonl --db sqlite:restored.db
  sqldict export --db sqlite:dev.db | sqldict import --db "postgres://me@db/prod" --table configs`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		pos, err := a.parse(c, fs, args, 0, 1)
		if err != nil {
			return err
		}
		if err := a.local(); err != nil {
			return err // before reading the input
		}
		in, name := a.stdin, "stdin"
		if len(pos) == 1 && pos[0] != "-" {
			f, err := os.Open(pos[0])
			if err != nil {
				return err
			}
			defer f.Close()
			in, name = f, pos[0]
		}
		r := bufio.NewReaderSize(in, 1<<16)
		line := 0
		next := func() ([]byte, error) {
			b, err := r.ReadBytes('\n')
			line++
			if errors.Is(err, io.EOF) {
				if len(b) == 0 {
					return nil, io.ErrUnexpectedEOF
				}
				err = nil
			}
			return b, err
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: %s line %d: %s", sqldict.ErrInvalidArgument, name, line, fmt.Sprintf(format, args...))
		}
		first, err := next()
		if err != nil {
			return bad("no export header: %v", err)
		}
		var h exportHeader
		if err := strictDecode(first, &h); err != nil || h.Format == 0 {
			return bad("not a sqldict export header")
		}
		if h.Format != exportFormat {
			return bad("export format %d: this sqldict reads format %d", h.Format, exportFormat)
		}
		head := sqldict.Stats{Sequence: h.Sequence, Horizon: h.Horizon}
		if h.Created != "" {
			if head.Created, err = time.Parse(time.RFC3339Nano, h.Created); err != nil {
				return bad("created: %v", err)
			}
		}
		p := a.progress("importing, sequence", "rows", h.Sequence)
		entries := func(yield func(sqldict.Entry, error) bool) {
			var rows int64
			for {
				b, err := next()
				if errors.Is(err, io.ErrUnexpectedEOF) {
					yield(sqldict.Entry{}, bad("truncated: no end line"))
					return
				}
				if err != nil {
					yield(sqldict.Entry{}, err)
					return
				}
				if bytes.HasPrefix(b, []byte(`{"end"`)) {
					var t exportTrailer
					if err := strictDecode(b, &t); err != nil || !t.End {
						yield(sqldict.Entry{}, bad("malformed end line"))
					} else if t.Rows != rows {
						yield(sqldict.Entry{}, bad("end line counts %d rows, read %d", t.Rows, rows))
					} else if extra, _ := r.Peek(1); len(extra) > 0 {
						yield(sqldict.Entry{}, bad("data after the end line"))
					}
					return
				}
				var row exportRow
				if err := strictDecode(b, &row); err != nil {
					yield(sqldict.Entry{}, bad("%v", err))
					return
				}
				e := sqldict.Entry{Key: row.Key, Deleted: row.Deleted, Sequence: row.Seq, Version: row.Version,
					Author: row.Author, Comment: row.Comment}
				if (row.Value == nil) != row.Deleted {
					yield(sqldict.Entry{}, bad("value must be null exactly for a deletion"))
					return
				}
				if row.Value != nil {
					e.Value = *row.Value
					if e.Value == nil {
						e.Value = []byte{}
					}
				}
				if e.Created, err = time.Parse(time.RFC3339Nano, row.Created); err != nil {
					yield(sqldict.Entry{}, bad("created: %v", err))
					return
				}
				rows++
				p.set(e.Sequence)
				if !yield(e, nil) {
					return
				}
			}
		}
		return a.withDict(func(d *sqldict.Dict) error {
			n, err := d.Import(a.ctx, head, entries)
			p.done()
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(map[string]int64{"rows": n, "sequence": h.Sequence, "horizon": h.Horizon})
			}
			_, err = fmt.Fprintf(a.stdout, "imported %s into %s: sequence %d, horizon %d (%s)\n",
				plural(n, "row", "rows"), d.Table(), h.Sequence, h.Horizon, p.rate(n, "rows"))
			return err
		})
	},
}

// strictDecode decodes one JSON object, refusing unknown fields.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/sqldict/sqldict/sqldict"
)

// Exit codes. Scripts may rely on them; docs/cli.md lists them.
const (
	exitOK       = 0
	exitError    = 1 // anything else: I/O, database, a declined edit
	exitUsage    = 2 // bad flags or arguments, unknown verb, malformed time, invalid key or URL
	exitNotFound = 3 // the key (or version) does not exist
	exitConflict = 4 // a version expectation failed, or a patch does not apply
	exitPruned   = 5 // the point asked for was pruned, or lies in the future
	// exitUnavailable: the database (or the server) cannot be reached and
	// the command wrote nothing; running it again later may succeed. A
	// write whose outcome is unknown exits with exitError instead.
	exitUnavailable = 6
	exitFull        = 7 // the database's disk (or quota) is full: nothing was written
)

// DefaultURL is the database used when neither --db nor SQLDICT_URL is set.
const DefaultURL = "sqlite:sqldict.db"

// env is the environment Run consults; tests replace it.
var env = os.Getenv

// app is one invocation: its streams and the global flags.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	db           string
	table        string
	json         bool
	utc          bool
	noMigrate    bool
	maxValueSize byteSize // 0: the library's default
	pruneOnWrite bool

	// jsonErrors: report errors as JSON on stderr (--json was given).
	jsonErrors bool
	// collect, when set, receives a verb's FlagSet instead of parsing it:
	// completion and help learn the verbs' flags from their own code.
	collect func(*flag.FlagSet)
}

// command is one verb.
type command struct {
	name    string
	args    string // synopsis after the verb
	summary string
	help    string // the long help: what it does, and examples
	run     func(a *app, c *command, args []string) error
	// words, when set, lists what the first argument may be (completion).
	words func() []string
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errPatch marks a patch or an edit that does not apply to the current value.
var errPatch = errors.New("does not apply")

// errDeclined is an edit the user answered no to.
var errDeclined = errors.New("not committed")

// Run runs one sqldict command line (without the program name) and returns
// its exit code. Errors are reported on stderr in one line.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, jsonErrors: wantsJSON(args)}
	fs := a.flagSet("sqldict", "")
	fs.Usage = func() {}
	showVersion := fs.Bool("version", false, "print the version (as 'sqldict version') and exit")
	verbArgs, err := parseGlobal(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		a.mainUsage(stdout)
		return exitOK
	}
	if err == nil {
		err = a.checkGlobal(fs)
	}
	if err != nil {
		return a.fail("", err)
	}
	if *showVersion {
		if err := a.version(); err != nil {
			return a.fail("", err)
		}
		return exitOK
	}
	if len(verbArgs) == 0 {
		a.mainUsage(stderr)
		return exitUsage
	}
	c := lookup(verbArgs[0])
	if c == nil {
		return a.fail("", unknownCommand(verbArgs[0]))
	}
	err = c.run(a, c, verbArgs[1:])
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return a.fail(c.name, err)
	}
	return exitOK
}

// parseGlobal parses the flags before the verb.
func parseGlobal(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%s%s", flagError(fs, err), verbFlagHint(err))
	}
	return fs.Args(), nil
}

// unknownCommand is the usage error for a verb not in the table.
func unknownCommand(name string) error {
	return usagef("unknown command %q%s (run 'sqldict help' for the list)", name, didYouMean(name, commandNames(), ""))
}

// errorText is err's message in one line, without the "sqldict: " prefixes
// of the library's errors (but "open sqldict: …", the default table's name,
// stays).
func errorText(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	msg = strings.TrimPrefix(msg, "sqldict: ")
	for {
		m := strings.ReplaceAll(msg, ": sqldict: ", ": ")
		if m == msg {
			return msg
		}
		msg = m
	}
}

// fail prints err in one line and returns its exit code.
func (a *app) fail(verb string, err error) int {
	msg := errorText(err)
	prefix := "sqldict: "
	if verb != "" {
		prefix = "sqldict " + verb + ": "
	}
	if errors.Is(err, sqldict.ErrValueTooLarge) {
		msg += " (--max-value-size raises the limit)"
	}
	if a.jsonErrors {
		return a.failJSON(verb, msg, err)
	}
	fmt.Fprintln(a.stderr, prefix+msg)
	return exitCode(err)
}

func exitCode(err error) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue),
		errors.Is(err, sqldict.ErrInvalidKey),
		errors.Is(err, sqldict.ErrInvalidArgument),
		errors.Is(err, sqldict.ErrValueTooLarge):
		return exitUsage
	case errors.Is(err, sqldict.ErrNotFound):
		return exitNotFound
	case errors.Is(err, sqldict.ErrConflict), errors.Is(err, errPatch):
		return exitConflict
	case errors.Is(err, sqldict.ErrPruned), errors.Is(err, sqldict.ErrFuture):
		return exitPruned
	case errors.Is(err, sqldict.ErrOutcomeUnknown):
		return exitError
	case errors.Is(err, sqldict.ErrUnavailable):
		return exitUnavailable
	case errors.Is(err, sqldict.ErrStorageFull):
		return exitFull
	}
	return exitError
}

// flagSet returns a FlagSet for verb with the global flags registered, so
// they may be given before or after the verb.
func (a *app) flagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&a.db, "db", a.dbDefault(), "database `URL`: sqlite:FILE, mysql://user:pw@host/db, postgres://user@host/db (env SQLDICT_URL)")
	fs.StringVar(&a.table, "table", a.tableDefault(), "journal `table` name (env SQLDICT_TABLE)")
	fs.BoolVar(&a.json, "json", a.json, "machine-readable JSON output")
	fs.BoolVar(&a.utc, "utc", a.utc, "print times in UTC (and read dates as UTC midnight) instead of the local zone")
	fs.BoolVar(&a.noMigrate, "no-migrate", a.noMigrate, "do not migrate the journal's schema on open; fail if it is not current")
	fs.Var(&a.maxValueSize, "max-value-size", "refuse values larger than `BYTES` (e.g. 16M; default 8M)")
	fs.BoolVar(&a.pruneOnWrite, "prune-on-write", a.pruneOnWrite, "make every write remove the older versions of the keys it writes")
	return fs
}

// globalFlags are the flags every verb takes; a verb's help lists only its
// own.
var globalFlags = map[string]bool{
	"db": true, "table": true, "json": true, "utc": true, "no-migrate": true,
	"max-value-size": true, "prune-on-write": true,
}

// checkGlobal refuses global flags given with values that would otherwise
// silently mean their default.
func (a *app) checkGlobal(fs *flag.FlagSet) error {
	switch {
	case given(fs, "table") && a.table == "":
		return usagef("--table needs a table name")
	case given(fs, "db") && a.db == "":
		return usagef("--db needs a database URL")
	}
	return nil
}

func (a *app) dbDefault() string {
	if a.db != "" {
		return a.db
	}
	if u := env("SQLDICT_URL"); u != "" {
		return u
	}
	return DefaultURL
}

func (a *app) tableDefault() string {
	if a.table != "" {
		return a.table
	}
	if t := env("SQLDICT_TABLE"); t != "" {
		return t
	}
	return sqldict.DefaultTable
}

// parse parses a verb's command line, flags and arguments in any order
// ("--" ends the flags), and checks the number of arguments. It prints the
// verb's help and returns flag.ErrHelp for -h/--help.
func (a *app) parse(c *command, fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	if a.collect != nil {
		a.collect(fs)
		return nil, errCollected
	}
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				a.verbUsage(c, fs)
				return nil, err
			}
			return nil, usagef("%s (see 'sqldict %s --help')", flagError(fs, err), c.name)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if err := a.checkGlobal(fs); err != nil {
		return nil, err
	}
	switch {
	case len(pos) < minArgs:
		return nil, usagef("missing arguments: usage: sqldict %s %s", c.name, c.args)
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, usagef("too many arguments: usage: sqldict %s %s", c.name, c.args)
	}
	return pos, nil
}

func (a *app) options() sqldict.Options {
	return sqldict.Options{
		Table:        a.table,
		SkipMigrate:  a.noMigrate,
		MaxValueSize: int(a.maxValueSize),
		PruneOnWrite: a.pruneOnWrite,
	}
}

// open opens the dict named by the global flags for a verb that writes:
// the database and the journal are created when missing.
func (a *app) open() (*sqldict.Dict, error) {
	if err := a.local(); err != nil {
		return nil, err
	}
	return sqldict.OpenURL(a.ctx, a.db, a.options())
}

// openRead opens the dict for a verb that only reads. It creates nothing: a
// missing SQLite file or journal is an error naming it, not an empty
// journal (a mistyped path must not look like an empty dict).
func (a *app) openRead() (*sqldict.Dict, error) {
	if err := a.local(); err != nil {
		return nil, err
	}
	opts := a.options()
	opts.ReadOnly = true
	d, err := sqldict.OpenURL(a.ctx, a.db, opts)
	switch {
	case errors.Is(err, sqldict.ErrSchemaOld) && !a.noMigrate:
		// The journal exists; reading it migrates it, as every verb does.
		return a.open()
	case errors.Is(err, sqldict.ErrNoJournal):
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: database file %s does not exist", sqldict.ErrNoJournal, pe.Path)
		}
		return nil, fmt.Errorf("%w: journal %s does not exist in %s (a write creates it)", sqldict.ErrNoJournal, a.table, a.dbLabel())
	}
	return d, err
}

// dbLabel is the database URL without its password.
func (a *app) dbLabel() string {
	if u, err := url.Parse(a.db); err == nil {
		return u.Redacted()
	}
	return a.db
}

// withDict opens the dict for writing, runs fn, and closes it.
func (a *app) withDict(fn func(d *sqldict.Dict) error) error {
	return use(a.open)(fn)
}

// readDict opens the dict for reading (see openRead), runs fn, and closes
// it.
func (a *app) readDict(fn func(d *sqldict.Dict) error) error {
	return use(a.openRead)(fn)
}

// use returns a runner that opens with open, runs fn, and closes.
func use[T interface{ Close() error }](open func() (T, error)) func(fn func(d T) error) error {
	return func(fn func(d T) error) error {
		d, err := open()
		if err != nil {
			return err
		}
		err = fn(d)
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

func (a *app) mainUsage(w io.Writer) {
	fmt.Fprint(w, `sqldict keeps a versioned key/value journal in one SQL table and reads it
as of any instant.

Usage: sqldict [global flags] COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Global flags (before or after the command):
  --db URL      database (default `+DefaultURL+`, or $SQLDICT_URL):
                sqlite:FILE, mysql://user:pw@host:3306/db, postgres://user@host/db
  --table NAME  journal table (default sqldict, or $SQLDICT_TABLE)
  --json        machine-readable output
  --utc         print times in UTC instead of the local zone
  --no-migrate  fail instead of migrating an old schema on open
  --max-value-size BYTES
                refuse values larger than this (default 8M; K, M, G units)
  --prune-on-write
                every write removes the older versions of the keys it
                writes (snapshots before it become unreadable)
  --version     print the version (as 'sqldict version') and exit

Verbs that only read (get, keys, len, log, diff, export, migrate --status)
never create a database or a journal: a missing one is an error.

Times: RFC 3339 (2024-05-01T12:00:00Z), a date (2024-05-01, midnight), or
relative to now (-2h, -30m, -1d, -1d12h, now).

Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 conflict (or a patch that
does not apply), 5 pruned or in the future, 6 unavailable (nothing written),
7 storage full (nothing written). With --json, an error is one JSON object
on stderr: {"error": {"code": "not_found", "message": "…", "exit": 3}}, with
the HTTP API's codes where one applies (else "usage" or "error").

Run 'sqldict COMMAND --help' for a command's flags and examples, and
'sqldict completion bash|zsh|fish' for a shell completion script.
`)
}

func (a *app) verbUsage(c *command, fs *flag.FlagSet) {
	w := a.stdout
	fmt.Fprintf(w, "Usage: sqldict %s %s\n\n%s\n", c.name, c.args, c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
	}
	var own strings.Builder
	fs.SetOutput(&own)
	fs.VisitAll(func(f *flag.Flag) {
		if globalFlags[f.Name] {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		dash := strings.TrimSuffix(dashName(f.Name), f.Name)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(&own, "  %s%s%s\n    \t%s%s\n", dash, f.Name, name, usage, defaultText(f, usage))
	})
	if own.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", own.String())
	}
	fmt.Fprintln(w, "\nGlobal flags: --db URL, --table NAME, --json, --utc, --no-migrate, --max-value-size BYTES, --prune-on-write (see 'sqldict help').")
}

// defaultText is " (default V)" for a flag whose default is not its type's
// zero value, unless its usage already says what the default is.
func defaultText(f *flag.Flag, usage string) string {
	switch f.DefValue {
	case "", "0", "false", "0s", "[]":
		return ""
	}
	if strings.Contains(usage, "default") {
		return ""
	}
	if g, ok := f.Value.(flag.Getter); ok && isString(g.Get()) {
		return fmt.Sprintf(" (default %q)", f.DefValue)
	}
	return " (default " + f.DefValue + ")"
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

var cmdHelp = &command{
	name:    "help",
	args:    "[COMMAND]",
	summary: "show help for sqldict or one command",
	help: `
Examples:
  sqldict help
  sqldict help get
  sqldict help help`,
	run: func(a *app, c *command, args []string) error {
		pos, err := a.parse(c, a.flagSet(c.name, c.args), args, 0, 1)
		if err != nil {
			return err
		}
		if len(pos) == 0 {
			a.mainUsage(a.stdout)
			return nil
		}
		v := lookup(pos[0])
		if v == nil {
			return unknownCommand(pos[0])
		}
		return v.run(a, v, []string{"--help"})
	},
	words: commandNames,
}

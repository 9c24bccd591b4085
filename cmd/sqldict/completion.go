package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
)

// errCollected ends a verb run in collect mode (see app.collect).
var errCollected = errors.New("flags collected")

// verbSpec is what completion knows of one verb or subcommand.
type verbSpec struct {
	path  []string     // "get", or "typed", "get"
	flags []*flag.Flag // its own flags, without the global ones
	words []string     // what its first argument may be
}

// collectFlags runs c in collect mode and returns its own flags.
func collectFlags(c *command, run func(*app, *command, []string) error) []*flag.Flag {
	var fs *flag.FlagSet
	a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		collect: func(f *flag.FlagSet) { fs = f }}
	_ = run(a, c, nil)
	var own []*flag.Flag
	if fs != nil {
		fs.VisitAll(func(f *flag.Flag) {
			if !globalFlags[f.Name] {
				own = append(own, f)
			}
		})
	}
	return own
}

// verbSpecs lists every verb of the table, and typed's subcommands.
func verbSpecs() []verbSpec {
	var specs []verbSpec
	for _, c := range commands {
		s := verbSpec{path: []string{c.name}, flags: collectFlags(c, c.run)}
		if c.words != nil {
			s.words = c.words()
		}
		specs = append(specs, s)
	}
	for _, name := range typedSubNames() {
		specs = append(specs, verbSpec{
			path:  []string{cmdTyped.name, name},
			flags: collectFlags(typedSub(cmdTyped, name), typedSubs[name]),
		})
	}
	return specs
}

// globalFlagList is the global flags, in name order.
func globalFlagList() []*flag.Flag {
	var fl []*flag.Flag
	(&app{}).flagSet("sqldict", "").VisitAll(func(f *flag.Flag) { fl = append(fl, f) })
	return fl
}

// takesValue reports whether f needs a value (is not a boolean flag).
func takesValue(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// dashed writes flags as users type them, space-separated.
func dashed(fl []*flag.Flag) string {
	names := make([]string, len(fl))
	for i, f := range fl {
		names[i] = dashName(f.Name)
	}
	return strings.Join(names, " ")
}

// valueFlags lists every flag, global or a verb's, that takes a value:
// completion skips the word after one when looking for the verb.
func valueFlags(specs []verbSpec) []string {
	var names []string
	add := func(fl []*flag.Flag) {
		for _, f := range fl {
			if takesValue(f) && !slices.Contains(names, dashName(f.Name)) {
				names = append(names, dashName(f.Name))
			}
		}
	}
	add(globalFlagList())
	for _, s := range specs {
		add(s.flags)
	}
	slices.Sort(names)
	return names
}

var cmdCompletion = &command{
	name:    "completion",
	args:    "(bash | zsh | fish)",
	summary: "print a shell completion script for the verbs and their flags",
	help: `
Prints a script that completes sqldict's verbs, typed's subcommands and
each verb's flags in the shell named. Load it in the shell's startup file,
or install it where the shell looks for completions.

Examples:
  source <(sqldict completion bash)             # in ~/.bashrc
  sqldict completion zsh > "${fpath[1]}/_sqldict"  # then restart zsh
  sqldict completion fish > ~/.config/fish/completions/sqldict.fish`,
	run: func(a *app, c *command, args []string) error {
		pos, err := a.parse(c, a.flagSet(c.name, c.args), args, 1, 1)
		if err != nil {
			return err
		}
		gen := shells[pos[0]]
		if gen == nil {
			return usagef("unknown shell %q%s: want bash, zsh or fish", pos[0], didYouMean(pos[0], shellNames(), ""))
		}
		_, err = io.WriteString(a.stdout, gen(verbSpecs()))
		return err
	},
	words: shellNames,
}

// shells generate the completion script of each shell.
var shells = map[string]func([]verbSpec) string{
	"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion,
}

func shellNames() []string { return []string{"bash", "zsh", "fish"} }

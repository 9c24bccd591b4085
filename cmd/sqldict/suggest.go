package main

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
)

// dashName is how a flag is written in messages and help: --name, or -n
// for a one-letter name.
func dashName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagNames lists fs's flags.
func flagNames(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// nearest returns the candidate closest to s in edit distance, if close
// enough to be a likely typo (or if s is a prefix of it), else "".
func nearest(s string, candidates []string) string {
	best, bestD := "", len(s)/3+2
	for _, c := range candidates {
		d := editDistance(s, c)
		if len(s) >= 2 && strings.HasPrefix(c, s) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// didYouMean is "; did you mean X?" for the candidate nearest to s, each
// written with dash ("--" for flags, "" for words), or "".
func didYouMean(s string, candidates []string, dash string) string {
	n := nearest(s, candidates)
	switch {
	case n == "":
		return ""
	case dash != "":
		return fmt.Sprintf("; did you mean %s?", dashName(n))
	}
	return fmt.Sprintf("; did you mean %q?", n)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// flagRef matches a flag as the flag package names it in its errors: one
// dash, after a space or "flag".
var flagRef = regexp.MustCompile(`(^|[ :])-([A-Za-z0-9][A-Za-z0-9_-]+)`)

// undefinedFlag starts the flag package's error for an undefined flag.
const undefinedFlag = "flag provided but not defined: -"

// flagError rewrites an error of the flag package for fs: flags written
// --name as users type them, and an undefined flag with the nearest
// defined one.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, undefinedFlag); ok {
		return fmt.Sprintf("unknown flag %s%s", dashName(name), didYouMean(name, flagNames(fs), "--"))
	}
	return flagRef.ReplaceAllString(msg, "$1--$2")
}

// verbFlagHint is, for an undefined flag given before the verb that is a
// flag of some verbs, a hint naming them: "keys --prefix", not
// "--prefix keys".
func verbFlagHint(err error) string {
	name, ok := strings.CutPrefix(err.Error(), undefinedFlag)
	if !ok {
		return ""
	}
	var verbs []string
	for _, s := range verbSpecs() {
		for _, f := range s.flags {
			if f.Name == name {
				verbs = append(verbs, strings.Join(s.path, " "))
			}
		}
	}
	if len(verbs) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s is a flag of %s: give it after the command)", dashName(name), strings.Join(verbs, ", "))
}

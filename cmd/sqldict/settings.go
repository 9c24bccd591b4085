package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

// Serve's settings come from, in order of precedence: the command line,
// the environment (SQLDICT_<FLAG>, e.g. SQLDICT_LISTEN), the config file
// (--config FILE or $SQLDICT_CONFIG: a JSON object of flag names), and
// the flags' defaults.

// listSettings are the repeatable flags: in the environment they are
// comma-separated, in the config file JSON arrays.
var listSettings = map[string]bool{"table": true, "allow-host": true}

// notSettings are global flags serve takes but does not use: the
// environment and the config file do not set them.
var notSettings = map[string]bool{"config": true, "json": true, "utc": true, "max-value-size": true, "prune-on-write": true}

// envName is the environment variable of a flag. --db and --table keep
// the names every verb reads (serve splits SQLDICT_TABLE at commas).
func envName(flagName string) string {
	switch flagName {
	case "db":
		return "SQLDICT_URL"
	case "table":
		return "SQLDICT_TABLE"
	}
	return "SQLDICT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applySettings sets every flag of fs not given on the command line from
// the environment, else from the config file at path ("" for none).
func (a *app) applySettings(fs *flag.FlagSet, path string) error {
	file, err := readConfig(path)
	if err != nil {
		return err
	}
	var names []string
	for _, name := range flagNames(fs) {
		if !notSettings[name] {
			names = append(names, name)
		}
	}
	for name := range file {
		if fs.Lookup(name) == nil || notSettings[name] {
			return usagef("config %s: unknown setting %q%s", path, name, didYouMean(name, names, ""))
		}
	}
	onCommandLine := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	for _, name := range names {
		if onCommandLine[name] {
			continue
		}
		if v := env(envName(name)); v != "" {
			if name == "db" {
				continue // the flag's default already read it
			}
			if err := setAll(fs, name, splitList(name, v)); err != nil {
				return usagef("$%s: %v", envName(name), err)
			}
		} else if vals, ok := file[name]; ok {
			if err := setAll(fs, name, vals); err != nil {
				return usagef("config %s: %s: %v", path, name, err)
			}
		}
	}
	return nil
}

func splitList(name, v string) []string {
	if listSettings[name] {
		return strings.Split(v, ",")
	}
	return []string{v}
}

func setAll(fs *flag.FlagSet, name string, vals []string) error {
	for _, v := range vals {
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("invalid value %q: %w", v, err)
		}
	}
	return nil
}

// readConfig reads a config file: a JSON object whose keys are flag names
// and whose values are strings, numbers, booleans, or (for repeatable
// flags) arrays of them.
func readConfig(path string) (map[string][]string, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, usagef("config %s: want a JSON object of flag names: %v", path, err)
	}
	out := make(map[string][]string, len(raw))
	for name, v := range raw {
		vals, err := configValues(name, v)
		if err != nil {
			return nil, usagef("config %s: %s: %v", path, name, err)
		}
		out[name] = vals
	}
	return out, nil
}

// configValues turns one JSON value into the strings flag.Set takes.
func configValues(name string, v json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil {
		if !listSettings[name] {
			return nil, fmt.Errorf("takes one value, not a list")
		}
		var vals []string
		for _, item := range list {
			s, err := configScalar(item)
			if err != nil {
				return nil, err
			}
			vals = append(vals, s)
		}
		return vals, nil
	}
	s, err := configScalar(v)
	return []string{s}, err
}

func configScalar(v json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, nil
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return "", err
	}
	switch x.(type) {
	case float64, bool:
		return strings.TrimSpace(string(v)), nil
	}
	return "", fmt.Errorf("want a string, a number or a boolean, not %s", v)
}

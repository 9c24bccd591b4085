package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRun_Suggestions: a mistyped verb, subcommand, flag or shell gets the
// nearest name; flags are written as users type them (--flag).
func TestRun_Suggestions(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sett", "k", "v"}, `unknown command "sett"; did you mean "set"?`},
		{[]string{"wach"}, `did you mean "watch"?`},
		{[]string{"help", "exprot"}, `did you mean "export"?`},
		{[]string{"get", "k", "--as-f", "now"}, "unknown flag --as-f; did you mean --as-of?"},
		{[]string{"watch", "--pref", "x"}, "did you mean --prefix?"},
		{[]string{"serve", "--listn", ":0"}, "did you mean --listen?"},
		{[]string{"--tabel", "t", "keys"}, "unknown flag --tabel; did you mean --table?"},
		{[]string{"--prefix", "a", "keys"}, "--prefix is a flag of keys, len, watch, typed reseal, typed sweep: give it after the command"},
		{[]string{"keys", "--jsno"}, "did you mean --json?"},
		{[]string{"typed", "sweap"}, `did you mean "sweep"?`},
		{[]string{"completion", "bsh"}, `did you mean "bash"?`},
		{[]string{"set", "k", "v", "--if-version", "x"}, `invalid value "x" for flag --if-version`},
		{[]string{"get", "k", "--as-of"}, "flag needs an argument: --as-of"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			c.fails(exitUsage, tc.want, "", tc.args...)
		})
	}
	// Nothing close: no suggestion.
	for _, args := range [][]string{{"frobnicate"}, {"set", "k", "v", "--bogus"}} {
		if r := c.fails(exitUsage, "unknown", "", args...); strings.Contains(r.err, "did you mean") {
			t.Errorf("%v: %q suggests a far name", args, r.err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"set", "set", 0}, {"sett", "set", 1},
		{"exprot", "export", 2}, {"kitten", "sitting", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestCommands_OneTable: every package-level verb (var cmdX = &command{…})
// is in the table, once, whatever file it is in.
func TestCommands_OneTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		declared = append(declared, commandVars(f)...)
	}
	if len(declared) < 17 {
		t.Fatalf("found %d verbs declared, want every one: %v", len(declared), declared)
	}
	for _, name := range declared {
		if lookup(name) == nil {
			t.Errorf("verb %s is declared but not in the table (commands.go)", name)
		}
	}
	names := commandNames()
	for i, n := range names {
		if slices.Index(names, n) != i {
			t.Errorf("verb %s is in the table twice", n)
		}
	}
	out := newCLI(t).ok("", "help")
	for _, n := range names {
		if !strings.Contains(out, "\n  "+n+" ") {
			t.Errorf("help does not list %s", n)
		}
	}
}

// commandVars returns the name field of every package-level
// "var cmdX = &command{name: …}" in f.
func commandVars(f *ast.File) []string {
	var names []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				if n := commandLiteralName(v); n != "" {
					names = append(names, n)
				}
			}
		}
	}
	return names
}

func commandLiteralName(e ast.Expr) string {
	u, ok := e.(*ast.UnaryExpr)
	if !ok {
		return ""
	}
	cl, ok := u.X.(*ast.CompositeLit)
	if id, isIdent := cl.Type.(*ast.Ident); !ok || !isIdent || id.Name != "command" {
		return ""
	}
	for _, el := range cl.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if k, isIdent := kv.Key.(*ast.Ident); ok && isIdent && k.Name == "name" {
			if lit, ok := kv.Value.(*ast.BasicLit); ok {
				return strings.Trim(lit.Value, `"`)
			}
		}
	}
	return ""
}

package typed_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/typed"
)

func wantValidationErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, typed.ErrValidation) || !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("got %v, want ErrValidation and ErrInvalidArgument", err)
	}
}

// seqOf returns the journal's newest sequence.
func seqOf(t *testing.T, b *sqldict.Dict) int64 {
	t.Helper()
	st, err := b.Stat(bg)
	must(t, err)
	return st.Sequence
}

func TestValidate_Hook(t *testing.T) {
	b := newBytes(t)
	d, err := typed.New(b, typed.Options[Config]{Validate: func(key string, c Config) error {
		if c.Limit < 0 {
			return fmt.Errorf("limit %d is negative", c.Limit)
		}
		return nil
	}})
	must(t, err)
	must(t, d.Set(bg, "ok", Config{Limit: 1}))
	before := seqOf(t, b)
	wantValidationErr(t, d.Set(bg, "bad", Config{Limit: -1}))
	_, err = d.Commit(bg, typed.Write[Config]{Key: "ok", Value: Config{Limit: 2}}, typed.Write[Config]{Key: "bad", Value: Config{Limit: -5}})
	wantValidationErr(t, err)
	if got := seqOf(t, b); got != before {
		t.Fatalf("failed validations wrote: sequence %d → %d", before, got)
	}
	if c, err := d.Get(bg, "ok"); err != nil || c.Limit != 1 {
		t.Fatalf("Get(ok) = %+v, %v: a failed Commit changed it", c, err)
	}
	// Deletes are not validated.
	must(t, d.Delete(bg, "ok"))
}

func TestValidate_Schema(t *testing.T) {
	schema, err := typed.CompileSchema([]byte(`{
		"type": "object",
		"required": ["Name", "Limit"],
		"properties": {
			"Name": {"type": "string", "minLength": 1},
			"Limit": {"type": "integer", "minimum": 0, "maximum": 100}
		}
	}`))
	must(t, err)
	b := newBytes(t)
	// The schema checks the JSON form even when the codec is gob.
	d, err := typed.New(b, typed.Options[Config]{Codec: typed.Gob, Schema: schema})
	must(t, err)
	must(t, d.Set(bg, "ok", Config{Name: "n", Limit: 100}))
	before := seqOf(t, b)
	wantValidationErr(t, d.Set(bg, "k", Config{Name: "", Limit: 1}))
	wantValidationErr(t, d.Set(bg, "k", Config{Name: "n", Limit: 101}))
	if got := seqOf(t, b); got != before {
		t.Fatalf("failed schema validations wrote: sequence %d → %d", before, got)
	}

	for name, bad := range map[string]string{
		"not json":    `{"type": `,
		"bad keyword": `{"type": "no-such-type"}`,
		"remote ref":  `{"$ref": "https://example.com/schema.json"}`,
	} {
		if _, err := typed.CompileSchema([]byte(bad)); !errors.Is(err, sqldict.ErrInvalidArgument) {
			t.Errorf("%s: CompileSchema = %v, want ErrInvalidArgument", name, err)
		}
	}
}

func TestViews_ReadOnlyWriteOnly(t *testing.T) {
	b := newBytes(t)
	d, err := typed.New(b, typed.Options[string]{})
	must(t, err)
	must(t, d.Set(bg, "k", "v"))
	before := seqOf(t, b)

	ro := d.ReadOnly()
	if v, err := ro.Get(bg, "k"); err != nil || v != "v" {
		t.Fatalf("read-only Get = %q, %v", v, err)
	}
	for name, err := range map[string]error{
		"Set":    ro.Set(bg, "k", "w"),
		"SetTTL": ro.SetTTL(bg, "k", "w", 1),
		"Delete": ro.Delete(bg, "k"),
		"Commit": func() error { _, err := ro.Commit(bg, typed.Write[string]{Key: "k", Value: "w"}); return err }(),
		"Sweep":  func() error { _, err := ro.Sweep(bg, sqldict.Range{}); return err }(),
	} {
		if !errors.Is(err, sqldict.ErrReadOnly) {
			t.Errorf("read-only %s = %v, want ErrReadOnly", name, err)
		}
	}
	if got := seqOf(t, b); got != before {
		t.Fatalf("read-only view wrote: sequence %d → %d", before, got)
	}

	wo := d.WriteOnly()
	must(t, wo.Set(bg, "drop", "secret"))
	if v, err := d.Get(bg, "drop"); err != nil || v != "secret" {
		t.Fatalf("write-only Set then Get = %q, %v", v, err)
	}
	for name, err := range map[string]error{
		"Get":      func() error { _, err := wo.Get(bg, "k"); return err }(),
		"Has":      func() error { _, err := wo.Has(bg, "k"); return err }(),
		"Entry":    func() error { _, err := wo.Entry(bg, "k"); return err }(),
		"History":  func() error { _, err := wo.History(bg, "k"); return err }(),
		"Snapshot": func() error { _, err := wo.Snapshot(bg, 1); return err }(),
		"AsOf":     func() error { _, err := wo.AsOf(bg, timeZero); return err }(),
		"All": func() error {
			for _, err := range wo.All(bg, sqldict.Range{}) {
				return err
			}
			return nil
		}(),
	} {
		if !errors.Is(err, typed.ErrWriteOnly) {
			t.Errorf("write-only %s = %v, want ErrWriteOnly", name, err)
		}
	}
	// Narrowing twice refuses both.
	none := wo.ReadOnly()
	if err := none.Set(bg, "k", "x"); !errors.Is(err, sqldict.ErrReadOnly) {
		t.Fatalf("write-only then read-only Set = %v", err)
	}
	if _, err := none.Get(bg, "k"); !errors.Is(err, typed.ErrWriteOnly) {
		t.Fatalf("write-only then read-only Get = %v", err)
	}
}

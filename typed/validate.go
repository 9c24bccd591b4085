package typed

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sqldict/sqldict/sqldict"
)

// CompileSchema compiles a JSON Schema document (draft 2020-12 unless it
// says otherwise in $schema) for Options.Schema. References to other
// documents are not loaded. A malformed schema fails with
// sqldict.ErrInvalidArgument.
func CompileSchema(schema []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("%w: schema: %v", sqldict.ErrInvalidArgument, err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const url = "sqldict:///schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("%w: schema: %v", sqldict.ErrInvalidArgument, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%w: schema: %v", sqldict.ErrInvalidArgument, err)
	}
	return s, nil
}

// noLoader refuses every external reference: compiling a schema must not
// reach the file system or the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external schema reference %s is not loaded", url)
}

// validate runs the hook and the schema; errors match ErrValidation and
// sqldict.ErrInvalidArgument.
func (d *Dict[T]) validate(key string, v T) error {
	if d.opts.Validate != nil {
		if err := d.opts.Validate(key, v); err != nil {
			return fmt.Errorf("%w: %w: %q: %w", ErrValidation, sqldict.ErrInvalidArgument, key, err)
		}
	}
	if d.opts.Schema == nil {
		return nil
	}
	var b []byte
	var err error
	if p, ok := any(v).(Payload); ok && p.Codec == JSON.Name() {
		b = p.Data
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return fmt.Errorf("%w: %w: %q: to JSON for the schema: %v", ErrValidation, sqldict.ErrInvalidArgument, key, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: %w: %q: %v", ErrValidation, sqldict.ErrInvalidArgument, key, err)
	}
	if err := d.opts.Schema.Validate(doc); err != nil {
		return fmt.Errorf("%w: %w: %q: %v", ErrValidation, sqldict.ErrInvalidArgument, key, err)
	}
	return nil
}

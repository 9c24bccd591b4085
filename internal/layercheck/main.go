package layercheck

import (
	"context"
	"fmt"
	"os"

	"github.com/sqldict/sqldict/sqldict"
)

// Main opens the journal at the URL given as the program's argument with
// whatever dialects the program imported, prints its length and exits.
func Main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: "+os.Args[0]+" URL")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string) error {
	d, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: "layercheck"})
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.Len(ctx)
	if err != nil {
		return err
	}
	fmt.Println(n)
	return nil
}

package typed_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/typed"
	"github.com/sqldict/sqldict/typed/typedtest"
)

// TestConcurrent_SharedLayers: goroutines sealing and opening through one
// Dict (one zstd encoder and decoder, one keyring) each read back exactly
// what they wrote. Run with -race.
func TestConcurrent_SharedLayers(t *testing.T) {
	kr, _ := typedtest.Keyring(t, 2)
	d, err := typed.New(newBytes(t), typed.Options[Config]{Layers: []typed.Layer{typed.Compress(0), typed.Encrypt(kr)}})
	must(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				key := fmt.Sprintf("g%d/%d", g, i%5)
				want := Config{Name: strings.Repeat(key, 100), Limit: i}
				if err := d.Set(bg, key, want); err != nil {
					errs <- err
					return
				}
				got, err := d.Get(bg, key)
				if err != nil || got.Name != want.Name || got.Limit != i {
					errs <- fmt.Errorf("Get(%s) = %.20q %d, %v; want limit %d", key, got.Name, got.Limit, err, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

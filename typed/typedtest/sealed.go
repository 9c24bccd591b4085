package typedtest

import (
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/typed"
)

// testSealedHistory: compressed and encrypted versions read back through
// History and snapshots on the engine, including binary-heavy ciphertext.
func testSealedHistory(t *testing.T, open sqldicttest.Opener) {
	kr, _ := Keyring(t, 1)
	bytesDict := sqldicttest.NewDict(t, open, sqldict.Options{})
	d, err := typed.New(bytesDict, typed.Options[string]{Layers: []typed.Layer{typed.Compress(0), typed.Encrypt(kr)}})
	sqldicttest.Must(t, err)
	big := make([]byte, 4096)
	for i := range big {
		big[i] = "abcdefgh"[i%8]
	}
	want := []string{"small", string(big), "third"}
	var seqs []int64
	for _, v := range want {
		es, err := d.Commit(bg, typed.Write[string]{Key: "k", Value: v})
		sqldicttest.Must(t, err)
		seqs = append(seqs, es[0].Sequence)
	}
	raw, err := bytesDict.Entry(bg, "k")
	sqldicttest.Must(t, err)
	if len(raw.Value) > 200 {
		t.Fatalf("stored third version has %d bytes", len(raw.Value))
	}
	h, err := d.History(bg, "k")
	sqldicttest.Must(t, err)
	if len(h) != 3 {
		t.Fatalf("History has %d versions, want 3", len(h))
	}
	for i, e := range h {
		if e.Value != want[i] {
			t.Fatalf("History[%d] = %.20q…, want %.20q…", i, e.Value, want[i])
		}
		v, err := d.Snapshot(bg, seqs[i])
		sqldicttest.Must(t, err)
		wantValue(t, v.Get, "k", want[i])
	}
	// The big version went through zstd: its stored form is small.
	v2, err := bytesDict.Version(bg, "k", 2)
	sqldicttest.Must(t, err)
	if len(v2.Value) >= 1024 {
		t.Fatalf("compressed, encrypted 4096-byte value stored in %d bytes", len(v2.Value))
	}
}

package rqlink

import (
	"bytes"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// deleteFirstQuarter removes the first quarter of every block folder's symbol files in name order.
func deleteFirstQuarter(t *testing.T, dir string) int {
	blocks, err := filepath.Glob(filepath.Join(dir, "block_*"))
	if err != nil {
		t.Fatal(err)
	}
	gone := 0
	for _, block := range blocks {
		entries, err := os.ReadDir(block)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for i := 0; i < len(names)/4; i++ {
			if err := os.Remove(filepath.Join(block, names[i])); err != nil {
				t.Fatal(err)
			}
			gone++
		}
	}
	return gone
}

func TestRoundTripThroughTheStaticArchive(t *testing.T) {
	if v := Version(); !strings.HasPrefix(v, "librq ") || !strings.Contains(v, "rq-library ABI") {
		t.Fatalf("version %q", v)
	}
	dir := t.TempDir()
	data := make([]byte, 3<<20+12345)
	rand.New(rand.NewSource(7)).Read(data)
	input := filepath.Join(dir, "input.bin")
	if err := os.WriteFile(input, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewSession(65535, 4, 1024, 4)
	if s == nil {
		t.Fatal("raptorq_init_session refused the defaults")
	}
	defer s.Free()
	symbols := filepath.Join(dir, "symbols")
	r, err := s.Encode(input, symbols, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Blocks) != 4 || r.SymbolsDirectory != symbols || r.LayoutFilePath != filepath.Join(symbols, "_raptorq_layout.json") {
		t.Fatalf("result %+v", r)
	}
	if deleteFirstQuarter(t, symbols) == 0 {
		t.Fatal("no symbol files")
	}
	output := filepath.Join(dir, "output.bin")
	if err := s.Decode(symbols, output, r.LayoutFilePath); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(output)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("decoded file differs from the input")
	}
}

func TestErrorsCarryCodeAndMessage(t *testing.T) {
	s := NewSession(1024, 4, 64, 1)
	_, err := s.Encode(filepath.Join(t.TempDir(), "missing"), t.TempDir(), 0)
	var e *Error
	if !errors.As(err, &e) || e.Code != -12 || !strings.Contains(e.Message, "missing") {
		t.Errorf("missing input: %v", err)
	}
	if NewSession(0, 4, 64, 1) != nil {
		t.Error("symbol size 0 accepted")
	}
	if !s.Free() || s.Free() {
		t.Error("a session freed twice")
	}
}

// Package rqlink is a small cgo binding to librq's rq-library ABI, linked
// the way rq-go links rq-library: the static archive only, with exactly
// rq-go's LDFLAGS line. run_go_test.sh lays the archive and the header out
// as rq-go's tree has them (lib/linux/amd64, include) beside a copy of this
// folder, so the test proves librq_library.a is a drop-in for rq-go.
package rqlink

/*
#cgo CFLAGS: -I${SRCDIR}/include
#cgo linux LDFLAGS: -L${SRCDIR}/lib/linux/amd64 -Wl,-Bstatic -lrq_library -Wl,-Bdynamic -ldl -lm -lpthread
#include <stdlib.h>
#include <rq-library.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"unsafe"
)

// Session is one raptorq_init_session.
type Session struct{ id C.uintptr_t }

// Result is the JSON raptorq_encode_file returns.
type Result struct {
	TotalSymbolsCount  uint64  `json:"total_symbols_count"`
	TotalRepairSymbols uint64  `json:"total_repair_symbols"`
	SymbolsDirectory   string  `json:"symbols_directory"`
	LayoutFilePath     string  `json:"layout_file_path"`
	Blocks             []Block `json:"blocks"`
}

// Block is one entry of Result.Blocks.
type Block struct {
	BlockID            uint64  `json:"block_id"`
	EncoderParameters  []uint8 `json:"encoder_parameters"`
	OriginalOffset     uint64  `json:"original_offset"`
	Size               uint64  `json:"size"`
	SymbolsCount       uint64  `json:"symbols_count"`
	SourceSymbolsCount uint64  `json:"source_symbols_count"`
	Hash               string  `json:"hash"`
}

// Error is a failed call: rq-library's code and the session's message.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("code %d: %s", e.Code, e.Message) }

// NewSession opens a session; nil when the library refuses the values.
func NewSession(symbolSize uint16, redundancy uint8, maxMemoryMB, concurrency uint64) *Session {
	id := C.raptorq_init_session(C.uint16_t(symbolSize), C.uint8_t(redundancy),
		C.uint64_t(maxMemoryMB), C.uint64_t(concurrency))
	if id == 0 {
		return nil
	}
	return &Session{id: id}
}

// Free ends the session; false if it was already freed.
func (s *Session) Free() bool { return bool(C.raptorq_free_session(s.id)) }

func (s *Session) fail(code C.int32_t) error {
	buf := (*C.char)(C.malloc(1024))
	defer C.free(unsafe.Pointer(buf))
	msg := ""
	if C.raptorq_get_last_error(s.id, buf, 1024) == 0 {
		msg = C.GoString(buf)
	}
	return &Error{Code: int(code), Message: msg}
}

// Encode writes the symbols of input under dir.
func (s *Session) Encode(input, dir string, blockSize uint64) (*Result, error) {
	cin, cdir := C.CString(input), C.CString(dir)
	defer C.free(unsafe.Pointer(cin))
	defer C.free(unsafe.Pointer(cdir))
	const size = 16 * 1024
	buf := (*C.char)(C.malloc(size))
	defer C.free(unsafe.Pointer(buf))
	code := C.raptorq_encode_file(s.id, cin, cdir, C.uintptr_t(blockSize), buf, size)
	if code != 0 {
		return nil, s.fail(code)
	}
	var r Result
	if err := json.Unmarshal([]byte(C.GoString(buf)), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Decode rebuilds output from the symbols in dir that layout names.
func (s *Session) Decode(dir, output, layout string) error {
	cdir, cout, clay := C.CString(dir), C.CString(output), C.CString(layout)
	defer C.free(unsafe.Pointer(cdir))
	defer C.free(unsafe.Pointer(cout))
	defer C.free(unsafe.Pointer(clay))
	if code := C.raptorq_decode_symbols(s.id, cdir, cout, clay); code != 0 {
		return s.fail(code)
	}
	return nil
}

// Version is raptorq_version's string.
func Version() string {
	buf := (*C.char)(C.malloc(128))
	defer C.free(unsafe.Pointer(buf))
	if C.raptorq_version(buf, 128) != 0 {
		return ""
	}
	return C.GoString(buf)
}

/*
 * The layout file (_raptorq_layout.json): the contract between encode and
 * decode. This module turns it into a validated model and back; it knows
 * nothing of symbol data.
 *
 * Written (librq, the seed document's format plus per-block fields):
 *   chunked:   {"encoder_parameters": [12 numbers, OTI of the first block],
 *               "file_size": F,
 *               "blocks": [{"block_id": "block_0", "original_offset": 0, "size": n,
 *                           "encoder_parameters": [12], "hash": "<base58 BLAKE3 of the
 *                           block bytes>", "source_symbols": K, "symbols": ["<id>", ...]}],
 *               "symbols": null}
 *   unchunked: {"encoder_parameters": [12], "file_size": F, "hash": "...",
 *               "source_symbols": K, "blocks": null, "symbols": ["<id>", ...]}
 *   empty file: {"encoder_parameters": null, "file_size": 0, "blocks": [], "symbols": null}
 * "hash" and "source_symbols" are left out when the model has none ("" / 0).
 * Read: the above, the seed's minimal forms (block_id any string, no per-block
 * fields), and rq-library's form ({"blocks": [...]} only, numeric block_id,
 * per-block encoder_parameters and hash). Unknown fields are ignored; a
 * field given twice in one object is an error; an optional field may be null.
 */
#ifndef RQ_RUNTIME_LAYOUT_H
#define RQ_RUNTIME_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of what a layout may hold; beyond them it is rejected as malformed. */
#define RQ_LAYOUT_MAX_BLOCKS 1000000u
#define RQ_LAYOUT_MAX_SYMBOLS 1000000u                 /* per block */
#define RQ_LAYOUT_MAX_FILE_BYTES (256u * 1024u * 1024u) /* rq_layout_read */

typedef struct rq_layout_block {
    char *block_id;           /* as written: "block_0"; numeric ids are rendered in decimal; "" unchunked */
    char *dir;                /* directory of its symbols relative to the symbols dir ("" = the dir itself):
                               * block_id itself, "block_<n>" for a numeric block_id n; never written out */
    uint64_t original_offset; /* first byte of the chunk in the file */
    uint64_t size;            /* bytes of the chunk */
    rq_oti oti;               /* the block's own encoder_parameters, else the top-level ones */
    char hash[64];            /* base58 BLAKE3 of the chunk bytes; "" when the layout has none */
    uint32_t source_symbols;  /* K of the chunk's first source block as written; 0 when absent */
    char **symbols;           /* symbol IDs, each valid base58 of 32 bytes */
    size_t n_symbols;
} rq_layout_block;

typedef struct rq_layout {
    int chunked;              /* 1: "blocks" form; 0: "symbols" form (one block, offset 0) */
    uint64_t file_size;       /* sum of block sizes */
    rq_layout_block *blocks;
    size_t n_blocks;
} rq_layout;

/*
 * Parses and validates layout JSON text (len bytes, no NUL needed). Every
 * malformed input is RQ_ERR_LAYOUT with a message in err naming the field
 * (e.g. "blocks[2].symbols[7]: \"x\" is not a base58 32-byte symbol ID").
 * Checks: types of every field; numbers are integers 0..2^53-1; OTI arrays
 * of 12 numbers 0..255 that rq_oti_parse accepts, with F == size (a block
 * without its own uses the top-level one); blocks contiguous from offset 0
 * in order, sizes > 0, file_size (when given) their sum; block_id a single
 * safe path component (no '/' or '\\', no control characters, not "." or
 * "..", not empty, at most 255 bytes) and no two blocks with one directory;
 * symbol IDs and hashes base58 of 32 bytes; no symbol ID twice in a block;
 * the limits above. Unchunked: size = F, and file_size must equal it.
 * err (may be NULL) is always NUL-terminated, "" on success. *out is
 * overwritten (not freed) and is all zero after any error.
 */
rq_status rq_layout_parse(const char *text, size_t len, rq_layout *out, char *err, size_t err_len);
/*
 * Reads all of the open layout file fd into *text (malloc'ed, not
 * NUL-terminated; free()): RQ_ERR_IO with strerror's text if it cannot be
 * read, RQ_ERR_LAYOUT if above RQ_LAYOUT_MAX_FILE_BYTES. No message names
 * the path: the caller prefixes it.
 */
rq_status rq_layout_load(int fd, char **text, size_t *len, char *err, size_t err_len);
/*
 * An upper bound on the heap rq_layout_parse takes for this text besides
 * the text itself: the JSON tree and the model, which live at once. It
 * counts the values and strings in one pass, so a caller can charge a
 * memory budget before parsing (a text of small numbers costs ~40 bytes
 * a byte, one of symbol IDs ~6).
 */
uint64_t rq_layout_parse_cost(const char *text, size_t len);
/* The heap a parsed model holds. */
uint64_t rq_layout_model_bytes(const rq_layout *layout);
/*
 * Opens (following links, but only a regular file, without blocking on a
 * FIFO), loads and parses a layout file: errors as rq_layout_load and
 * rq_layout_parse. For tools and tests; file jobs charge the parse first.
 */
rq_status rq_layout_read(const char *path, rq_layout *out, char *err, size_t err_len);
/*
 * Renders the librq form (pretty-printed); *json is malloc'ed (free()),
 * NUL-terminated. chunked == 0 needs exactly one block. Every block's OTI
 * must be valid (else its rq_oti_validate status). parse(to_json(x)) == x.
 */
rq_status rq_layout_to_json(const rq_layout *layout, char **json);
/*
 * Renders rq-library's form: {"blocks": [{"block_id": n, "encoder_parameters",
 * "original_offset", "size", "symbols", "hash"}]}, whatever model->chunked
 * says; "hash" only for a block that has one. Every block must be named by its number n (block_id "n", dir
 * "block_n"), else RQ_ERR_INVALID_ARGUMENT.
 */
rq_status rq_layout_to_json_rq_library(const rq_layout *layout, char **json);
/* Frees what the model holds and zeroes it; NULL and a zeroed model are fine. */
void rq_layout_free(rq_layout *layout);

#ifdef __cplusplus
}
#endif

#endif

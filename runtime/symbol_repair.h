/*
 * What repairing a symbol directory needs besides decoding (runtime/
 * chunk_scan.h, symbol_choice.h and block_rebuild.h do the scan, the solve
 * and the passes; chunk_repair.h puts them together):
 *
 * - Which symbol each layout entry is. A layout names symbols only by
 *   content hash, so the (SBN, ESI) of a missing file is not written
 *   anywhere; it follows from the order encodes list them in (source block
 *   by source block, source ESIs 0..K-1 then the block's repairs) and from
 *   how the chunk's repairs were shared out between its source blocks
 *   (librq: in proportion to K, the last block the rest; rq-library: every
 *   block the same count). The order used is the one every good file's own
 *   payload ID agrees with.
 * - The rebuilt symbols of one source block, staged pass by pass in one
 *   unnamed scratch file, checked against their layout names when complete,
 *   and only then written, each under its name (never partly: written
 *   aside, then renamed over a damaged file or into a free name).
 */
#ifndef RQ_RUNTIME_SYMBOL_REPAIR_H
#define RQ_RUNTIME_SYMBOL_REPAIR_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"
#include "runtime/blake3.h"
#include "runtime/layout.h"
#include "runtime/temp_file.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_symbol_slot {
    uint32_t sbn, esi;
} rq_symbol_slot;

/*
 * Fills slots[0 .. lb->n_symbols) with the symbol each layout entry is.
 * known: n_known entries checked good, each with its layout index and the
 * (SBN, ESI) of its payload ID. RQ_ERR_LAYOUT when no order fits them all,
 * or the layout lists fewer entries than the chunk has source symbols.
 */
rq_status rq_layout_symbol_slots(const rq_layout_block *lb, const size_t *known_index,
                                 const rq_symbol_slot *known, size_t n_known, rq_symbol_slot *slots);

typedef struct rq_symbol_rebuild {
    const rq_blake3_impl *blake3;
    uint32_t sbn;
    size_t T;
    size_t n;                /* symbols to rebuild */
    const uint32_t *esis;    /* their ESIs */
    const char *const *ids;  /* their names in the layout */
    const char *const *dirs; /* the folder each is written into */
    rq_temp_file staging;    /* n * T bytes */
} rq_symbol_rebuild;

/* Opens the staging file in scratch_dir. 0, or -1 with errno. */
int rq_symbol_rebuild_open(rq_symbol_rebuild *r, const char *scratch_dir);
/* Stages bytes [w0, w0 + width) of rebuilt symbol m. 0, or -1 with errno. */
int rq_symbol_rebuild_put(const rq_symbol_rebuild *r, size_t m, const uint8_t *slice, size_t w0,
                          size_t width);

typedef enum rq_rebuild_outcome {
    RQ_REBUILD_WRITTEN = 0,  /* every symbol checked and written */
    RQ_REBUILD_MISMATCH = 1, /* symbol *which hashes to another name: nothing was written */
    RQ_REBUILD_IO = -1       /* errno says why; *which names the symbol */
} rq_rebuild_outcome;

/*
 * Checks every staged symbol against its name, then writes them all; buf
 * holds T bytes. Symbols written before an I/O failure stay (each is whole
 * and correct).
 */
rq_rebuild_outcome rq_symbol_rebuild_commit(rq_symbol_rebuild *r, uint8_t *buf, size_t *which);
void rq_symbol_rebuild_discard(rq_symbol_rebuild *r);

#ifdef __cplusplus
}
#endif

#endif

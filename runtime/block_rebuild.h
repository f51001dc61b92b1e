/*
 * A source block rebuilt from its chosen symbols, pass by pass
 * (runtime/pass_engine.h): each pass's slice of every used symbol is read
 * with pread into its row, the plan replayed, and the block's bytes for
 * that pass written at their place in the output (decode) or the lost
 * symbols' slices staged (repair).
 */
#ifndef RQ_RUNTIME_BLOCK_REBUILD_H
#define RQ_RUNTIME_BLOCK_REBUILD_H

#include "runtime/blake3.h"
#include "runtime/chunk_scan.h"
#include "runtime/symbol_repair.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Chooses the symbols of source block sbn of chunk lb and, by mode: nothing
 * more (verify), rebuilds its bytes into the output (decode, the chunk hash
 * taking them), or stages the symbols rb names (repair: *staged is set when
 * they are, and the caller commits or discards them). A symbol that vanished
 * or changed since its check is dropped and the block chosen and solved
 * again from the others; the chunk hash and the progress go back to where
 * the block began, and its bytes are written anew. report gets decodable
 * and needed.
 */
rq_status rq_block_process(rq_decode_job *job, const rq_layout_block *lb, uint32_t sbn,
                           rq_chunk_mode mode, rq_chunk_scan *scan, rq_blake3 *hash,
                           rq_symbol_rebuild *rb, int *staged, rq_chunk_report *report);

#ifdef __cplusplus
}
#endif

#endif

/*
 * Repairing one chunk of a symbol directory: which symbol each missing or
 * damaged layout entry is (runtime/symbol_repair.h), each source block that
 * lost files rebuilt once from its good ones (runtime/block_rebuild.h), and
 * its lost files written again, byte for byte and under their names: a
 * damaged one where it was found, a missing one in the chunk's folder.
 */
#ifndef RQ_RUNTIME_CHUNK_REPAIR_H
#define RQ_RUNTIME_CHUNK_REPAIR_H

#include "runtime/blake3.h"
#include "runtime/chunk_scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the missing and damaged symbol files of chunk lb again, source block by source block. */
rq_status rq_chunk_repair(rq_decode_job *job, const rq_layout_block *lb, rq_chunk_scan *scan,
                          rq_blake3 *hash, rq_chunk_report *report);

#ifdef __cplusplus
}
#endif

#endif

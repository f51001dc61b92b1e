/*
 * The first step of reading a chunk back: every symbol file the layout
 * names is looked for in the chunk's folders and checked against its name
 * (BLAKE3, on all workers); damaged, truncated and foreign files are
 * skipped and counted, the good ones kept as rq_held_symbol.
 */
#ifndef RQ_RUNTIME_CHUNK_SCAN_H
#define RQ_RUNTIME_CHUNK_SCAN_H

#include "runtime/decode_job.h"
#include "runtime/file_jobs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Folders a chunk's symbols may be in: its own, block_<index>, the symbols dir itself. */
#define RQ_CHUNK_DIRS 3

typedef struct rq_chunk_scan {
    rq_held_symbol *held;
    size_t n_held;
    int dirs[RQ_CHUNK_DIRS];
    const char *dir_names[RQ_CHUNK_DIRS]; /* relative to the symbols dir ("" = itself) */
    char alt[32];
    int n_dirs;
    uint8_t *state;    /* per layout entry: an rq_symbol_check */
    uint8_t *found_in; /* per layout entry: the dirs[] index a damaged file was found in */
    rq_chunk_report report;
    char first_bad[160]; /* the first damaged file, for the message */
} rq_chunk_scan;

/* Checks every symbol file of chunk index (b), then tallies them in layout order. */
rq_status rq_chunk_scan_run(rq_decode_job *job, size_t index, const rq_layout_block *b,
                            rq_chunk_scan *scan);
void rq_chunk_scan_free(rq_chunk_scan *scan);
/* Symbols marked gone since (rq_held_symbol.gone) no longer count as good. */
void rq_chunk_scan_count_gone(rq_chunk_scan *scan);

#ifdef __cplusplus
}
#endif

#endif

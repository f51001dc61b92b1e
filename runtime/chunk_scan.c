/* Checking a chunk's symbol files (see chunk_scan.h). */
#define _GNU_SOURCE
#include "runtime/chunk_scan.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/job_stages.h"
#include "runtime/workers.h"

void rq_chunk_scan_free(rq_chunk_scan *scan)
{
    for (int d = 0; d < scan->n_dirs; d++)
        close(scan->dirs[d]);
    free(scan->held);
    free(scan->state);
    free(scan->found_in);
    memset(scan, 0, sizeof *scan);
}

/*
 * Opens the chunk's folders inside the symbols dir, never through a
 * symbolic link: a linked folder is not looked in (its symbols count as
 * missing).
 */
static void open_chunk_dirs(const rq_decode_job *job, size_t index, const rq_layout_block *b,
                            rq_chunk_scan *scan)
{
    snprintf(scan->alt, sizeof scan->alt, "block_%zu", index);
    const char *names[RQ_CHUNK_DIRS] = {b->dir, scan->alt, ""};
    for (int c = 0; c < RQ_CHUNK_DIRS; c++) {
        int repeated = 0;
        for (int e = 0; e < c; e++)
            repeated |= strcmp(names[e], names[c]) == 0;
        if (repeated)
            continue;
        int fd = names[c][0] ? openat(job->sym_fd, names[c], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                             : fcntl(job->sym_fd, F_DUPFD_CLOEXEC, 0);
        if (fd >= 0) {
            scan->dir_names[scan->n_dirs] = names[c];
            scan->dirs[scan->n_dirs++] = fd;
        }
    }
}

/* One symbol file's check, made by whichever worker took it. */
typedef struct symbol_check {
    rq_symbol_check chk;
    uint32_t sbn, esi;
    const char *why;
    int dir_fd, dir_index;
    rq_file_identity identity;
} symbol_check;

typedef struct scan_ctx {
    rq_stage sc;
    rq_decode_job *job;
    size_t index;
    const rq_layout_block *b;
    const rq_chunk_scan *scan;
    uint8_t *packets; /* one packet buffer per worker */
    symbol_check *checks;
} scan_ctx;

static void scan_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    scan_ctx *x = ctx;
    const rq_layout_block *b = x->b;
    size_t len = 4u + b->oti.symbol_size, i;
    uint8_t *packet = x->packets + (size_t)w * len;
    while (rq_stage_take(&x->sc, &i)) {
        symbol_check *c = &x->checks[i];
        c->why = "missing";
        c->chk = RQ_SYMBOL_MISSING;
        /* The first folder that has the name decides. */
        for (int d = 0; d < x->scan->n_dirs && c->chk == RQ_SYMBOL_MISSING; d++) {
            c->dir_fd = x->scan->dirs[d];
            c->dir_index = d;
            c->chk = rq_symbol_file_check(x->job->job.blake3, c->dir_fd, b->symbols[i], packet, len,
                                          &c->identity, &c->why);
        }
        if (c->chk == RQ_SYMBOL_GOOD) {
            rq_payload_id_read(packet, len, &c->sbn, &c->esi);
            if (c->sbn >= b->oti.source_blocks) {
                c->chk = RQ_SYMBOL_CORRUPT; /* a symbol of some other object */
                c->why = "payload ID names a source block this chunk does not have";
            }
        }
    }
}

rq_status rq_chunk_scan_run(rq_decode_job *job, size_t index, const rq_layout_block *b,
                            rq_chunk_scan *scan)
{
    memset(scan, 0, sizeof *scan);
    rq_job *rj = &job->job;
    size_t len = 4u + b->oti.symbol_size;
    uint64_t packets_bytes = (uint64_t)rj->threads * len;
    rq_status st = rq_decode_reserve(job, packets_bytes);
    if (st == RQ_OK)
        st = rq_job_buffers_fit(&job->mem, 0, 0, (size_t)packets_bytes); /* <= 1024 * (4 + 65535) */
    if (st != RQ_OK)
        return st;
    open_chunk_dirs(job, index, b, scan);
    scan_ctx x = {.job = job, .index = index, .b = b, .scan = scan, .packets = job->mem.scratch};
    x.checks = calloc(b->n_symbols + 1, sizeof *x.checks);
    scan->held = calloc(b->n_symbols + 1, sizeof *scan->held);
    scan->state = calloc(b->n_symbols + 1, 1);
    scan->found_in = calloc(b->n_symbols + 1, 1);
    if (!x.checks || !scan->held || !scan->state || !scan->found_in)
        st = RQ_ERR_NO_MEMORY;
    if (st == RQ_OK)
        st = rq_stage_run(&x.sc, rj, scan_worker, &x, b->n_symbols);
    for (size_t i = 0; st == RQ_OK && i < b->n_symbols; i++) {
        symbol_check *c = &x.checks[i];
        scan->state[i] = (uint8_t)c->chk;
        scan->found_in[i] = (uint8_t)c->dir_index;
        if (c->chk == RQ_SYMBOL_MISSING) {
            scan->report.missing++;
        } else if (c->chk == RQ_SYMBOL_CORRUPT) {
            if (!scan->report.corrupt)
                snprintf(scan->first_bad, sizeof scan->first_bad, "%s: %s", b->symbols[i], c->why);
            scan->report.corrupt++;
        } else {
            scan->report.good++;
            scan->held[scan->n_held++] =
                (rq_held_symbol){c->sbn, c->esi, i, c->dir_fd, b->symbols[i], c->identity, NULL};
        }
    }
    free(x.checks);
    return st;
}

void rq_chunk_scan_count_gone(rq_chunk_scan *scan)
{
    for (size_t i = 0; i < scan->n_held; i++) {
        rq_held_symbol *h = &scan->held[i];
        if (!h->gone || h->sbn == UINT32_MAX)
            continue;
        scan->report.good--;
        if (strcmp(h->gone, "vanished while decoding") == 0) {
            scan->report.missing++;
        } else {
            if (!scan->report.corrupt)
                snprintf(scan->first_bad, sizeof scan->first_bad, "%s: %s", h->id, h->gone);
            scan->report.corrupt++;
        }
        h->sbn = UINT32_MAX; /* counted; never chosen again */
    }
}

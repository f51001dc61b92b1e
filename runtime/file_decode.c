/*
 * Rebuilding a file from the symbol files that survive, and checking them.
 *
 * Every symbol file named in the layout is first checked against its name
 * (BLAKE3); damaged, truncated and foreign files are skipped and counted.
 * Then each source block of each chunk is solved once for the ESIs at hand
 * and rebuilt pass by pass (runtime/block_passes.h): the pass's slice of
 * every used symbol is read with pread, the plan replayed, and the block's
 * bytes for that pass written at their place in a temporary output file,
 * which gets its final name only when every chunk decoded and matched its
 * hash.
 *
 * The symbol checks, the slice reads, the replay (in column shares), the
 * rebuilding of missing source symbols and the writes run on the job's
 * workers (runtime/workers.h); the solve is one thread's, once per block.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/block_encoder.h"
#include "core/params.h"
#include "core/plan.h"
#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "runtime/block_passes.h"
#include "runtime/file_jobs.h"
#include "runtime/fs_util.h"
#include "runtime/job_memory.h"
#include "runtime/job_stages.h"
#include "runtime/split_hash.h"
#include "runtime/session_internal.h"
#include "runtime/symbol_files.h"
#include "runtime/workers.h"

#define MIB (1024ull * 1024ull)

typedef struct held_symbol {
    uint32_t sbn, esi;
    char *path;
} held_symbol;

typedef struct chunk_scan {
    held_symbol *held;
    size_t n_held;
    rq_chunk_report report;
    char first_bad[160]; /* the first damaged file, for the message */
} chunk_scan;

typedef struct decode_job {
    rq_job job;
    const char *symbols_dir;
    int out_fd;
    uint64_t done, total;
    rq_job_buffers mem;
} decode_job;

static void scan_free(chunk_scan *scan)
{
    for (size_t i = 0; i < scan->n_held; i++)
        free(scan->held[i].path);
    free(scan->held);
    memset(scan, 0, sizeof *scan);
}

/* Where a block's symbol lives: its dir, else block_<index>, else the symbols dir itself. */
static int locate(const char *symbols_dir, const rq_layout_block *b, size_t index, const char *id,
                  char *path, size_t len)
{
    char dir[4096], alt[64];
    snprintf(alt, sizeof alt, "block_%zu", index);
    const char *candidates[3] = {b->dir, alt, ""};
    for (int c = 0; c < 3; c++) {
        if (rq_path_join(dir, sizeof dir, symbols_dir, candidates[c]) != 0 ||
            rq_path_join(path, len, dir, id) != 0)
            return -1;
        if (access(path, F_OK) == 0)
            return 0;
    }
    /* Not found anywhere: report it under its own directory. */
    rq_path_join(dir, sizeof dir, symbols_dir, b->dir);
    return rq_path_join(path, len, dir, id);
}

/* One symbol file's check, made by whichever worker took it. */
typedef struct symbol_check {
    rq_symbol_check chk;
    uint32_t sbn, esi;
    const char *why;
    char *path;
} symbol_check;

typedef struct scan_ctx {
    rq_stage sc;
    decode_job *job;
    size_t index;
    const rq_layout_block *b;
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
        char path[4096];
        c->why = "path too long";
        c->chk = RQ_SYMBOL_CORRUPT;
        if (locate(x->job->symbols_dir, b, x->index, b->symbols[i], path, sizeof path) == 0)
            c->chk = rq_symbol_file_check(path, b->symbols[i], packet, len, &c->why);
        if (c->chk == RQ_SYMBOL_GOOD) {
            rq_payload_id_read(packet, len, &c->sbn, &c->esi);
            if (c->sbn >= b->oti.source_blocks) {
                c->chk = RQ_SYMBOL_CORRUPT; /* a symbol of some other object */
                c->why = "payload ID names a source block this chunk does not have";
            } else if (!(c->path = strdup(path))) {
                rq_stage_fail(&x->sc, RQ_ERR_NO_MEMORY);
            }
        }
    }
}

/* Checks every symbol file of a chunk (on all workers), then tallies them in layout order. */
static rq_status scan_chunk(decode_job *job, size_t index, const rq_layout_block *b,
                            chunk_scan *scan)
{
    memset(scan, 0, sizeof *scan);
    rq_job *rj = &job->job;
    size_t len = 4u + b->oti.symbol_size;
    uint64_t packets_bytes = (uint64_t)rj->threads * len;
    rq_status st = rq_job_buffers_reserve(rj, &job->mem, packets_bytes);
    if (st == RQ_OK)
        st = rq_job_buffers_fit(&job->mem, 0, 0, packets_bytes);
    if (st != RQ_OK)
        return st;
    scan_ctx x = {.job = job, .index = index, .b = b, .packets = job->mem.scratch};
    x.checks = calloc(b->n_symbols + 1, sizeof *x.checks);
    scan->held = calloc(b->n_symbols + 1, sizeof *scan->held);
    if (!x.checks || !scan->held)
        st = RQ_ERR_NO_MEMORY;
    if (st == RQ_OK)
        st = rq_stage_run(&x.sc, rj, scan_worker, &x, b->n_symbols);
    for (size_t i = 0; x.checks && i < b->n_symbols; i++) {
        symbol_check *c = &x.checks[i];
        if (st != RQ_OK) {
            free(c->path);
            continue;
        }
        if (c->chk == RQ_SYMBOL_MISSING) {
            scan->report.missing++;
        } else if (c->chk == RQ_SYMBOL_CORRUPT) {
            if (!scan->report.corrupt)
                snprintf(scan->first_bad, sizeof scan->first_bad, "%s: %s", b->symbols[i], c->why);
            scan->report.corrupt++;
        } else {
            scan->report.good++;
            scan->held[scan->n_held++] = (held_symbol){c->sbn, c->esi, c->path};
        }
    }
    free(x.checks);
    return st;
}

/* The symbols of one source block chosen for decoding, and the plan for them. */
typedef struct block_choice {
    rq_block_constants c;
    const held_symbol **use; /* sources first, then repairs */
    uint32_t n_use, n_source;
    uint8_t *have_source;    /* K flags */
    rq_plan *plan;           /* NULL when every source symbol is held */
    uint32_t needed;         /* > 0: cannot decode, this many more needed at least */
} block_choice;

static void choice_free(block_choice *ch)
{
    free(ch->use);
    free(ch->have_source);
    rq_plan_free(ch->plan);
    memset(ch, 0, sizeof *ch);
}

static int by_esi(const void *a, const void *b)
{
    uint32_t x = (*(const held_symbol *const *)a)->esi, y = (*(const held_symbol *const *)b)->esi;
    return x < y ? -1 : x > y;
}

static rq_status choose_symbols(const chunk_scan *scan, uint32_t sbn, uint32_t K, block_choice *ch)
{
    memset(ch, 0, sizeof *ch);
    rq_params_for(K, &ch->c);
    ch->use = calloc(scan->n_held + 1, sizeof *ch->use);
    ch->have_source = calloc(K, 1);
    if (!ch->use || !ch->have_source)
        return RQ_ERR_NO_MEMORY;
    uint32_t repairs_available = 0;
    for (size_t i = 0; i < scan->n_held; i++) {
        const held_symbol *h = &scan->held[i];
        if (h->sbn != sbn)
            continue;
        if (h->esi < K && !ch->have_source[h->esi]) {
            ch->have_source[h->esi] = 1;
            ch->use[ch->n_use++] = h;
        } else if (h->esi >= K) {
            repairs_available++; /* an upper bound: duplicates are removed below */
        }
    }
    ch->n_source = ch->n_use;
    if (ch->n_source == K || ch->n_source + repairs_available < K) {
        ch->needed = ch->n_source == K ? 0 : K - ch->n_source - repairs_available;
        return RQ_OK;
    }
    /* Repairs after the sources, in ESI order, each ESI once (two files may hold one symbol). */
    uint32_t n_rep = 0;
    const held_symbol **rep = ch->use + ch->n_source;
    for (size_t i = 0; i < scan->n_held; i++)
        if (scan->held[i].sbn == sbn && scan->held[i].esi >= K)
            rep[n_rep++] = &scan->held[i];
    qsort(rep, n_rep, sizeof *rep, by_esi);
    uint32_t unique = 0;
    for (uint32_t i = 0; i < n_rep; i++)
        if (unique == 0 || rep[unique - 1]->esi != rep[i]->esi)
            rep[unique++] = rep[i];
    if (ch->n_source + unique < K) {
        ch->needed = K - ch->n_source - unique;
        return RQ_OK;
    }
    uint32_t padding = ch->c.K_prime - K;
    uint32_t *isis = malloc(((size_t)ch->n_source + unique + padding) * sizeof *isis);
    if (!isis)
        return RQ_ERR_NO_MEMORY;
    /* First K + RQ_DECODE_EXTRA_SYMBOLS symbols; if those are dependent, everything held. */
    for (int all = 0; all < 2; all++) {
        uint32_t take = all ? unique : (K + RQ_DECODE_EXTRA_SYMBOLS - ch->n_source < unique
                                            ? K + RQ_DECODE_EXTRA_SYMBOLS - ch->n_source : unique);
        ch->n_use = ch->n_source + take;
        for (uint32_t k = 0; k < ch->n_use; k++)
            isis[k] = ch->use[k]->esi < K ? ch->use[k]->esi : ch->use[k]->esi + padding;
        for (uint32_t k = 0; k < padding; k++)
            isis[ch->n_use + k] = K + k;
        rq_status st = rq_plan_build(&ch->c, isis, ch->n_use + padding, &ch->plan);
        if (st == RQ_OK || st != RQ_ERR_NEED_MORE_SYMBOLS || take == unique) {
            free(isis);
            if (st == RQ_ERR_NEED_MORE_SYMBOLS)
                break;
            return st;
        }
    }
    ch->needed = 1; /* every symbol held was tried; they are dependent */
    return RQ_OK;
}

static rq_status read_slice(decode_job *job, const held_symbol *h, size_t w0, size_t width,
                            uint8_t *dst)
{
    int fd = open(h->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || rq_pread_full(fd, dst, width, 4u + w0) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return rq_session_fail(job->job.s, RQ_ERR_IO, "reading %s: %s", h->path, strerror(e));
    }
    close(fd);
    return RQ_OK;
}

/* One pass of one source block and what its workers share. */
typedef struct pass_ctx {
    rq_stage sc;
    decode_job *job;
    const rq_layout_block *lb;
    const block_choice *ch;
    const rq_pass *p;
    uint8_t *rows, *buf, *slices; /* slices: one pass-width row per worker */
    const uint32_t *missing;      /* source ESIs to rebuild */
    size_t real;                  /* bytes of the pass inside the chunk */
    uint64_t out_offset;
    rq_blake3 *chunk_hash;
    rq_split_hash hash; /* the chunk hash's share of the pass */
} pass_ctx;

/* Item k: the pass's slice of used symbol k, into its row (and the buffer if a source). */
static void read_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    pass_ctx *x = ctx;
    const block_choice *ch = x->ch;
    size_t W = x->p->width, k;
    while (rq_stage_take(&x->sc, &k)) {
        uint8_t *dst = ch->plan ? x->rows + (size_t)rq_plan_input_row(ch->plan, (uint32_t)k) * W
                                : x->slices + (size_t)w * W;
        rq_status st = read_slice(x->job, ch->use[k], x->p->w0, W, dst);
        if (st != RQ_OK)
            rq_stage_fail(&x->sc, st);
        else if (ch->use[k]->esi < ch->c.K)
            rq_row_to_pass(&x->lb->oti, x->p, ch->c.K, ch->use[k]->esi, dst, x->buf);
    }
}

static void replay_worker(void *ctx, uint32_t w, uint32_t n)
{
    pass_ctx *x = ctx;
    size_t from, len;
    rq_column_share(x->p->width, w, n, &from, &len);
    if (len && rq_plan_apply(x->ch->plan, x->job->job.kernels, x->rows + from, x->p->width, len) !=
                   RQ_OK)
        rq_stage_fail(&x->sc, RQ_ERR_NO_MEMORY);
}

/* Item m: missing source symbol x->missing[m], rebuilt from the intermediate symbols. */
static void rebuild_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    pass_ctx *x = ctx;
    const block_choice *ch = x->ch;
    size_t W = x->p->width, m;
    uint8_t *slice = x->slices + (size_t)w * W;
    while (rq_stage_take(&x->sc, &m)) {
        rq_encode_isi(&ch->c, x->job->job.kernels, x->rows, W, ch->plan->intermediate,
                      x->missing[m], slice, W);
        rq_row_to_pass(&x->lb->oti, x->p, ch->c.K, x->missing[m], slice, x->buf);
    }
}

/*
 * Item 0 writes the pass's bytes, all of them: writes to one file are
 * serialized by the kernel anyway, and two workers writing would only
 * contend for its lock. Items 1.. hash the chunk hash's subtrees meanwhile.
 */
static void write_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)w;
    (void)n;
    pass_ctx *x = ctx;
    size_t item;
    while (rq_stage_take(&x->sc, &item)) {
        if (item > 0) {
            rq_split_hash_item(&x->hash, item - 1);
            continue;
        }
        if (x->real && rq_pwrite_full(x->job->out_fd, x->buf, x->real, x->out_offset) != 0)
            rq_stage_fail(&x->sc, rq_session_fail(x->job->job.s, RQ_ERR_IO, "writing the output: %s",
                                                  strerror(errno)));
    }
}

/* One pass of one source block: read the used slices, replay, rebuild, write. */
static rq_status decode_pass(pass_ctx *x, const rq_block_layout *bl, uint32_t n_missing)
{
    const block_choice *ch = x->ch;
    rq_job *job = &x->job->job;
    uint32_t K = ch->c.K;
    size_t W = x->p->width;
    if (ch->plan) /* the padding symbols after the n_use read ones are zero inputs */
        for (uint32_t i = ch->n_use; i < ch->plan->n_inputs; i++)
            memset(x->rows + (size_t)rq_plan_input_row(ch->plan, i) * W, 0, W);
    uint64_t start = bl->offset + (uint64_t)K * x->p->w0; /* within the chunk */
    size_t want = (size_t)K * W;
    x->real = start >= x->lb->size ? 0
              : (size_t)(x->lb->size - start < want ? x->lb->size - start : want);
    x->out_offset = x->lb->original_offset + start;
    rq_status st = rq_stage_run(&x->sc, job, read_worker, x, ch->n_use);
    if (st == RQ_OK && ch->plan) {
        if ((st = rq_stage_run(&x->sc, job, replay_worker, x, job->threads)) == RQ_OK)
            st = rq_stage_run(&x->sc, job, rebuild_worker, x, n_missing);
    }
    if (st == RQ_OK && (st = rq_split_hash_begin(&x->hash, x->chunk_hash, x->buf, x->real)) == RQ_OK) {
        st = rq_stage_run(&x->sc, job, write_worker, x, 1 + rq_split_hash_items(&x->hash));
        if (st == RQ_OK)
            rq_split_hash_end(&x->hash);
        else
            rq_split_hash_abandon(&x->hash);
    }
    if (st != RQ_OK)
        return st;
    x->job->done += x->real;
    return rq_job_report(job, x->job->done, x->job->total);
}

static rq_status decode_block(decode_job *job, const rq_layout_block *lb, const rq_block_layout *bl,
                              const block_choice *ch, rq_blake3 *hash)
{
    rq_job *rj = &job->job;
    uint32_t K = ch->c.K;
    rq_pass *passes = malloc((size_t)lb->oti.sub_blocks * sizeof *passes);
    uint32_t *missing = malloc((size_t)K * sizeof *missing + 1);
    if (!passes || !missing) {
        free(passes);
        free(missing);
        return RQ_ERR_NO_MEMORY;
    }
    uint32_t n_missing = 0;
    for (uint32_t i = 0; i < K; i++)
        if (!ch->have_source[i])
            missing[n_missing++] = i;
    uint64_t need = 0;
    size_t n = rq_job_block_passes(rj, &lb->oti, ch->plan, K, job->mem.reserved, passes, &need);
    rq_status st = RQ_OK;
    if (n == 0)
        st = rq_session_fail(rj->s, RQ_ERR_MEMORY_BUDGET,
                             "block %s: a sub-block needs %llu MiB; the memory budget is %llu MiB",
                             lb->block_id, (unsigned long long)(need / MIB + 1),
                             (unsigned long long)(rq_job_budget(rj) / MIB));
    size_t wmax = 0;
    for (size_t i = 0; i < n; i++)
        wmax = passes[i].width > wmax ? passes[i].width : wmax;
    pass_ctx x = {.job = job, .lb = lb, .ch = ch, .missing = missing, .chunk_hash = hash};
    uint32_t rows_n = ch->plan ? ch->plan->rows : 0;
    if (st == RQ_OK) {
        /* Scratch as large as the next chunk's scan wants too (a packet per
         * worker), so the buffers are not reallocated chunk after chunk. */
        size_t packet = 4u + lb->oti.symbol_size;
        st = rq_job_buffers_fit(&job->mem, (size_t)rows_n * wmax, (size_t)K * wmax,
                                (size_t)rj->threads * (wmax > packet ? wmax : packet));
        if (st == RQ_OK)
            rq_job_buffers_place(rj, &job->mem, wmax);
        x.rows = job->mem.rows;
        x.buf = job->mem.buf;
        x.slices = job->mem.scratch;
    }
    for (size_t i = 0; st == RQ_OK && i < n; i++) {
        x.p = &passes[i];
        st = decode_pass(&x, bl, n_missing);
    }
    free(passes);
    free(missing);
    return st;
}

/*
 * Scans one chunk; with decode set also rebuilds it into job->out_fd.
 * report gets the counts; decodable/needed from the symbols found.
 */
static rq_status process_chunk(decode_job *job, size_t index, const rq_layout_block *lb,
                               int decode, rq_chunk_report *report)
{
    chunk_scan scan;
    rq_status st = scan_chunk(job, index, lb, &scan);
    rq_blake3 hash;
    rq_blake3_init(&hash);
    report->decodable = 1;
    for (uint32_t sbn = 0; st == RQ_OK && sbn < lb->oti.source_blocks; sbn++) {
        rq_block_layout bl;
        rq_oti_block_layout(&lb->oti, sbn, &bl);
        /* One reservation per block, made before the solve: the plan and,
         * when decoding, the pass buffers (runtime/job_memory.h). */
        rq_block_constants c;
        rq_params_for(bl.source_symbols, &c);
        uint64_t reserved = decode ? rq_job_block_reservation(&job->job, &c, lb->oti.symbol_size,
                                                              c.K_prime + RQ_DECODE_EXTRA_SYMBOLS)
                                   : rq_job_plan_bound(&c);
        st = rq_job_buffers_reserve(&job->job, &job->mem, reserved);
        if (st != RQ_OK)
            break;
        block_choice ch;
        st = choose_symbols(&scan, sbn, bl.source_symbols, &ch);
        if (st == RQ_OK && ch.needed) {
            report->decodable = 0;
            report->needed += ch.needed;
        }
        if (st == RQ_OK && decode && report->decodable)
            st = decode_block(job, lb, &bl, &ch, &hash);
        choice_free(&ch);
    }
    report->good = scan.report.good;
    report->corrupt = scan.report.corrupt;
    report->missing = scan.report.missing;
    if (st == RQ_OK && decode && !report->decodable)
        st = rq_session_fail(job->job.s, RQ_ERR_NEED_MORE_SYMBOLS,
                             "block %s needs at least %u more symbols: %llu of %zu symbol files "
                             "are good (%llu missing, %llu damaged%s%s)",
                             lb->block_id, report->needed, (unsigned long long)report->good,
                             lb->n_symbols, (unsigned long long)report->missing,
                             (unsigned long long)report->corrupt, scan.report.corrupt ? "; first: " : "",
                             scan.first_bad);
    if (st == RQ_OK && decode && lb->hash[0]) {
        uint8_t digest[RQ_BLAKE3_OUT_LEN];
        char text[64];
        rq_blake3_finalize(&hash, digest, sizeof digest);
        rq_base58_encode(digest, sizeof digest, text, sizeof text);
        if (strcmp(text, lb->hash) != 0)
            st = rq_session_fail(job->job.s, RQ_ERR_CORRUPT,
                                 "block %s decoded to bytes whose hash %s differs from the layout's %s",
                                 lb->block_id, text, lb->hash);
    }
    scan_free(&scan);
    return st;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static rq_status open_layout(decode_job *job, const char *symbols_dir, const char *layout_path,
                             char *path, size_t path_len, rq_layout *layout)
{
    if (layout_path)
        snprintf(path, path_len, "%s", layout_path);
    else if (rq_path_join(path, path_len, symbols_dir, RQ_LAYOUT_FILE_NAME) != 0)
        return rq_session_fail(job->job.s, RQ_ERR_IO, "path too long: %s", symbols_dir);
    char err[512];
    rq_status st = rq_layout_read(path, layout, err, sizeof err);
    if (st != RQ_OK)
        return rq_session_fail(job->job.s, st, "%s: %s", path, err);
    return RQ_OK;
}

static rq_status begin(rq_session *s, decode_job *job, const char *symbols_dir)
{
    memset(job, 0, sizeof *job);
    job->out_fd = -1;
    job->symbols_dir = symbols_dir;
    return rq_job_begin(s, &job->job);
}

static void end(decode_job *job)
{
    rq_job_buffers_free(&job->job, &job->mem);
    if (job->out_fd >= 0)
        close(job->out_fd);
    rq_job_end(&job->job);
}

rq_status rq_decode_symbols(rq_session *s, const char *symbols_dir, const char *output,
                            const char *layout_path, rq_file_result *result)
{
    if (!s || !symbols_dir || !output)
        return RQ_ERR_INVALID_ARGUMENT;
    if (result)
        memset(result, 0, sizeof *result);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    decode_job job;
    rq_status st = begin(s, &job, symbols_dir);
    if (st != RQ_OK)
        return st;
    rq_layout layout;
    memset(&layout, 0, sizeof layout);
    char lpath[4096], tmp[4096];
    tmp[0] = '\0';
    rq_chunk_report *reports = NULL;
    st = open_layout(&job, symbols_dir, layout_path, lpath, sizeof lpath, &layout);
    if (st == RQ_OK && !job.job.cfg.overwrite && access(output, F_OK) == 0)
        st = rq_session_fail(s, RQ_ERR_EXISTS, "%s exists (allow overwriting to replace it)", output);
    if (st == RQ_OK && rq_temp_path(tmp, sizeof tmp, output) != 0)
        st = rq_session_fail(s, RQ_ERR_IO, "path too long: %s", output);
    if (st == RQ_OK) {
        job.out_fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (job.out_fd < 0)
            st = rq_session_fail(s, RQ_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
        else if (ftruncate(job.out_fd, (off_t)layout.file_size) != 0)
            st = rq_session_fail(s, RQ_ERR_IO, "cannot size %s: %s", tmp, strerror(errno));
    }
    reports = calloc(layout.n_blocks + 1, sizeof *reports);
    if (st == RQ_OK && !reports)
        st = RQ_ERR_NO_MEMORY;
    job.total = layout.file_size;
    for (size_t i = 0; st == RQ_OK && i < layout.n_blocks; i++)
        st = process_chunk(&job, i, &layout.blocks[i], 1, &reports[i]);
    if (st == RQ_OK && close(job.out_fd) != 0)
        st = rq_session_fail(s, RQ_ERR_IO, "writing %s: %s", tmp, strerror(errno));
    if (st == RQ_OK) {
        job.out_fd = -1;
        int r = rq_commit_temp(tmp, output, job.job.cfg.overwrite);
        tmp[0] = '\0';
        if (r == -2)
            st = rq_session_fail(s, RQ_ERR_EXISTS, "%s appeared while decoding; not replaced", output);
        else if (r != 0)
            st = rq_session_fail(s, RQ_ERR_IO, "renaming to %s: %s", output, strerror(errno));
    }
    if (tmp[0])
        unlink(tmp);
    if (st == RQ_OK && result)
        st = rq_job_result_with_reports(&layout, "decode", symbols_dir, lpath, seconds_since(&t0),
                                        reports, result);
    free(reports);
    rq_layout_free(&layout);
    end(&job);
    return st;
}

rq_status rq_verify_symbols(rq_session *s, const char *symbols_dir, const char *layout_path,
                            rq_file_result *result)
{
    if (!s || !symbols_dir)
        return RQ_ERR_INVALID_ARGUMENT;
    if (result)
        memset(result, 0, sizeof *result);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    decode_job job;
    rq_status st = begin(s, &job, symbols_dir);
    if (st != RQ_OK)
        return st;
    rq_layout layout;
    memset(&layout, 0, sizeof layout);
    char lpath[4096];
    st = open_layout(&job, symbols_dir, layout_path, lpath, sizeof lpath, &layout);
    rq_chunk_report *reports = calloc(layout.n_blocks + 1, sizeof *reports);
    if (st == RQ_OK && !reports)
        st = RQ_ERR_NO_MEMORY;
    int all = 1;
    for (size_t i = 0; st == RQ_OK && i < layout.n_blocks; i++) {
        st = process_chunk(&job, i, &layout.blocks[i], 0, &reports[i]);
        all &= reports[i].decodable;
        if (st == RQ_OK)
            st = rq_job_report(&job.job, i + 1, layout.n_blocks);
    }
    if (st == RQ_OK && result)
        st = rq_job_result_with_reports(&layout, "verify", symbols_dir, lpath, seconds_since(&t0),
                                        reports, result);
    if (st == RQ_OK && !all)
        st = rq_session_fail(s, RQ_ERR_NEED_MORE_SYMBOLS, "not every block can be decoded");
    free(reports);
    rq_layout_free(&layout);
    end(&job);
    return st;
}

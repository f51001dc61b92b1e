/*
 * Rebuilding a file from the symbol files that survive, checking them, and
 * repairing a symbol directory (its lost symbols rebuilt the same way, then
 * written as runtime/symbol_repair.h says).
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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/block_encoder.h"
#include "core/params.h"
#include "core/plan.h"
#include "core/plan_cache.h"
#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "runtime/block_passes.h"
#include "runtime/file_jobs.h"
#include "runtime/fs_util.h"
#include "runtime/job_memory.h"
#include "runtime/job_stages.h"
#include "runtime/pass_engine.h"
#include "runtime/split_hash.h"
#include "runtime/session_internal.h"
#include "runtime/symbol_files.h"
#include "runtime/symbol_repair.h"
#include "runtime/temp_file.h"
#include "runtime/workers.h"

#define MIB (1024ull * 1024ull)

/* A good symbol file: where it is, and what it was when checked. */
typedef struct held_symbol {
    uint32_t sbn, esi;
    size_t index;             /* in the layout's list */
    int dir_fd;               /* one of the chunk scan's folders */
    const char *id;           /* the layout's */
    rq_file_identity identity;
    const char *gone;         /* why it can no longer be used (vanished, changed), or NULL */
} held_symbol;

/* Folders a chunk's symbols may be in: its own, block_<index>, the symbols dir itself. */
#define CHUNK_DIRS 3

typedef struct chunk_scan {
    held_symbol *held;
    size_t n_held;
    int dirs[CHUNK_DIRS];
    const char *dir_names[CHUNK_DIRS]; /* relative to the symbols dir ("" = itself) */
    char alt[32];
    int n_dirs;
    uint8_t *state;    /* per layout entry: an rq_symbol_check */
    uint8_t *found_in; /* per layout entry: the dirs[] index a damaged file was found in */
    rq_chunk_report report;
    char first_bad[160]; /* the first damaged file, for the message */
} chunk_scan;

typedef struct decode_job {
    rq_job job;
    const char *symbols_dir;
    int sym_fd;              /* the symbols dir: nothing inside it is reached through a link */
    rq_temp_file out;
    uint64_t layout_bytes;   /* what the parsed layout holds, charged with every reservation */
    uint64_t done, total;
    rq_job_buffers mem;
} decode_job;

/* A used symbol could not be read as checked: the block is chosen and solved again without it. */
#define SYMBOL_GONE ((rq_status)-1000)

static void scan_free(chunk_scan *scan)
{
    for (int d = 0; d < scan->n_dirs; d++)
        close(scan->dirs[d]);
    free(scan->held);
    free(scan->state);
    free(scan->found_in);
    memset(scan, 0, sizeof *scan);
}

/* A reservation of bytes besides what the parsed layout holds (capped at the job's budget). */
static rq_status reserve(decode_job *job, uint64_t bytes)
{
    uint64_t want = bytes + job->layout_bytes, cap = rq_job_budget(&job->job);
    return rq_job_buffers_reserve(&job->job, &job->mem, want < cap ? want : cap);
}

/* What the reservation leaves for a block's passes once the layout is counted. */
static uint64_t room(const decode_job *job)
{
    return job->mem.reserved > job->layout_bytes ? job->mem.reserved - job->layout_bytes : 0;
}

/*
 * Opens the chunk's folders inside the symbols dir, never through a
 * symbolic link: a linked folder is not looked in (its symbols count as
 * missing).
 */
static void open_chunk_dirs(const decode_job *job, size_t index, const rq_layout_block *b,
                            chunk_scan *scan)
{
    snprintf(scan->alt, sizeof scan->alt, "block_%zu", index);
    const char *names[CHUNK_DIRS] = {b->dir, scan->alt, ""};
    for (int c = 0; c < CHUNK_DIRS; c++) {
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
    decode_job *job;
    size_t index;
    const rq_layout_block *b;
    const chunk_scan *scan;
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

/* Checks every symbol file of a chunk (on all workers), then tallies them in layout order. */
static rq_status scan_chunk(decode_job *job, size_t index, const rq_layout_block *b,
                            chunk_scan *scan)
{
    memset(scan, 0, sizeof *scan);
    rq_job *rj = &job->job;
    size_t len = 4u + b->oti.symbol_size;
    uint64_t packets_bytes = (uint64_t)rj->threads * len;
    rq_status st = reserve(job, packets_bytes);
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
                (held_symbol){c->sbn, c->esi, i, c->dir_fd, b->symbols[i], c->identity, NULL};
        }
    }
    free(x.checks);
    return st;
}

/* The symbols of one source block chosen for decoding, and the plan for them. */
typedef struct block_choice {
    rq_block_constants c;
    held_symbol **use;       /* sources first, then repairs */
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
    uint32_t x = (*(held_symbol *const *)a)->esi, y = (*(held_symbol *const *)b)->esi;
    return x < y ? -1 : x > y;
}

static rq_status choose_symbols(rq_context *ctx, chunk_scan *scan, uint32_t sbn, uint32_t K,
                                block_choice *ch)
{
    memset(ch, 0, sizeof *ch);
    rq_params_for(K, &ch->c);
    ch->use = calloc(scan->n_held + 1, sizeof *ch->use);
    ch->have_source = calloc(K, 1);
    if (!ch->use || !ch->have_source)
        return RQ_ERR_NO_MEMORY;
    uint32_t repairs_available = 0;
    for (size_t i = 0; i < scan->n_held; i++) {
        held_symbol *h = &scan->held[i];
        if (h->sbn != sbn || h->gone)
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
    held_symbol **rep = ch->use + ch->n_source;
    for (size_t i = 0; i < scan->n_held; i++)
        if (scan->held[i].sbn == sbn && scan->held[i].esi >= K && !scan->held[i].gone)
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
        rq_status st = rq_plan_build(ctx, &ch->c, isis, ch->n_use + padding, &ch->plan);
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

/* Reads what was checked, or marks the symbol gone (SYMBOL_GONE: the block is solved again). */
static rq_status read_slice(decode_job *job, held_symbol *h, size_t w0, size_t width, uint8_t *dst)
{
    const char *why = "";
    int r = rq_symbol_file_read(h->dir_fd, h->id, &h->identity, dst, width, 4u + w0, &why);
    if (r == 1) {
        h->gone = why;
        return SYMBOL_GONE;
    }
    if (r != 0)
        return rq_session_fail(job->job.s, RQ_ERR_IO, "reading symbol file %s: %s", h->id,
                               strerror(errno));
    return RQ_OK;
}

/* One source block's decode and what its passes' items share. */
typedef struct block_decode {
    rq_pass_engine e;
    decode_job *job;
    const rq_layout_block *lb;
    const block_choice *ch;
    const uint32_t *missing; /* source ESIs to rebuild */
    uint32_t n_missing;
    rq_blake3 *chunk_hash;
    rq_symbol_rebuild *rebuild; /* a repair's: the symbols it writes */
} block_decode;

static block_decode *decode_of(rq_pass_engine *e)
{
    return e->user;
}

/* Item k: the pass's slice of used symbol k, into its row (and the buffer if a source). */
static rq_status read_item(rq_pass_engine *e, uint32_t w, size_t k)
{
    block_decode *x = decode_of(e);
    const block_choice *ch = x->ch;
    size_t W = e->pass->width;
    uint8_t *dst = e->plan ? e->rows + (size_t)rq_plan_input_row(e->plan, (uint32_t)k) * e->row_stride
                           : e->scratch + (size_t)w * e->scratch_stride;
    rq_status st = read_slice(x->job, ch->use[k], e->pass->w0, W, dst);
    if (st == RQ_OK && ch->use[k]->esi < ch->c.K)
        rq_row_to_pass(e->oti, e->pass, ch->c.K, ch->use[k]->esi, dst, e->buf);
    return st;
}

/* Item m: missing source symbol missing[m], rebuilt from the intermediate symbols. */
static rq_status rebuild_item(rq_pass_engine *e, uint32_t w, size_t m)
{
    block_decode *x = decode_of(e);
    size_t W = e->pass->width;
    uint8_t *slice = e->scratch + (size_t)w * e->scratch_stride;
    rq_encode_isi(e->c, e->job->kernels, e->rows, e->row_stride, e->plan->intermediate, x->missing[m],
                  slice, W);
    rq_row_to_pass(e->oti, e->pass, e->c->K, x->missing[m], slice, e->buf);
    return RQ_OK;
}

/*
 * The one item writes the pass's bytes, all of them: writes to one file are
 * serialized by the kernel anyway, and two workers writing would only
 * contend for its lock. The chunk hash takes them meanwhile.
 */
static rq_status write_item(rq_pass_engine *e, uint32_t w, size_t item)
{
    (void)w;
    (void)item;
    block_decode *x = decode_of(e);
    if (e->real && rq_pwrite_full(x->job->out.fd, e->buf, e->real,
                                  x->lb->original_offset + e->start) != 0)
        return rq_session_fail(x->job->job.s, RQ_ERR_IO, "writing the output: %s", strerror(errno));
    return RQ_OK;
}

static rq_status fill_pass(rq_pass_engine *e)
{
    return rq_pass_stage(e, read_item, decode_of(e)->ch->n_use);
}

static rq_status take_pass(rq_pass_engine *e)
{
    block_decode *x = decode_of(e);
    rq_status st = e->plan ? rq_pass_stage(e, rebuild_item, x->n_missing) : RQ_OK;
    return st == RQ_OK ? rq_pass_stage_hashing(e, x->chunk_hash, write_item, 1, 1) : st;
}

static const rq_pass_ops decode_pass_ops = {.fill = fill_pass, .take = take_pass};

/* Runs x's passes with ops, its buffers fitted to what the reservation leaves. */
static rq_status run_passes(block_decode *x, const rq_pass_ops *ops)
{
    decode_job *job = x->job;
    rq_job *rj = &job->job;
    /* Scratch as large as the next chunk's scan wants too (a packet per
     * worker), so the buffers are not reallocated chunk after chunk. */
    uint64_t need = 0;
    rq_status st = rq_pass_engine_prepare(&x->e, &job->mem, room(job), 0,
                                          4u + x->lb->oti.symbol_size, &need);
    if (st == RQ_ERR_MEMORY_BUDGET)
        st = rq_session_fail(rj->s, RQ_ERR_MEMORY_BUDGET,
                             "block %s: a sub-block needs %llu MiB; the memory budget is %llu MiB",
                             x->lb->block_id, (unsigned long long)(need / MIB + 1),
                             (unsigned long long)(rq_job_budget(rj) / MIB));
    if (st == RQ_OK)
        st = rq_pass_engine_run(&x->e, ops);
    rq_pass_engine_release(&x->e);
    return st;
}

static rq_pass_engine block_engine(block_decode *x, const rq_block_layout *bl, const rq_plan *plan)
{
    decode_job *job = x->job;
    return (rq_pass_engine){.job = &job->job, .oti = &x->lb->oti, .c = &x->ch->c, .plan = plan,
                            .n_filled = x->ch->n_use, .block_offset = bl->offset,
                            .chunk_size = x->lb->size, .done = &job->done, .total = job->total,
                            .user = x};
}

static rq_status decode_block(decode_job *job, const rq_layout_block *lb, const rq_block_layout *bl,
                              const block_choice *ch, rq_blake3 *hash)
{
    uint32_t K = ch->c.K;
    uint32_t *missing = malloc((size_t)K * sizeof *missing + 1);
    if (!missing)
        return RQ_ERR_NO_MEMORY;
    block_decode x = {.job = job, .lb = lb, .ch = ch, .missing = missing, .chunk_hash = hash};
    for (uint32_t i = 0; i < K; i++)
        if (!ch->have_source[i])
            missing[x.n_missing++] = i;
    x.e = block_engine(&x, bl, ch->plan);
    rq_status st = run_passes(&x, &decode_pass_ops);
    free(missing);
    return st;
}

/* The symbol files of chunk lb a repair writes, block by block (folders as in scan). */
typedef struct chunk_repair {
    rq_symbol_slot *slots;
    uint32_t *esis;
    const char **ids, **dirs;
    char folders[CHUNK_DIRS + 1][RQ_PATH_CAP]; /* scan's, then where missing files go */
    const char *missing_folder;                /* that one's name in the symbols dir */
} chunk_repair;

/*
 * The folder a chunk's missing files go into, relative to the symbols dir:
 * where its good files are, else the one the layout names, else
 * block_<index>, where encodes put them.
 */
static const char *chunk_folder_name(const rq_layout_block *lb, const chunk_scan *scan)
{
    for (int d = 0; scan->n_held && d < scan->n_dirs; d++)
        if (scan->dirs[d] == scan->held[0].dir_fd)
            return scan->dir_names[d];
    return lb->dir[0] ? lb->dir : scan->alt;
}

/* Makes folder name (path: its full path) inside the symbols dir if absent; never a symbolic link. */
static rq_status make_chunk_folder(decode_job *job, const char *name, const char *path)
{
    rq_session *s = job->job.s;
    struct stat st;
    if (!name[0])
        return RQ_OK;
    if (fstatat(job->sym_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && rq_make_dirs(path) != 0)
        return rq_session_fail(s, RQ_ERR_IO, "creating %s: %s", path, strerror(errno));
    if (fstatat(job->sym_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
        return rq_session_fail(s, RQ_ERR_IO, "%s is not a folder (a symbolic link is not written through)",
                               path);
    return RQ_OK;
}

/* Item m of a repair: symbol rebuild->esis[m]'s slice, from the intermediate symbols, staged. */
static rq_status repair_item(rq_pass_engine *e, uint32_t w, size_t m)
{
    block_decode *x = decode_of(e);
    const rq_symbol_rebuild *rb = x->rebuild;
    size_t W = e->pass->width;
    uint8_t *slice = e->scratch + (size_t)w * e->scratch_stride;
    uint32_t esi = rb->esis[m];
    uint32_t isi = esi < e->c->K ? esi : esi + (e->c->K_prime - e->c->K);
    rq_encode_isi(e->c, e->job->kernels, e->rows, e->row_stride, e->plan->intermediate, isi, slice, W);
    if (rq_symbol_rebuild_put(rb, m, slice, e->pass->w0, W) != 0)
        return rq_session_fail(x->job->job.s, RQ_ERR_IO, "writing the repair's scratch file in %s: %s",
                               x->job->symbols_dir, strerror(errno));
    return RQ_OK;
}

static rq_status take_repair_pass(rq_pass_engine *e)
{
    return rq_pass_stage(e, repair_item, decode_of(e)->rebuild->n);
}

static const rq_pass_ops repair_pass_ops = {.fill = fill_pass, .take = take_repair_pass};

/* Checks the staged symbols against their names and writes them. */
static rq_status commit_rebuild(decode_job *job, const rq_layout_block *lb, rq_symbol_rebuild *rb)
{
    size_t which = 0;
    switch (rq_symbol_rebuild_commit(rb, job->mem.scratch, &which)) {
    case RQ_REBUILD_WRITTEN:
        return RQ_OK;
    case RQ_REBUILD_MISMATCH:
        return rq_session_fail(job->job.s, RQ_ERR_CORRUPT,
                               "block %s: symbol %u of source block %u was rebuilt to bytes that do not "
                               "hash to its name %s; nothing of that source block was written",
                               lb->block_id, rb->esis[which], rb->sbn, rb->ids[which]);
    default:
        return rq_session_fail(job->job.s, RQ_ERR_IO, "writing symbol file %s/%s: %s", rb->dirs[which],
                               rb->ids[which], strerror(errno));
    }
}

/*
 * Rebuilds the symbols rb names from the chosen ones. With every source
 * symbol held there is no decode plan: the encoding plan (the context's
 * cached one) takes the sources in ESI order.
 */
static rq_status repair_block(decode_job *job, const rq_layout_block *lb, const rq_block_layout *bl,
                              block_choice *ch, rq_symbol_rebuild *rb)
{
    const chunk_repair *cr = rb->user;
    const rq_plan *cached = NULL;
    rq_status st = RQ_OK;
    if (!ch->plan) {
        qsort(ch->use, ch->n_source, sizeof *ch->use, by_esi);
        st = rq_plan_cache_acquire(job->job.ctx, ch->c.K_prime, &cached);
    }
    block_decode x = {.job = job, .lb = lb, .ch = ch, .rebuild = rb};
    x.e = block_engine(&x, bl, ch->plan ? ch->plan : cached);
    if (st == RQ_OK && rq_symbol_rebuild_open(rb, job->symbols_dir) != 0)
        st = rq_session_fail(job->job.s, RQ_ERR_IO, "creating the repair's scratch file in %s: %s",
                             job->symbols_dir, strerror(errno));
    if (st == RQ_OK)
        st = run_passes(&x, &repair_pass_ops);
    /* The folder for missing files is made only once they are ready to be written. */
    int writes_missing = 0;
    for (size_t m = 0; m < rb->n; m++)
        writes_missing |= rb->dirs[m] == cr->folders[CHUNK_DIRS];
    if (st == RQ_OK && writes_missing)
        st = make_chunk_folder(job, cr->missing_folder, cr->folders[CHUNK_DIRS]);
    if (st == RQ_OK)
        st = commit_rebuild(job, lb, rb);
    rq_symbol_rebuild_discard(rb);
    if (cached)
        rq_plan_cache_release(job->job.ctx, cached);
    return st;
}

/* How messages name a chunk: an unchunked layout's only one has no id. */
static const char *block_name(const rq_layout_block *lb)
{
    return lb->block_id[0] ? lb->block_id : "(file)";
}

/* A used symbol turned out gone: it no longer counts as good. */
static void count_gone(chunk_scan *scan)
{
    for (size_t i = 0; i < scan->n_held; i++) {
        held_symbol *h = &scan->held[i];
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

/* What a chunk's processing does besides counting its symbols. */
typedef enum chunk_mode {
    MODE_VERIFY = 0, /* nothing */
    MODE_DECODE = 1, /* its bytes into the output */
    MODE_REPAIR = 2  /* its missing and damaged symbol files written again */
} chunk_mode;

/*
 * Chooses the symbols of block sbn and, by mode, rebuilds its bytes or the
 * symbols rb names. A symbol that vanished or changed since its check is
 * dropped and the block chosen and solved again from the others; the chunk
 * hash and the progress go back to where the block began, and its bytes
 * are written anew.
 */
static rq_status process_block(decode_job *job, const rq_layout_block *lb, uint32_t sbn,
                               chunk_mode mode, chunk_scan *scan, rq_blake3 *hash,
                               rq_symbol_rebuild *rb, rq_chunk_report *report)
{
    int decode = mode != MODE_VERIFY;
    rq_block_layout bl;
    rq_oti_block_layout(&lb->oti, sbn, &bl);
    /* One reservation per block, made before the solve: the plan and,
     * when decoding, the pass buffers (runtime/job_memory.h). */
    rq_block_constants c;
    rq_params_for(bl.source_symbols, &c);
    uint64_t reserved = decode ? rq_job_block_reservation(&job->job, &c, lb->oti.symbol_size,
                                                          c.K_prime + RQ_DECODE_EXTRA_SYMBOLS)
                               : rq_job_plan_bound(&c);
    rq_status st = reserve(job, reserved);
    rq_blake3 hash_before = *hash;
    uint64_t done_before = job->done;
    while (st == RQ_OK) {
        block_choice ch;
        st = choose_symbols(job->job.ctx, scan, sbn, bl.source_symbols, &ch);
        if (st == RQ_OK && ch.needed) {
            report->decodable = 0;
            report->needed += ch.needed;
        }
        if (st == RQ_OK && mode == MODE_DECODE && report->decodable)
            st = decode_block(job, lb, &bl, &ch, hash);
        if (st == RQ_OK && mode == MODE_REPAIR && !ch.needed)
            st = repair_block(job, lb, &bl, &ch, rb);
        if (st == RQ_OK && mode == MODE_REPAIR && !ch.needed)
            report->rewritten += rb->n;
        choice_free(&ch);
        if (st != SYMBOL_GONE)
            break;
        count_gone(scan);
        *hash = hash_before;
        job->done = done_before;
        st = RQ_OK;
    }
    return st;
}

/* The (SBN, ESI) of every layout entry of the chunk, from the order its good files agree with. */
static rq_status chunk_slots(decode_job *job, const rq_layout_block *lb, const chunk_scan *scan,
                             rq_symbol_slot *slots)
{
    size_t *index = malloc((scan->n_held + 1) * sizeof *index);
    rq_symbol_slot *known = malloc((scan->n_held + 1) * sizeof *known);
    rq_status st = index && known ? RQ_OK : RQ_ERR_NO_MEMORY;
    for (size_t i = 0; st == RQ_OK && i < scan->n_held; i++) {
        index[i] = scan->held[i].index;
        known[i] = (rq_symbol_slot){scan->held[i].sbn, scan->held[i].esi};
    }
    if (st == RQ_OK && rq_layout_symbol_slots(lb, index, known, scan->n_held, slots) != RQ_OK)
        st = rq_session_fail(job->job.s, RQ_ERR_LAYOUT,
                             "block %s: cannot tell which symbols its missing and damaged files are: "
                             "the payload IDs of its good files fit neither librq's nor rq-library's "
                             "order of the layout's %zu entries", block_name(lb), lb->n_symbols);
    free(index);
    free(known);
    return st;
}

/* The missing and damaged entries of source block sbn into rb: each damaged one where it was found. */
static void block_rebuild_list(const rq_layout_block *lb, const chunk_scan *scan, chunk_repair *cr,
                               uint32_t sbn, rq_symbol_rebuild *rb)
{
    rb->n = 0;
    rb->sbn = sbn;
    rb->user = cr;
    rb->esis = cr->esis;
    rb->ids = cr->ids;
    rb->dirs = cr->dirs;
    for (size_t i = 0; i < lb->n_symbols; i++) {
        if (cr->slots[i].sbn != sbn || scan->state[i] == RQ_SYMBOL_GOOD)
            continue;
        cr->esis[rb->n] = cr->slots[i].esi;
        cr->ids[rb->n] = lb->symbols[i];
        cr->dirs[rb->n] = scan->state[i] == RQ_SYMBOL_CORRUPT ? cr->folders[scan->found_in[i]]
                                                              : cr->folders[CHUNK_DIRS];
        rb->n++;
    }
}

/* Writes the missing and damaged symbol files of chunk lb again, source block by source block. */
static rq_status repair_chunk(decode_job *job, const rq_layout_block *lb, chunk_scan *scan,
                              rq_blake3 *hash, rq_chunk_report *report)
{
    uint64_t done_before = job->done;
    if (report->corrupt + report->missing == 0) {
        job->done += lb->size;
        return RQ_OK;
    }
    chunk_repair *cr = calloc(1, sizeof *cr);
    size_t n = lb->n_symbols + 1;
    rq_status st = cr ? RQ_OK : RQ_ERR_NO_MEMORY;
    if (st == RQ_OK) {
        cr->slots = malloc(n * sizeof *cr->slots);
        cr->esis = malloc(n * sizeof *cr->esis);
        cr->ids = malloc(n * sizeof *cr->ids);
        cr->dirs = malloc(n * sizeof *cr->dirs);
        st = cr->slots && cr->esis && cr->ids && cr->dirs ? RQ_OK : RQ_ERR_NO_MEMORY;
    }
    for (int d = 0; st == RQ_OK && d < scan->n_dirs; d++)
        if (rq_path_join(cr->folders[d], RQ_PATH_CAP, job->symbols_dir, scan->dir_names[d]) != 0)
            st = rq_session_fail(job->job.s, RQ_ERR_IO, "path too long: %s", job->symbols_dir);
    if (st == RQ_OK) {
        cr->missing_folder = chunk_folder_name(lb, scan);
        if (rq_path_join(cr->folders[CHUNK_DIRS], RQ_PATH_CAP, job->symbols_dir, cr->missing_folder) != 0)
            st = rq_session_fail(job->job.s, RQ_ERR_IO, "path too long: %s", job->symbols_dir);
    }
    if (st == RQ_OK)
        st = chunk_slots(job, lb, scan, cr->slots);
    for (uint32_t sbn = 0; st == RQ_OK && sbn < lb->oti.source_blocks; sbn++) {
        rq_symbol_rebuild rb = {.blake3 = job->job.blake3, .T = lb->oti.symbol_size};
        block_rebuild_list(lb, scan, cr, sbn, &rb);
        if (rb.n)
            st = process_block(job, lb, sbn, MODE_REPAIR, scan, hash, &rb, report);
    }
    job->done = done_before + lb->size;
    if (cr) {
        free(cr->slots);
        free(cr->esis);
        free(cr->ids);
        free(cr->dirs);
    }
    free(cr);
    return st;
}

/*
 * Scans one chunk and, by mode, rebuilds it into the output or repairs its
 * symbol files. report gets the counts; decodable/needed from the symbols
 * found.
 */
static rq_status process_chunk(decode_job *job, size_t index, const rq_layout_block *lb,
                               chunk_mode mode, rq_chunk_report *report)
{
    chunk_scan scan;
    rq_status st = scan_chunk(job, index, lb, &scan);
    rq_blake3 hash;
    rq_blake3_init_with(&hash, job->job.blake3);
    report->decodable = 1;
    report->good = scan.report.good;
    report->corrupt = scan.report.corrupt;
    report->missing = scan.report.missing;
    if (mode == MODE_REPAIR && st == RQ_OK)
        st = repair_chunk(job, lb, &scan, &hash, report);
    for (uint32_t sbn = 0; mode != MODE_REPAIR && st == RQ_OK && sbn < lb->oti.source_blocks; sbn++)
        st = process_block(job, lb, sbn, mode, &scan, &hash, NULL, report);
    report->good = scan.report.good;
    report->corrupt = scan.report.corrupt;
    report->missing = scan.report.missing;
    int decode = mode == MODE_DECODE;
    if (st == RQ_OK && decode && !report->decodable)
        st = rq_session_fail(job->job.s, RQ_ERR_NEED_MORE_SYMBOLS,
                             "block %s needs at least %u more symbols: %llu of %zu symbol files "
                             "are good (%llu missing, %llu damaged%s%s)",
                             block_name(lb), report->needed, (unsigned long long)report->good,
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
                                 block_name(lb), text, lb->hash);
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

#define RQ_MIB_OF(bytes) ((unsigned long long)(((bytes) + MIB - 1) / MIB))

/* Opens the layout: the one named (links followed), else the symbols dir's own (no link). */
static int open_layout_file(const decode_job *job, const char *layout_path)
{
    return layout_path ? rq_open_regular(AT_FDCWD, layout_path, 1, NULL)
                       : rq_open_regular(job->sym_fd, RQ_LAYOUT_FILE_NAME, 0, NULL);
}

/*
 * Reads and parses the layout with its memory charged to the budgets: the
 * text, then the parse's bound (rq_layout_parse_cost); the model it leaves
 * stays charged with every later reservation of the job.
 */
static rq_status load_layout(decode_job *job, const char *path, int fd, rq_layout *layout)
{
    rq_session *s = job->job.s;
    char err[512];
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    /* Above the cap it is refused by the load without reading: no charge for it. */
    rq_status r = size > RQ_LAYOUT_MAX_FILE_BYTES ? RQ_OK
                                                  : rq_job_buffers_reserve(&job->job, &job->mem, size);
    if (r == RQ_OK)
        r = rq_layout_load(fd, &text, &len, err, sizeof err);
    else
        snprintf(err, sizeof err, "%s", "");
    uint64_t cost = r == RQ_OK ? len + rq_layout_parse_cost(text, len) : size;
    if (r == RQ_OK)
        r = rq_job_buffers_reserve(&job->job, &job->mem, cost);
    if (r == RQ_OK) {
        r = rq_layout_parse(text, len, layout, err, sizeof err);
        job->layout_bytes = rq_layout_model_bytes(layout);
    }
    free(text);
    if (r == RQ_ERR_MEMORY_BUDGET)
        return rq_session_fail(s, r, "%s: reading this %llu MiB layout takes about %llu MiB; the "
                                     "memory budget is %llu MiB",
                               path, RQ_MIB_OF(size), RQ_MIB_OF(cost),
                               (unsigned long long)(rq_job_budget(&job->job) / MIB));
    if (r != RQ_OK && err[0])
        return rq_session_fail(s, r, "%s: %s", path, err);
    return r == RQ_OK ? RQ_OK : rq_session_fail(s, r, "%s: %s", path, rq_strerror(r));
}

static rq_status open_symbols_dir(decode_job *job)
{
    job->sym_fd = open(job->symbols_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (job->sym_fd < 0)
        return rq_session_fail(job->job.s, RQ_ERR_IO, "cannot open the symbols directory %s: %s",
                               job->symbols_dir, strerror(errno));
    return RQ_OK;
}

/*
 * Opens the symbols directory and reads the layout. A named layout is
 * looked at first, so that a missing one is reported before a missing
 * symbols directory.
 */
static rq_status open_inputs(decode_job *job, const char *layout_path, char *path, size_t path_len,
                             rq_layout *layout)
{
    rq_session *s = job->job.s;
    if (layout_path)
        snprintf(path, path_len, "%s", layout_path);
    else if (rq_path_join(path, path_len, job->symbols_dir, RQ_LAYOUT_FILE_NAME) != 0)
        return rq_session_fail(s, RQ_ERR_IO, "path too long: %s", job->symbols_dir);
    rq_status st = layout_path ? RQ_OK : open_symbols_dir(job);
    int fd = st == RQ_OK ? open_layout_file(job, layout_path) : -1;
    if (st == RQ_OK && fd < 0)
        st = rq_session_fail(s, RQ_ERR_IO, "%s: cannot open: %s", path,
                             errno == EINVAL  ? "not a regular file"
                             : errno == ELOOP ? "a symbolic link inside the symbols directory (not followed)"
                                              : strerror(errno));
    if (st == RQ_OK)
        st = load_layout(job, path, fd, layout);
    if (fd >= 0)
        close(fd);
    if (st == RQ_OK && layout_path)
        st = open_symbols_dir(job);
    return st;
}

static rq_status begin(rq_session *s, decode_job *job, const char *symbols_dir)
{
    memset(job, 0, sizeof *job);
    job->out.fd = -1;
    job->sym_fd = -1;
    job->symbols_dir = symbols_dir;
    return rq_job_begin(s, &job->job);
}

static void end(decode_job *job)
{
    rq_job_buffers_free(&job->job, &job->mem);
    rq_temp_file_discard(&job->out);
    if (job->sym_fd >= 0)
        close(job->sym_fd);
    rq_job_end(&job->job);
}

/* Whether path (which may not exist yet) is dir itself or lies inside it. */
static int inside(const char *path, const char *dir)
{
    char real_dir[PATH_MAX], parent[PATH_MAX], real_parent[PATH_MAX];
    if (!realpath(dir, real_dir))
        return 0;
    const char *slash = strrchr(path, '/');
    snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    if (!realpath(parent, real_parent))
        return 0;
    size_t n = strlen(real_dir);
    return strncmp(real_parent, real_dir, n) == 0 &&
           (real_parent[n] == '\0' || real_parent[n] == '/' || n == 1);
}

static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/*
 * Whether OUTPUT may be written: never inside the symbols directory, never
 * the layout, never over anything but a regular file (rq_output_check).
 */
static rq_status check_output(decode_job *job, const char *output, const char *layout_file)
{
    rq_session *s = job->job.s;
    if (inside(output, job->symbols_dir))
        return rq_session_fail(s, RQ_ERR_IO, "%s is inside the symbols directory %s; decode "
                                             "somewhere else", output, job->symbols_dir);
    if (same_file(output, layout_file))
        return rq_session_fail(s, RQ_ERR_IO, "%s is the layout being read; decode somewhere else",
                               output);
    switch (rq_output_check(output, job->job.cfg.overwrite)) {
    case RQ_OUTPUT_EXISTS:
        return rq_session_fail(s, RQ_ERR_EXISTS, "%s exists (allow overwriting to replace it)", output);
    case RQ_OUTPUT_NOT_REGULAR:
        return rq_session_fail(s, RQ_ERR_IO, "%s exists and is not a regular file; not replacing it",
                               output);
    default:
        return RQ_OK;
    }
}

/* The output's temporary file beside it, sized; stale ones of killed runs are removed first. */
static rq_status open_output(decode_job *job, const char *output, uint64_t size)
{
    rq_session *s = job->job.s;
    char dir[4096];
    const char *slash = strrchr(output, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - output) + (slash == output) : 1,
             slash ? output : ".");
    rq_temp_clean_stale(dir, slash ? slash + 1 : output);
    if (rq_temp_file_open(&job->out, output, 0644) != 0)
        return rq_session_fail(s, RQ_ERR_IO, "cannot create a file beside %s: %s", output,
                               strerror(errno));
    if (ftruncate(job->out.fd, (off_t)size) != 0)
        return rq_session_fail(s, RQ_ERR_IO, "cannot size the output for %s: %s", output,
                               strerror(errno));
    return RQ_OK;
}

static rq_status commit_output(decode_job *job, const char *output)
{
    rq_session *s = job->job.s;
    int r = rq_temp_file_commit(&job->out, output, job->job.cfg.overwrite);
    if (r == -2)
        return rq_session_fail(s, RQ_ERR_EXISTS, "%s appeared while decoding; not replaced", output);
    if (r != 0)
        return rq_session_fail(s, RQ_ERR_IO, "naming %s: %s", output, strerror(errno));
    return RQ_OK;
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
    char lpath[4096];
    rq_chunk_report *reports = NULL;
    st = open_inputs(&job, layout_path, lpath, sizeof lpath, &layout);
    if (st == RQ_OK)
        st = check_output(&job, output, lpath);
    if (st == RQ_OK)
        st = open_output(&job, output, layout.file_size);
    reports = calloc(layout.n_blocks + 1, sizeof *reports);
    if (st == RQ_OK && !reports)
        st = RQ_ERR_NO_MEMORY;
    job.total = layout.file_size;
    for (size_t i = 0; st == RQ_OK && i < layout.n_blocks; i++)
        st = process_chunk(&job, i, &layout.blocks[i], MODE_DECODE, &reports[i]);
    if (st == RQ_OK)
        st = commit_output(&job, output);
    if (st == RQ_OK && result)
        st = rq_job_result_with_reports(&layout, "decode", symbols_dir, lpath, seconds_since(&t0),
                                        reports, result);
    free(reports);
    rq_layout_free(&layout);
    end(&job);
    return st;
}

/*
 * verify and repair: every chunk scanned (and repaired), the result made,
 * and RQ_ERR_NEED_MORE_SYMBOLS with unfinished when some chunk cannot be
 * decoded. verify reports progress in chunks, repair in bytes.
 */
static rq_status scan_all(rq_session *s, const char *symbols_dir, const char *layout_path,
                          chunk_mode mode, const char *kind, const char *unfinished,
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
    st = open_inputs(&job, layout_path, lpath, sizeof lpath, &layout);
    rq_chunk_report *reports = calloc(layout.n_blocks + 1, sizeof *reports);
    if (st == RQ_OK && !reports)
        st = RQ_ERR_NO_MEMORY;
    job.total = layout.file_size;
    int all = 1;
    for (size_t i = 0; st == RQ_OK && i < layout.n_blocks; i++) {
        st = process_chunk(&job, i, &layout.blocks[i], mode, &reports[i]);
        all &= reports[i].decodable;
        if (st == RQ_OK && mode == MODE_VERIFY)
            st = rq_job_report(&job.job, i + 1, layout.n_blocks);
    }
    if (st == RQ_OK && result)
        st = rq_job_result_with_reports(&layout, kind, symbols_dir, lpath, seconds_since(&t0),
                                        reports, result);
    if (st == RQ_OK && !all)
        st = rq_session_fail(s, RQ_ERR_NEED_MORE_SYMBOLS, "%s", unfinished);
    free(reports);
    rq_layout_free(&layout);
    end(&job);
    return st;
}

rq_status rq_verify_symbols(rq_session *s, const char *symbols_dir, const char *layout_path,
                            rq_file_result *result)
{
    return scan_all(s, symbols_dir, layout_path, MODE_VERIFY, "verify", "not every block can be decoded",
                    result);
}

rq_status rq_repair_symbols(rq_session *s, const char *symbols_dir, const char *layout_path,
                            rq_file_result *result)
{
    return scan_all(s, symbols_dir, layout_path, MODE_REPAIR, "repair",
                    "some source blocks cannot be decoded from the good symbols left and were not "
                    "repaired (the result says how many more each needs); the others were",
                    result);
}

struct rq_chunk_decoder {
    decode_job job;
    rq_layout layout;
    size_t next; /* the first chunk not decoded yet */
    char layout_path[4096];
};

rq_status rq_chunk_decoder_open(const rq_job *frame, const char *symbols_dir, const char *layout_path,
                                int out_fd, rq_chunk_decoder **out)
{
    rq_chunk_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return RQ_ERR_NO_MEMORY;
    d->job.job = *frame;
    d->job.job.charged = 0;
    d->job.job.silent = 1;
    d->job.sym_fd = -1;
    d->job.symbols_dir = symbols_dir;
    rq_status st = open_inputs(&d->job, layout_path, d->layout_path, sizeof d->layout_path, &d->layout);
    /* The parse's reservation goes back; each fill charges the layout's model again with its own. */
    rq_job_buffers_free(&d->job.job, &d->job.mem);
    d->job.out.fd = out_fd;
    d->job.total = d->layout.file_size;
    if (st != RQ_OK) {
        rq_chunk_decoder_close(d);
        return st;
    }
    *out = d;
    return RQ_OK;
}

uint64_t rq_chunk_decoder_file_size(const rq_chunk_decoder *d)
{
    return d->layout.file_size;
}

rq_status rq_chunk_decoder_fill(rq_chunk_decoder *d, uint64_t end)
{
    rq_status st = RQ_OK;
    while (st == RQ_OK && d->next < d->layout.n_blocks && d->layout.blocks[d->next].original_offset < end) {
        rq_chunk_report report;
        memset(&report, 0, sizeof report);
        st = process_chunk(&d->job, d->next, &d->layout.blocks[d->next], MODE_DECODE, &report);
        d->next++;
    }
    rq_job_buffers_free(&d->job.job, &d->job.mem);
    return st;
}

void rq_chunk_decoder_close(rq_chunk_decoder *d)
{
    if (!d)
        return;
    d->job.out.fd = -1; /* the caller's */
    rq_job_buffers_free(&d->job.job, &d->job.mem);
    if (d->job.sym_fd >= 0)
        close(d->job.sym_fd);
    rq_layout_free(&d->layout);
    free(d);
}

/*
 * Encoding a file into symbol files and a layout, in bounded memory.
 *
 * The file is cut into chunks (independent RaptorQ objects). Each source
 * block of a chunk is coded in passes (runtime/block_passes.h): a pass reads
 * one contiguous range of the file with pread, replays the cached encoding
 * plan over that slice of every symbol, and emits the slice of every source
 * and repair symbol. When a whole block fits in one pass, symbol files are
 * written straight away; otherwise the slices go to a staging file in the
 * output directory (symbol-major, written at each slice's offset) and the
 * symbol files are cut from it at the end, since a file's name is the hash
 * of all of its bytes.
 *
 * Every stage of a pass runs on the job's workers (runtime/workers.h): the
 * read, in pieces cut at the chunk hash's subtrees and put straight into
 * the rows (no buffer holds the whole pass); the source and repair symbols,
 * one symbol at a time; and the plan's replay, in column shares of the
 * symbols (one plan, solved once, replayed by all). The output does not
 * depend on the thread count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
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
#include "runtime/chunk_policy.h"
#include "runtime/file_jobs.h"
#include "runtime/dir_lock.h"
#include "runtime/fs_util.h"
#include "runtime/job_memory.h"
#include "runtime/job_stages.h"
#include "runtime/split_hash.h"
#include "runtime/layout.h"
#include "runtime/pass_engine.h"
#include "runtime/session_internal.h"
#include "runtime/symbol_files.h"
#include "runtime/temp_file.h"
#include "runtime/units.h"
#include "runtime/workers.h"

typedef struct encode_job {
    rq_job job;
    int in_fd;
    uint64_t file_size;
    const char *out_dir;   /* symbol files go under it; NULL: IDs only (metadata) */
    const char *stage_dir; /* where a staging file may go */
    uint8_t **created;     /* per chunk, per symbol: this run wrote the file (not found it there) */
    uint64_t done;
    rq_job_buffers mem;
} encode_job;

typedef struct block_ctx {
    rq_pass_engine e; /* its plan, rows, buffers and the pass running */
    encode_job *job;
    rq_block_layout bl;
    uint64_t chunk_offset;
    uint32_t sbn, repairs;
    const char *dir;  /* where symbol files go; NULL: IDs only */
    char **ids;       /* K + repairs entries */
    uint8_t *created; /* as ids: set for each file this run wrote */
    int single;       /* one pass: symbol files straight away, no staging */
    rq_temp_file staging;
    rq_blake3 *chunk_hash;
} block_ctx;

static block_ctx *block_of(rq_pass_engine *e)
{
    return e->user;
}

/* Worker w's scratch: a slice (pass width) and then a whole symbol (T). */
static uint8_t *worker_slice(const rq_pass_engine *e, uint32_t w)
{
    return e->scratch + (size_t)w * e->scratch_stride;
}

/* Emits one finished packet: writes its file (or only names it) and keeps its ID. */
static rq_status emit_packet(block_ctx *b, uint32_t esi, const uint8_t *symbol)
{
    uint32_t T = b->e.oti->symbol_size;
    uint8_t payload_id[4];
    rq_payload_id_write(b->sbn, esi, payload_id, 4);
    char id[RQ_SYMBOL_ID_MAX];
    if (b->dir) {
        /* Without overwriting, a file already there is not this run's to remove later. */
        int r = rq_symbol_file_write(b->job->job.blake3, b->dir, payload_id, symbol, T, id,
                                     b->job->job.cfg.overwrite);
        if (r == -1)
            return rq_session_fail(b->job->job.s, RQ_ERR_IO, "writing a symbol file in %s: %s",
                                   b->dir, strerror(errno));
        b->created[esi] = r == 0;
    } else {
        rq_symbol_id_of_parts(b->job->job.blake3, payload_id, symbol, T, id);
    }
    b->ids[esi] = strdup(id);
    return b->ids[esi] ? RQ_OK : RQ_ERR_NO_MEMORY;
}

/* Hands one symbol's slice on: straight into its file (one pass) or into staging. */
static rq_status put_slice(block_ctx *b, uint32_t esi, const uint8_t *slice)
{
    const rq_pass *p = b->e.pass;
    if (b->single)
        return emit_packet(b, esi, slice);
    if (rq_pwrite_full(b->staging.fd, slice, p->width,
                       (uint64_t)esi * b->e.oti->symbol_size + p->w0) != 0)
        return rq_session_fail(b->job->job.s, RQ_ERR_IO, "writing the staging file in %s: %s",
                               b->job->stage_dir, strerror(errno));
    return RQ_OK;
}

/* Bytes [from, from + len) of the pass's contiguous source range, from the input. */
static rq_status read_range(rq_pass_engine *e, size_t from, uint8_t *dst, size_t len)
{
    block_ctx *b = block_of(e);
    uint64_t at = b->chunk_offset + e->start + from;
    if (rq_pread_full(b->job->in_fd, dst, len, at) != 0)
        return rq_session_fail(b->job->job.s, RQ_ERR_IO, "reading the input at byte %llu: %s",
                               (unsigned long long)at, strerror(errno));
    return RQ_OK;
}

/* Item i: source symbol i's slice, in its row, handed on. */
static rq_status source_item(rq_pass_engine *e, uint32_t w, size_t i)
{
    (void)w;
    uint8_t *row = e->rows + (size_t)rq_plan_input_row(e->plan, (uint32_t)i) * e->row_stride;
    return put_slice(block_of(e), (uint32_t)i, row);
}

/* Item r: repair symbol K + r from the intermediate symbols. */
static rq_status repair_item(rq_pass_engine *e, uint32_t w, size_t r)
{
    const rq_block_constants *c = e->c;
    uint32_t esi = c->K + (uint32_t)r;
    size_t W = e->pass->width;
    uint8_t *slice = worker_slice(e, w);
    rq_encode_isi(c, e->job->kernels, e->rows, e->row_stride, e->plan->intermediate,
                  esi + (c->K_prime - c->K), slice, W);
    return put_slice(block_of(e), esi, slice);
}

/*
 * The pass's source range read piece by piece into the rows (the cached plan
 * numbers its input rows in the order it uses them: plan.h) while the chunk
 * hash takes its bytes, then each source symbol handed on before the replay
 * overwrites its row.
 */
static rq_status fill_pass(rq_pass_engine *e)
{
    rq_status st = rq_pass_stage_read(e, block_of(e)->chunk_hash, read_range);
    return st == RQ_OK ? rq_pass_stage(e, source_item, e->c->K) : st;
}

static rq_status take_pass(rq_pass_engine *e)
{
    return rq_pass_stage(e, repair_item, block_of(e)->repairs);
}

static const rq_pass_ops encode_pass_ops = {.fill = fill_pass, .take = take_pass};

/* Item esi, after a multi-pass block: one symbol file cut out of the staging file. */
static rq_status cut_item(rq_pass_engine *e, uint32_t w, size_t esi)
{
    block_ctx *b = block_of(e);
    uint32_t T = e->oti->symbol_size;
    uint8_t *symbol = worker_slice(e, w) + e->wmax;
    if (rq_pread_full(b->staging.fd, symbol, T, (uint64_t)esi * T) != 0)
        return rq_session_fail(b->job->job.s, RQ_ERR_IO, "reading the staging file in %s: %s",
                               b->job->stage_dir, strerror(errno));
    return emit_packet(b, (uint32_t)esi, symbol);
}

/* A scratch file that is never published: unnamed, so a killed run leaves nothing. */
static rq_status open_staging(block_ctx *b)
{
    if (rq_temp_file_scratch(&b->staging, b->job->stage_dir, "staging") != 0)
        return rq_session_fail(b->job->job.s, RQ_ERR_IO, "creating a staging file in %s: %s",
                               b->job->stage_dir, strerror(errno));
    return RQ_OK;
}

/* Plans the passes and fits the buffers: each worker a slice and a whole symbol. */
static rq_status prepare_block(block_ctx *b)
{
    rq_job *job = &b->job->job;
    uint64_t need = 0;
    rq_status st = rq_pass_engine_prepare(&b->e, &b->job->mem, b->job->mem.reserved,
                                          b->e.oti->symbol_size, 0, &need);
    if (st == RQ_ERR_MEMORY_BUDGET)
        return rq_session_fail(job->s, st,
                               "a sub-block of %u symbols needs %llu MiB; the memory budget is %llu MiB",
                               b->e.c->K, (unsigned long long)(need / RQ_MIB + 1),
                               (unsigned long long)(rq_job_budget(job) / RQ_MIB));
    return st;
}

static rq_status encode_block(block_ctx *b)
{
    rq_job *job = &b->job->job;
    rq_pass_engine *e = &b->e;
    uint32_t K = e->c->K;
    rq_status st = rq_job_buffers_reserve(job, &b->job->mem,
                                          rq_job_block_reservation(job, e->c, e->oti->symbol_size,
                                                                   e->c->K_prime));
    if (st != RQ_OK)
        return st;
    st = rq_plan_cache_acquire(job->ctx, e->c->K_prime, &e->plan);
    if (st != RQ_OK)
        return rq_session_fail(job->s, st, "solving the encoding plan for K'=%u: %s",
                               e->c->K_prime, rq_strerror(st));
    st = prepare_block(b);
    b->single = e->n_passes == 1;
    if (st == RQ_OK && !b->single)
        st = open_staging(b);
    if (st == RQ_OK)
        st = rq_pass_engine_run(e, &encode_pass_ops);
    if (st == RQ_OK && !b->single)
        st = rq_pass_stage(e, cut_item, (size_t)K + b->repairs);
    rq_temp_file_discard(&b->staging);
    rq_pass_engine_release(e);
    rq_plan_cache_release(job->ctx, e->plan);
    return st;
}

/*
 * Repair symbols of source block sbn. librq shares the chunk's count out in
 * proportion to K (the last block takes the rest); rq-library gives every
 * source block the whole count.
 */
static uint64_t block_repairs(const rq_session_settings *cfg, uint32_t sbn, const rq_oti *oti,
                              const rq_object_layout *ol, uint32_t K, uint64_t repair_total,
                              uint64_t *repairs_left)
{
    if (cfg->format == RQ_FORMAT_RQ_LIBRARY)
        return repair_total;
    uint64_t share = sbn + 1 == oti->source_blocks ? *repairs_left
                                                   : (repair_total * K + ol->symbols - 1) / ol->symbols;
    share = share < *repairs_left ? share : *repairs_left;
    *repairs_left -= share;
    return share;
}

static rq_status encode_chunk(encode_job *job, uint32_t index, uint64_t offset, uint64_t size,
                              rq_layout_block *lb)
{
    rq_session *s = job->job.s;
    rq_oti oti;
    rq_status st = rq_chunk_oti(&job->job.cfg, size, &oti);
    if (st != RQ_OK)
        return rq_session_fail(s, st, "no RaptorQ parameters for a %llu-byte chunk: %s",
                               (unsigned long long)size, rq_strerror(st));
    char name[32], id[16], dir[4096];
    snprintf(name, sizeof name, "block_%u", index);
    snprintf(id, sizeof id, "%u", index);
    /* rq-library's layouts name chunk n by the number n, its folder block_<n>. */
    lb->block_id = strdup(job->job.cfg.format == RQ_FORMAT_RQ_LIBRARY ? id : name);
    lb->dir = strdup(name);
    lb->original_offset = offset;
    lb->size = size;
    lb->oti = oti;
    if (!lb->block_id || !lb->dir)
        return RQ_ERR_NO_MEMORY;
    if (job->out_dir) {
        if (rq_path_join(dir, sizeof dir, job->out_dir, name) != 0 || rq_make_dirs(dir) != 0)
            return rq_session_fail(s, RQ_ERR_IO, "creating %s/%s: %s", job->out_dir, name,
                                   strerror(errno));
        rq_temp_clean_stale(dir, NULL);
    }
    uint64_t repair_total = rq_chunk_repair_count(&job->job.cfg, size, oti.symbol_size);
    rq_object_layout ol;
    rq_oti_object_layout(&oti, &ol);
    uint64_t repairs_all = job->job.cfg.format == RQ_FORMAT_RQ_LIBRARY
                               ? repair_total * oti.source_blocks
                               : repair_total;
    if (repairs_all > (uint64_t)RQ_MAX_ESI * oti.source_blocks) /* some block's ESIs would run out */
        return rq_session_fail(s, RQ_ERR_ESI, "chunk %u: %llu repair symbols pass the last ESI "
                               "(2^24 - 1); lower the redundancy", index,
                               (unsigned long long)repairs_all);
    size_t total = (size_t)ol.symbols + (size_t)repairs_all;
    lb->symbols = calloc(total, sizeof *lb->symbols);
    job->created[index] = calloc(total, 1);
    if (!lb->symbols || !job->created[index])
        return RQ_ERR_NO_MEMORY;
    rq_blake3 chunk_hash;
    rq_blake3_init_with(&chunk_hash, job->job.blake3);
    uint64_t repairs_left = repair_total;
    for (uint32_t sbn = 0; sbn < oti.source_blocks && st == RQ_OK; sbn++) {
        block_ctx b;
        rq_block_constants c;
        memset(&b, 0, sizeof b);
        b.job = job;
        b.staging.fd = -1;
        b.sbn = sbn;
        b.chunk_offset = offset;
        b.chunk_hash = &chunk_hash;
        rq_oti_block_layout(&oti, sbn, &b.bl);
        rq_params_for(b.bl.source_symbols, &c);
        b.e = (rq_pass_engine){.job = &job->job, .oti = &oti, .c = &c, .n_filled = c.K,
                               .piecewise = 1, .block_offset = b.bl.offset, .chunk_size = size,
                               .done = &job->done, .total = job->file_size, .user = &b};
        uint64_t repairs = block_repairs(&job->job.cfg, sbn, &oti, &ol, c.K, repair_total,
                                         &repairs_left);
        if (c.K + repairs > RQ_MAX_ESI + 1ull) {
            st = rq_session_fail(s, RQ_ERR_ESI, "chunk %u: %llu repair symbols after %u source "
                                 "symbols pass the last ESI (2^24 - 1); lower the redundancy",
                                 index, (unsigned long long)repairs, c.K);
            break;
        }
        b.repairs = (uint32_t)repairs;
        if (sbn == 0)
            lb->source_symbols = c.K;
        b.dir = job->out_dir ? dir : NULL;
        b.ids = lb->symbols + lb->n_symbols;
        b.created = job->created[index] + lb->n_symbols;
        st = encode_block(&b);
        lb->n_symbols += c.K + b.repairs;
    }
    uint8_t digest[RQ_BLAKE3_OUT_LEN];
    rq_blake3_finalize(&chunk_hash, digest, sizeof digest);
    rq_base58_encode(digest, sizeof digest, lb->hash, sizeof lb->hash);
    return st;
}

/*
 * After a failed or cancelled encode into a directory that was empty: the
 * symbol files this run wrote go again, so that nothing is left under a
 * final name, and only those: a name is a content hash, so a file of the
 * same name may be another run's. (With overwrite the directory may hold an
 * earlier encode's files of the same names, which must stay.)
 */
static void remove_written(const encode_job *job, const rq_layout *layout)
{
    for (size_t c = 0; c < layout->n_blocks; c++) {
        const rq_layout_block *lb = &layout->blocks[c];
        char dir[4096], path[4096];
        if (!lb->dir || !job->created[c] || rq_path_join(dir, sizeof dir, job->out_dir, lb->dir) != 0)
            continue;
        for (size_t i = 0; lb->symbols && i < lb->n_symbols; i++)
            if (lb->symbols[i] && job->created[c][i] &&
                rq_path_join(path, sizeof path, dir, lb->symbols[i]) == 0)
                unlink(path);
        rmdir(dir); /* fails, harmlessly, if anything else is in it */
    }
}

/*
 * Creates the output directory if need be and claims it (runtime/dir_lock.h);
 * without overwrite it must then hold nothing (leftovers of killed runs'
 * temporary files aside). *created says whether this run made it.
 */
static rq_status claim_out_dir(encode_job *job, const char *out_dir, rq_dir_lock *lock, int *created)
{
    rq_session *s = job->job.s;
    struct stat st;
    *created = lstat(out_dir, &st) != 0 && errno == ENOENT;
    if (rq_make_dirs(out_dir) != 0)
        return rq_session_fail(s, RQ_ERR_IO, "cannot create %s: %s", out_dir, strerror(errno));
    int r = rq_dir_lock_take(lock, out_dir);
    if (r == -2)
        return rq_session_fail(s, RQ_ERR_BUSY, "another encode is writing into %s", out_dir);
    if (r != 0)
        return rq_session_fail(s, RQ_ERR_IO, "cannot lock %s: %s", out_dir, strerror(errno));
    if (!job->job.cfg.overwrite && rq_dir_lock_has_entries(out_dir))
        return rq_session_fail(s, RQ_ERR_EXISTS,
                               "output directory %s is not empty (allow overwriting to reuse it)",
                               out_dir);
    return RQ_OK;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Where the outputs go: out_dir (claimed and locked, its layout file named),
 * a layout file of its own, or nowhere (the layout text is handed back).
 * Sets layout_file ("" for nowhere) and the staging directory.
 */
static rq_status prepare_outputs(encode_job *job, const rq_encode_request *req, rq_dir_lock *lock,
                                 int *created_dir, char *layout_file, size_t cap)
{
    rq_session *s = job->job.s;
    static __thread char stage[4096];
    layout_file[0] = '\0';
    if (req->out_dir) {
        job->out_dir = req->out_dir;
        job->stage_dir = req->out_dir;
        rq_status st = claim_out_dir(job, req->out_dir, lock, created_dir);
        if (st != RQ_OK)
            return st;
        if (rq_path_join(layout_file, cap, req->out_dir, RQ_LAYOUT_FILE_NAME) != 0)
            return rq_session_fail(s, RQ_ERR_IO, "path too long: %s", req->out_dir);
        return RQ_OK;
    }
    if (!req->layout_path) {
        const char *tmp = getenv("TMPDIR");
        snprintf(stage, sizeof stage, "%s", tmp && *tmp ? tmp : "/tmp");
        job->stage_dir = stage;
        return RQ_OK;
    }
    snprintf(layout_file, cap, "%s", req->layout_path);
    rq_output_state os = rq_output_check(layout_file, job->job.cfg.overwrite);
    if (os == RQ_OUTPUT_EXISTS)
        return rq_session_fail(s, RQ_ERR_EXISTS, "%s exists (allow overwriting to replace it)",
                               layout_file);
    if (os == RQ_OUTPUT_NOT_REGULAR)
        return rq_session_fail(s, RQ_ERR_IO, "%s exists and is not a regular file; not replacing it",
                               layout_file);
    const char *slash = strrchr(req->layout_path, '/');
    snprintf(stage, sizeof stage, "%.*s", slash ? (int)(slash - req->layout_path) : 1,
             slash ? req->layout_path : ".");
    job->stage_dir = stage;
    return RQ_OK;
}

static rq_status open_input(encode_job *job, const char *input)
{
    rq_session *s = job->job.s;
    struct stat sb;
    job->in_fd = open(input, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (job->in_fd < 0 || fstat(job->in_fd, &sb) != 0)
        return rq_session_fail(s, RQ_ERR_IO, "cannot open input %s: %s", input, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return rq_session_fail(s, RQ_ERR_IO, "input %s is not a regular file", input);
    job->file_size = (uint64_t)sb.st_size;
    return RQ_OK;
}

/* Cuts the file into chunks of the request's or the settings' size and encodes each. */
static rq_status encode_chunks(encode_job *job, const rq_encode_request *req, rq_layout *layout)
{
    /* The job's copy of the settings, not the session's (which may change meanwhile). */
    const rq_session_settings *cfg = &job->job.cfg;
    uint64_t chunk = req->block_size    ? req->block_size
                     : cfg->block_size ? cfg->block_size
                                       : rq_chunk_size_for(cfg, job->file_size);
    size_t n_chunks = job->file_size == 0 ? 0 : (size_t)((job->file_size + chunk - 1) / chunk);
    layout->chunked = n_chunks != 1 || cfg->format == RQ_FORMAT_RQ_LIBRARY;
    layout->file_size = job->file_size;
    layout->blocks = calloc(n_chunks + 1, sizeof *layout->blocks);
    job->created = calloc(n_chunks + 1, sizeof *job->created);
    if (!layout->blocks || !job->created)
        return RQ_ERR_NO_MEMORY;
    rq_status st = RQ_OK;
    for (size_t c = 0; c < n_chunks && st == RQ_OK; c++) {
        uint64_t off = (uint64_t)c * chunk;
        uint64_t size = job->file_size - off < chunk ? job->file_size - off : chunk;
        layout->n_blocks++;
        if (req->before_chunk) {
            /* The caller fills the chunk within the same budget: nothing is held meanwhile. */
            rq_job_buffers_free(&job->job, &job->mem);
            st = req->before_chunk(req->user, off, off + size);
        }
        if (st == RQ_OK)
            st = encode_chunk(job, (uint32_t)c, off, size, &layout->blocks[c]);
    }
    return st;
}

/* Renders the layout in the job's format and writes it where it goes (or hands it back). */
static rq_status publish_layout(encode_job *job, const rq_encode_request *req,
                                const rq_layout *layout, const char *layout_file)
{
    rq_session *s = job->job.s;
    char *json = NULL;
    rq_status st = job->job.cfg.format == RQ_FORMAT_RQ_LIBRARY
                       ? rq_layout_to_json_rq_library(layout, &json)
                       : rq_layout_to_json(layout, &json);
    if (st == RQ_OK && layout_file[0]) {
        int w = rq_write_file_atomic(layout_file, json, strlen(json), job->job.cfg.overwrite);
        if (w == -2)
            st = rq_session_fail(s, RQ_ERR_EXISTS, "%s exists", layout_file);
        else if (w != 0)
            st = rq_session_fail(s, RQ_ERR_IO, "writing %s: %s", layout_file, strerror(errno));
    }
    if (st == RQ_OK && req->layout_json) {
        *req->layout_json = json;
        json = NULL;
    }
    free(json);
    return st;
}

rq_status rq_encode_run(rq_session *s, const rq_encode_request *req, rq_file_result *result)
{
    if (!s || !req || !req->input || (!req->out_dir && !req->layout_path && !req->layout_json))
        return RQ_ERR_INVALID_ARGUMENT;
    if (result)
        memset(result, 0, sizeof *result);
    if (req->layout_json)
        *req->layout_json = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    encode_job job;
    memset(&job, 0, sizeof job);
    job.in_fd = -1;
    rq_status st = req->frame ? RQ_OK : rq_job_begin(s, &job.job);
    if (st != RQ_OK)
        return st;
    if (req->frame) {
        job.job = *req->frame;
        job.job.charged = 0;
    }
    rq_layout layout;
    memset(&layout, 0, sizeof layout);
    char layout_file[4096];
    rq_dir_lock lock = {.fd = -1};
    int created_dir = 0;
    if (req->frame) {
        job.in_fd = req->input_fd; /* the caller's */
        job.file_size = req->input_size;
    } else {
        st = open_input(&job, req->input);
    }
    if (st == RQ_OK &&
        (st = prepare_outputs(&job, req, &lock, &created_dir, layout_file, sizeof layout_file)) == RQ_OK &&
        (st = encode_chunks(&job, req, &layout)) == RQ_OK)
        st = publish_layout(&job, req, &layout, layout_file);
    if (st == RQ_OK && result)
        st = rq_job_result(&layout, req->kind ? req->kind : "encode", req->out_dir,
                           layout_file[0] ? layout_file : NULL,
                           seconds_since(&t0), result);
    if (st != RQ_OK && job.created && !job.job.cfg.overwrite)
        remove_written(&job, &layout);
    rq_dir_lock_drop(&lock);
    if (st != RQ_OK && created_dir)
        rmdir(req->out_dir); /* fails, harmlessly, unless it is empty */
    if (st != RQ_OK && st != RQ_ERR_NO_MEMORY) {
        const char *msg;
        rq_session_last_error(s, &msg);
        if (!*msg)
            rq_session_fail(s, st, "%s", rq_strerror(st));
    }
    if (st != RQ_OK && req->layout_json) {
        free(*req->layout_json);
        *req->layout_json = NULL;
    }
    for (size_t c = 0; job.created && c < layout.n_blocks; c++)
        free(job.created[c]);
    free(job.created);
    if (st == RQ_OK && req->layout)
        *req->layout = layout;
    else
        rq_layout_free(&layout);
    rq_job_buffers_free(&job.job, &job.mem);
    if (job.in_fd >= 0 && !req->frame)
        close(job.in_fd);
    if (!req->frame)
        rq_job_end(&job.job);
    return st;
}

rq_status rq_encode_file(rq_session *s, const char *input, const char *out_dir,
                         rq_file_result *result)
{
    if (!out_dir)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_encode_request req = {.input = input, .out_dir = out_dir};
    return rq_encode_run(s, &req, result);
}

rq_status rq_create_metadata(rq_session *s, const char *input, const char *layout_path,
                             rq_file_result *result)
{
    if (!layout_path)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_encode_request req = {.input = input, .layout_path = layout_path};
    return rq_encode_run(s, &req, result);
}

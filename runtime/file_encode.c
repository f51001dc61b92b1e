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
 * read in 1 MiB pieces, the source and repair symbols one symbol at a time,
 * and the plan's replay in column shares of the symbols (one plan, solved
 * once, replayed by all). The output does not depend on the thread count.
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
#include "runtime/session_internal.h"
#include "runtime/symbol_files.h"
#include "runtime/temp_file.h"
#include "runtime/workers.h"

#define MIB (1024ull * 1024ull)
/* Input is read by the workers in pieces of this size. */
#define RQ_READ_PIECE ((size_t)1 << 20)

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
    encode_job *job;
    const rq_oti *oti;
    rq_block_constants c;
    rq_block_layout bl;
    uint64_t chunk_offset, chunk_size;
    uint32_t sbn, repairs;
    const rq_plan *plan;
    const char *dir; /* where symbol files go; NULL: IDs only */
    char **ids;      /* K + repairs entries */
    uint8_t *created; /* as ids: set for each file this run wrote */
    int single;      /* one pass: symbol files straight away, no staging */
    uint8_t *rows, *pass_buf; /* pass_buf: the pass's source bytes in file order */
    uint8_t *scratch; /* per worker: a slice (pass width) and a whole symbol (T) */
    size_t scratch_stride, wmax;
    rq_temp_file staging;
    /* The pass being run and what its workers share. */
    const rq_pass *pass;
    size_t real;      /* source bytes of the pass inside the chunk */
    rq_split_hash hash; /* the chunk hash's share of the pass */
    rq_stage stage;
} block_ctx;

static uint8_t *worker_slice(const block_ctx *b, uint32_t w)
{
    return b->scratch + (size_t)w * b->scratch_stride;
}

static uint8_t *worker_symbol(const block_ctx *b, uint32_t w)
{
    return worker_slice(b, w) + b->wmax;
}

/* Emits one finished packet: writes its file (or only names it) and keeps its ID. */
static rq_status emit_packet(block_ctx *b, uint32_t esi, const uint8_t *symbol)
{
    uint32_t T = b->oti->symbol_size;
    uint8_t payload_id[4];
    rq_payload_id_write(b->sbn, esi, payload_id, 4);
    char id[RQ_SYMBOL_ID_MAX];
    if (b->dir) {
        /* Without overwriting, a file already there is not this run's to remove later. */
        int r = rq_symbol_file_write(b->job->job.blake3, b->dir, payload_id, symbol, T, id, b->job->job.cfg.overwrite);
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
    uint32_t T = b->oti->symbol_size;
    if (b->single)
        return emit_packet(b, esi, slice);
    if (rq_pwrite_full(b->staging.fd, slice, b->pass->width, (uint64_t)esi * T + b->pass->w0) != 0)
        return rq_session_fail(b->job->job.s, RQ_ERR_IO, "writing the staging file in %s: %s",
                               b->job->stage_dir, strerror(errno));
    return RQ_OK;
}

/* Workers read the pass's contiguous source range in 1 MiB pieces. */
static void read_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)w;
    (void)n;
    block_ctx *b = ctx;
    uint64_t start = b->chunk_offset + b->bl.offset + (uint64_t)b->c.K * b->pass->w0;
    size_t piece;
    while (rq_stage_take(&b->stage, &piece)) {
        size_t from = piece * RQ_READ_PIECE;
        size_t len = b->real - from < RQ_READ_PIECE ? b->real - from : RQ_READ_PIECE;
        if (rq_pread_full(b->job->in_fd, b->pass_buf + from, len, start + from) != 0)
            rq_stage_fail(&b->stage, rq_session_fail(b->job->job.s, RQ_ERR_IO, "reading the input at byte %llu: %s",
                                         (unsigned long long)(start + from), strerror(errno)));
    }
}

/*
 * Items below the chunk hash's item count hash its subtrees (runtime/split_hash.h);
 * each item after that puts one source symbol into its row and hands its slice on.
 */
static void source_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)w;
    (void)n;
    block_ctx *b = ctx;
    size_t W = b->pass->width, item, hashing = rq_split_hash_items(&b->hash);
    while (rq_stage_take(&b->stage, &item)) {
        if (item < hashing) {
            rq_split_hash_item(&b->hash, item);
            continue;
        }
        uint32_t i = (uint32_t)(item - hashing);
        uint8_t *row = b->rows + (size_t)rq_plan_input_row(b->plan, i) * W;
        rq_pass_to_row(b->oti, b->pass, b->c.K, i, b->pass_buf, row);
        rq_status st = put_slice(b, i, row);
        if (st != RQ_OK)
            rq_stage_fail(&b->stage, st);
    }
}

static void replay_worker(void *ctx, uint32_t w, uint32_t n)
{
    block_ctx *b = ctx;
    size_t from, len;
    rq_column_share(b->pass->width, w, n, &from, &len);
    if (len && rq_plan_apply(b->job->job.ctx, b->plan, b->job->job.kernels, b->rows + from, b->pass->width, len) !=
                   RQ_OK)
        rq_stage_fail(&b->stage, RQ_ERR_NO_MEMORY);
}

static void repair_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    block_ctx *b = ctx;
    size_t W = b->pass->width, e;
    uint8_t *slice = worker_slice(b, w);
    while (rq_stage_take(&b->stage, &e)) {
        uint32_t esi = b->c.K + (uint32_t)e;
        rq_encode_isi(&b->c, b->job->job.kernels, b->rows, W, b->plan->intermediate,
                      esi + (b->c.K_prime - b->c.K), slice, W);
        rq_status st = put_slice(b, esi, slice);
        if (st != RQ_OK)
            rq_stage_fail(&b->stage, st);
    }
}

/* Runs one stage of a pass on every worker. */
static rq_status stage(block_ctx *b, rq_worker_fn fn, size_t items)
{
    return rq_stage_run(&b->stage, &b->job->job, fn, b, items);
}

static rq_status run_pass(block_ctx *b, const rq_pass *p, rq_blake3 *chunk_hash)
{
    encode_job *job = b->job;
    uint32_t K = b->c.K;
    size_t W = p->width;
    uint64_t start = b->bl.offset + (uint64_t)K * p->w0; /* within the chunk */
    size_t want = (size_t)K * W;
    b->pass = p;
    b->real = start >= b->chunk_size ? 0
              : (size_t)(b->chunk_size - start < want ? b->chunk_size - start : want);
    /* Read in file order, then each source symbol into its row: the cached
     * plan numbers its input rows in the order it uses them (plan.h). */
    rq_status st = stage(b, read_worker, (b->real + RQ_READ_PIECE - 1) / RQ_READ_PIECE);
    if (st != RQ_OK)
        return st;
    memset(b->pass_buf + b->real, 0, want - b->real);
    job->done += b->real;
    /* The padding symbols K..K'-1 are inputs too, all zero; the plan clears its other rows. */
    for (uint32_t i = K; i < b->plan->n_inputs; i++)
        memset(b->rows + (size_t)rq_plan_input_row(b->plan, i) * W, 0, W);
    /* Source symbols first: the replay overwrites their rows. */
    if ((st = rq_split_hash_begin(&b->hash, chunk_hash, b->pass_buf, b->real)) != RQ_OK)
        return st;
    st = stage(b, source_worker, rq_split_hash_items(&b->hash) + K);
    if (st != RQ_OK) {
        rq_split_hash_abandon(&b->hash);
        return st;
    }
    rq_split_hash_end(&b->hash);
    if ((st = stage(b, replay_worker, job->job.threads)) != RQ_OK ||
        (st = stage(b, repair_worker, b->repairs)) != RQ_OK)
        return st;
    return rq_job_report(&job->job, job->done, job->file_size);
}

/* After a multi-pass block: cut every symbol file out of the staging file. */
static void cut_worker(void *ctx, uint32_t w, uint32_t n)
{
    (void)n;
    block_ctx *b = ctx;
    uint32_t T = b->oti->symbol_size;
    uint8_t *symbol = worker_symbol(b, w);
    size_t esi;
    while (rq_stage_take(&b->stage, &esi)) {
        rq_status st = RQ_OK;
        if (rq_pread_full(b->staging.fd, symbol, T, (uint64_t)esi * T) != 0)
            st = rq_session_fail(b->job->job.s, RQ_ERR_IO, "reading the staging file in %s: %s",
                                 b->job->stage_dir, strerror(errno));
        else
            st = emit_packet(b, (uint32_t)esi, symbol);
        if (st != RQ_OK)
            rq_stage_fail(&b->stage, st);
    }
}

/* A scratch file that is never published: unnamed, so a killed run leaves nothing. */
static rq_status open_staging(block_ctx *b)
{
    if (rq_temp_file_scratch(&b->staging, b->job->stage_dir, "staging") != 0)
        return rq_session_fail(b->job->job.s, RQ_ERR_IO, "creating a staging file in %s: %s",
                               b->job->stage_dir, strerror(errno));
    return RQ_OK;
}

static rq_status encode_block(block_ctx *b, rq_blake3 *chunk_hash)
{
    rq_job *job = &b->job->job;
    rq_job_buffers *mem = &b->job->mem;
    uint32_t N = b->oti->sub_blocks, K = b->c.K, T = b->oti->symbol_size;
    rq_status st = rq_job_buffers_reserve(job, mem,
                                          rq_job_block_reservation(job, &b->c, T, b->c.K_prime));
    if (st != RQ_OK)
        return st;
    st = rq_plan_cache_acquire(b->job->job.ctx, b->c.K_prime, &b->plan);
    if (st != RQ_OK)
        return rq_session_fail(job->s, st, "solving the encoding plan for K'=%u: %s",
                               b->c.K_prime, rq_strerror(st));
    rq_pass *passes = malloc((size_t)N * sizeof *passes);
    uint64_t need = 0;
    size_t n_passes = passes ? rq_job_block_passes(job, b->oti, b->plan, K, mem->reserved, passes,
                                                   &need)
                             : 0;
    if (!passes) {
        st = RQ_ERR_NO_MEMORY;
    } else if (n_passes == 0) {
        st = rq_session_fail(job->s, RQ_ERR_MEMORY_BUDGET,
                             "a sub-block of %u symbols needs %llu MiB; the memory budget is %llu MiB",
                             K, (unsigned long long)(need / MIB + 1),
                             (unsigned long long)(rq_job_budget(job) / MIB));
    } else {
        for (size_t i = 0; i < n_passes; i++)
            b->wmax = passes[i].width > b->wmax ? passes[i].width : b->wmax;
        b->scratch_stride = b->wmax + T;
        st = rq_job_buffers_fit(mem, (size_t)b->plan->rows * b->wmax, (size_t)K * b->wmax,
                                b->scratch_stride * job->threads);
        if (st == RQ_OK)
            rq_job_buffers_place(job, mem, b->wmax);
        b->rows = mem->rows;
        b->pass_buf = mem->buf;
        b->scratch = mem->scratch;
    }
    b->single = n_passes == 1;
    if (st == RQ_OK && !b->single)
        st = open_staging(b);
    for (size_t i = 0; st == RQ_OK && i < n_passes; i++)
        st = run_pass(b, &passes[i], chunk_hash);
    if (st == RQ_OK && !b->single)
        st = stage(b, cut_worker, (size_t)K + b->repairs);
    rq_temp_file_discard(&b->staging);
    free(passes);
    rq_plan_cache_release(b->job->job.ctx, b->plan);
    return st;
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
    char name[32], dir[4096];
    snprintf(name, sizeof name, "block_%u", index);
    lb->block_id = strdup(name);
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
    size_t total = (size_t)ol.symbols + (size_t)repair_total + oti.source_blocks;
    lb->symbols = calloc(total, sizeof *lb->symbols);
    job->created[index] = calloc(total, 1);
    if (!lb->symbols || !job->created[index])
        return RQ_ERR_NO_MEMORY;
    rq_blake3 chunk_hash;
    rq_blake3_init_with(&chunk_hash, job->job.blake3);
    uint64_t repairs_left = repair_total;
    for (uint32_t sbn = 0; sbn < oti.source_blocks && st == RQ_OK; sbn++) {
        block_ctx b;
        memset(&b, 0, sizeof b);
        b.job = job;
        b.staging.fd = -1;
        b.oti = &oti;
        b.sbn = sbn;
        b.chunk_offset = offset;
        b.chunk_size = size;
        rq_oti_block_layout(&oti, sbn, &b.bl);
        rq_params_for(b.bl.source_symbols, &b.c);
        /* Repairs shared out in proportion to K; the last block takes the rest. */
        uint64_t share = sbn + 1 == oti.source_blocks
                             ? repairs_left
                             : (repair_total * b.c.K + ol.symbols - 1) / ol.symbols;
        share = share < repairs_left ? share : repairs_left;
        repairs_left -= share;
        b.repairs = (uint32_t)share;
        if (sbn == 0)
            lb->source_symbols = b.c.K;
        b.dir = job->out_dir ? dir : NULL;
        b.ids = lb->symbols + lb->n_symbols;
        b.created = job->created[index] + lb->n_symbols;
        st = encode_block(&b, &chunk_hash);
        lb->n_symbols += b.c.K + b.repairs;
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

/* Shared by rq_encode_file and rq_create_metadata. */
static rq_status encode_common(rq_session *s, const char *input, const char *out_dir,
                               const char *layout_path, rq_file_result *result)
{
    if (!s || !input || (!out_dir && !layout_path))
        return RQ_ERR_INVALID_ARGUMENT;
    if (result)
        memset(result, 0, sizeof *result);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    encode_job job;
    memset(&job, 0, sizeof job);
    job.in_fd = -1;
    rq_status st = rq_job_begin(s, &job.job);
    if (st != RQ_OK)
        return st;
    const rq_session_settings *cfg = &job.job.cfg;
    rq_layout layout;
    memset(&layout, 0, sizeof layout);
    char layout_file[4096];
    rq_dir_lock lock = {.fd = -1};
    int created_dir = 0;
    job.in_fd = open(input, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (job.in_fd < 0 || fstat(job.in_fd, &sb) != 0) {
        st = rq_session_fail(s, RQ_ERR_IO, "cannot open input %s: %s", input, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = rq_session_fail(s, RQ_ERR_IO, "input %s is not a regular file", input);
        goto out;
    }
    job.file_size = (uint64_t)sb.st_size;
    if (out_dir) {
        job.out_dir = out_dir;
        job.stage_dir = out_dir;
        if ((st = claim_out_dir(&job, out_dir, &lock, &created_dir)) != RQ_OK)
            goto out;
        if (rq_path_join(layout_file, sizeof layout_file, out_dir, RQ_LAYOUT_FILE_NAME) != 0) {
            st = rq_session_fail(s, RQ_ERR_IO, "path too long: %s", out_dir);
            goto out;
        }
    } else {
        snprintf(layout_file, sizeof layout_file, "%s", layout_path);
        rq_output_state os = rq_output_check(layout_file, cfg->overwrite);
        if (os == RQ_OUTPUT_EXISTS || os == RQ_OUTPUT_NOT_REGULAR) {
            st = os == RQ_OUTPUT_EXISTS
                     ? rq_session_fail(s, RQ_ERR_EXISTS, "%s exists (allow overwriting to replace it)",
                                       layout_file)
                     : rq_session_fail(s, RQ_ERR_IO, "%s exists and is not a regular file; not "
                                                     "replacing it", layout_file);
            goto out;
        }
        const char *slash = strrchr(layout_path, '/');
        static __thread char stage[4096];
        snprintf(stage, sizeof stage, "%.*s", slash ? (int)(slash - layout_path) : 1,
                 slash ? layout_path : ".");
        job.stage_dir = stage;
    }
    /* The job's copy of the settings, not the session's (which may change meanwhile). */
    uint64_t chunk = cfg->block_size ? cfg->block_size : rq_chunk_size_for(cfg, job.file_size);
    size_t n_chunks = job.file_size == 0 ? 0 : (size_t)((job.file_size + chunk - 1) / chunk);
    layout.chunked = n_chunks != 1;
    layout.file_size = job.file_size;
    layout.blocks = calloc(n_chunks + 1, sizeof *layout.blocks);
    job.created = calloc(n_chunks + 1, sizeof *job.created);
    if (!layout.blocks || !job.created) {
        st = RQ_ERR_NO_MEMORY;
        goto out;
    }
    for (size_t c = 0; c < n_chunks && st == RQ_OK; c++) {
        uint64_t off = (uint64_t)c * chunk;
        uint64_t size = job.file_size - off < chunk ? job.file_size - off : chunk;
        layout.n_blocks++;
        st = encode_chunk(&job, (uint32_t)c, off, size, &layout.blocks[c]);
    }
    if (st == RQ_OK) {
        char *json = NULL;
        st = rq_layout_to_json(&layout, &json);
        if (st == RQ_OK) {
            int w = rq_write_file_atomic(layout_file, json, strlen(json), cfg->overwrite);
            if (w == -2)
                st = rq_session_fail(s, RQ_ERR_EXISTS, "%s exists", layout_file);
            else if (w != 0)
                st = rq_session_fail(s, RQ_ERR_IO, "writing %s: %s", layout_file, strerror(errno));
        }
        free(json);
    }
    if (st == RQ_OK && result)
        st = rq_job_result(&layout, "encode", out_dir, layout_file, seconds_since(&t0), result);
out:
    if (st != RQ_OK && job.created && !cfg->overwrite)
        remove_written(&job, &layout);
    rq_dir_lock_drop(&lock);
    if (st != RQ_OK && created_dir)
        rmdir(out_dir); /* fails, harmlessly, unless it is empty */
    if (st != RQ_OK && st != RQ_ERR_NO_MEMORY) {
        const char *msg;
        rq_session_last_error(s, &msg);
        if (!*msg)
            rq_session_fail(s, st, "%s", rq_strerror(st));
    }
    for (size_t c = 0; job.created && c < layout.n_blocks; c++)
        free(job.created[c]);
    free(job.created);
    rq_layout_free(&layout);
    rq_job_buffers_free(&job.job, &job.mem);
    if (job.in_fd >= 0)
        close(job.in_fd);
    rq_job_end(&job.job);
    return st;
}

rq_status rq_encode_file(rq_session *s, const char *input, const char *out_dir,
                         rq_file_result *result)
{
    if (!out_dir)
        return RQ_ERR_INVALID_ARGUMENT;
    return encode_common(s, input, out_dir, NULL, result);
}

rq_status rq_create_metadata(rq_session *s, const char *input, const char *layout_path,
                             rq_file_result *result)
{
    if (!layout_path)
        return RQ_ERR_INVALID_ARGUMENT;
    return encode_common(s, input, NULL, layout_path, result);
}

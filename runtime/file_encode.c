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
#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "runtime/block_passes.h"
#include "runtime/file_jobs.h"
#include "runtime/fs_util.h"
#include "runtime/layout.h"
#include "runtime/session_internal.h"
#include "runtime/symbol_files.h"

#define MIB (1024ull * 1024ull)
#define WS_DEFAULT (10ull * MIB)

uint64_t rq_job_pass_budget(const rq_session_config *cfg, size_t plan_bytes, uint32_t T)
{
    uint64_t fixed = MIB + plan_bytes + 4ull * (T + 4u);
    return cfg->memory_budget > fixed ? cfg->memory_budget - fixed : 0;
}

rq_status rq_job_chunk_oti(const rq_session_config *cfg, uint64_t size, rq_oti *oti)
{
    /* The usual 10 MiB receiver working memory, less when the budget is small:
     * a sub-block then still fits one pass (rows + pass buffer ~ 2.1x). */
    uint64_t ws = cfg->memory_budget / 3 < WS_DEFAULT ? cfg->memory_budget / 3 : WS_DEFAULT;
    uint32_t al = rq_session_alignment(cfg);
    return rq_oti_derive(size, cfg->symbol_size, ws, al, al, oti);
}

uint64_t rq_job_repair_count(const rq_session_config *cfg, uint64_t size, uint32_t T)
{
    /* The rule of existing deployments: R repair symbols for a one-symbol
     * block, else enough to carry times the block. */
    if (size <= T)
        return (uint64_t)ceil(cfg->redundancy);
    return (uint64_t)ceil((double)size * (cfg->redundancy - 1.0) / (double)T - 1e-9);
}

rq_status rq_recommended_block_size(const rq_session *s, uint64_t file_size, uint64_t *out)
{
    if (!s || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_session_config cfg;
    rq_session_get_config(s, &cfg);
    uint32_t T = rq_session_symbol_size(&cfg);
    /* A chunk's source block should fit one pass: rows (~1.05 K) plus the
     * pass buffer (K) per symbol byte, i.e. about 2.2x the chunk. */
    uint64_t fit = rq_job_pass_budget(&cfg, 4 * MIB, T) / 22 * 10;
    uint64_t chunk = fit - fit % T;
    if (chunk < T)
        chunk = T;
    if (chunk > (1ull << 30))
        chunk = 1ull << 30;
    *out = file_size < chunk ? (file_size ? file_size : chunk) : chunk;
    return RQ_OK;
}

typedef struct encode_job {
    rq_session *s;
    rq_session_config cfg;
    int in_fd;
    uint64_t file_size;
    const char *out_dir;   /* symbol files go under it; NULL: IDs only (metadata) */
    const char *stage_dir; /* where a staging file may go */
    uint64_t done;
    const rq_kernels *kernels;
    uint8_t *packet; /* payload ID + T */
} encode_job;

/* Emits one finished packet: writes its file (or only names it) and keeps its ID. */
static rq_status emit_packet(encode_job *job, const char *dir, uint32_t T, char **id_out)
{
    char id[RQ_SYMBOL_ID_MAX];
    if (dir) {
        if (rq_symbol_file_write(dir, job->packet, 4u + T, id) != 0)
            return rq_session_fail(job->s, RQ_ERR_IO, "writing a symbol file in %s: %s", dir,
                                   strerror(errno));
    } else {
        rq_symbol_id_of(job->packet, 4u + T, id);
    }
    *id_out = strdup(id);
    return *id_out ? RQ_OK : RQ_ERR_NO_MEMORY;
}

typedef struct block_ctx {
    const rq_oti *oti;
    rq_block_constants c;
    rq_block_layout bl;
    uint64_t chunk_offset, chunk_size;
    uint32_t sbn, repairs;
    const rq_plan *plan;
    uint8_t *rows, *buf, *slice;
    int staging_fd;
    char staging_path[4096];
} block_ctx;

/* Reads a pass's contiguous source range (zero past the chunk's end) and hashes it. */
static rq_status read_pass(encode_job *job, block_ctx *b, const rq_pass *p, rq_blake3 *chunk_hash)
{
    uint32_t K = b->c.K;
    uint64_t start = b->bl.offset + (uint64_t)K * p->w0; /* within the chunk */
    size_t want = (size_t)K * p->width;
    size_t real = start >= b->chunk_size ? 0
                  : (size_t)(b->chunk_size - start < want ? b->chunk_size - start : want);
    if (real && rq_pread_full(job->in_fd, b->buf, real, b->chunk_offset + start) != 0)
        return rq_session_fail(job->s, RQ_ERR_IO, "reading the input at byte %llu: %s",
                               (unsigned long long)(b->chunk_offset + start), strerror(errno));
    memset(b->buf + real, 0, want - real);
    rq_blake3_update(chunk_hash, b->buf, real);
    job->done += real;
    return RQ_OK;
}

/* Hands one symbol's slice on: straight into its file (one pass) or into staging. */
static rq_status put_slice(encode_job *job, block_ctx *b, const rq_pass *p, uint32_t esi,
                           const uint8_t *slice, const char *dir, char **ids, int single)
{
    uint32_t T = b->oti->symbol_size;
    if (single) {
        rq_payload_id_write(b->sbn, esi, job->packet, 4);
        memcpy(job->packet + 4, slice, T);
        return emit_packet(job, dir, T, &ids[esi]);
    }
    if (rq_pwrite_full(b->staging_fd, slice, p->width, (uint64_t)esi * T + p->w0) != 0)
        return rq_session_fail(job->s, RQ_ERR_IO, "writing staging file %s: %s", b->staging_path,
                               strerror(errno));
    return RQ_OK;
}

static rq_status run_pass(encode_job *job, block_ctx *b, const rq_pass *p, const char *dir,
                          char **ids, int single, rq_blake3 *chunk_hash)
{
    uint32_t K = b->c.K;
    size_t W = p->width;
    rq_status st = read_pass(job, b, p, chunk_hash);
    if (st != RQ_OK)
        return st;
    memset(b->rows, 0, (size_t)b->plan->rows * W);
    uint8_t *inputs = b->rows + (size_t)b->plan->first_input * W;
    rq_pass_to_rows(b->oti, p, K, b->buf, inputs, W);
    /* Source symbols first: the replay overwrites their rows. */
    for (uint32_t i = 0; i < K && st == RQ_OK; i++)
        st = put_slice(job, b, p, i, inputs + (size_t)i * W, dir, ids, single);
    if (st != RQ_OK)
        return st;
    rq_plan_apply(b->plan, job->kernels, b->rows, W, W);
    for (uint32_t e = 0; e < b->repairs && st == RQ_OK; e++) {
        uint32_t esi = K + e;
        rq_encode_isi(&b->c, job->kernels, b->rows, W, b->plan->intermediate,
                      esi + (b->c.K_prime - K), b->slice, W);
        st = put_slice(job, b, p, esi, b->slice, dir, ids, single);
    }
    if (st == RQ_OK)
        st = rq_session_report(job->s, job->done, job->file_size);
    return st;
}

/* After a multi-pass block: cut every symbol file out of the staging file. */
static rq_status cut_staged(encode_job *job, block_ctx *b, const char *dir, char **ids)
{
    uint32_t T = b->oti->symbol_size;
    for (uint32_t esi = 0; esi < b->c.K + b->repairs; esi++) {
        rq_payload_id_write(b->sbn, esi, job->packet, 4);
        if (rq_pread_full(b->staging_fd, job->packet + 4, T, (uint64_t)esi * T) != 0)
            return rq_session_fail(job->s, RQ_ERR_IO, "reading staging file %s: %s",
                                   b->staging_path, strerror(errno));
        rq_status st = emit_packet(job, dir, T, &ids[esi]);
        if (st != RQ_OK)
            return st;
    }
    return RQ_OK;
}

static rq_status encode_block(encode_job *job, block_ctx *b, const char *dir, char **ids,
                              rq_blake3 *chunk_hash)
{
    rq_status st = rq_plan_cache_acquire(b->c.K_prime, &b->plan);
    if (st != RQ_OK)
        return rq_session_fail(job->s, st, "solving the encoding plan for K'=%u: %s",
                               b->c.K_prime, rq_strerror(st));
    uint32_t N = b->oti->sub_blocks, K = b->c.K;
    rq_pass *passes = malloc((size_t)N * sizeof *passes);
    uint64_t need = 0;
    size_t n_passes = 0;
    if (passes) {
        uint64_t budget = rq_job_pass_budget(&job->cfg, rq_plan_bytes(b->plan), b->oti->symbol_size);
        n_passes = rq_plan_passes(b->oti, (uint64_t)b->plan->rows + K + 1, budget, passes, &need);
    }
    if (!passes) {
        st = RQ_ERR_NO_MEMORY;
    } else if (n_passes == 0) {
        st = rq_session_fail(job->s, RQ_ERR_MEMORY_BUDGET,
                             "a sub-block of %u symbols needs %llu MiB; the memory budget is %llu MiB",
                             K, (unsigned long long)(need / MIB + 1),
                             (unsigned long long)(job->cfg.memory_budget / MIB));
    } else {
        size_t wmax = 0;
        for (size_t i = 0; i < n_passes; i++)
            wmax = passes[i].width > wmax ? passes[i].width : wmax;
        b->rows = malloc((size_t)b->plan->rows * wmax);
        b->buf = malloc((size_t)K * wmax);
        b->slice = malloc(wmax);
        if (!b->rows || !b->buf || !b->slice)
            st = RQ_ERR_NO_MEMORY;
    }
    int single = n_passes == 1;
    if (st == RQ_OK && !single) {
        char final[4096];
        if (rq_path_join(final, sizeof final, job->stage_dir, "staging") != 0 ||
            rq_temp_path(b->staging_path, sizeof b->staging_path, final) != 0)
            st = rq_session_fail(job->s, RQ_ERR_IO, "staging path too long");
        else if ((b->staging_fd = open(b->staging_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
            st = rq_session_fail(job->s, RQ_ERR_IO, "creating staging file %s: %s",
                                 b->staging_path, strerror(errno));
    }
    for (size_t i = 0; st == RQ_OK && i < n_passes; i++)
        st = run_pass(job, b, &passes[i], dir, ids, single, chunk_hash);
    if (st == RQ_OK && !single)
        st = cut_staged(job, b, dir, ids);
    if (b->staging_fd >= 0) {
        close(b->staging_fd);
        unlink(b->staging_path);
    }
    free(passes);
    free(b->rows);
    free(b->buf);
    free(b->slice);
    rq_plan_cache_release(b->plan);
    return st;
}

static rq_status encode_chunk(encode_job *job, uint32_t index, uint64_t offset, uint64_t size,
                              rq_layout_block *lb)
{
    rq_oti oti;
    rq_status st = rq_job_chunk_oti(&job->cfg, size, &oti);
    if (st != RQ_OK)
        return rq_session_fail(job->s, st, "no RaptorQ parameters for a %llu-byte chunk: %s",
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
            return rq_session_fail(job->s, RQ_ERR_IO, "creating %s/%s: %s", job->out_dir, name,
                                   strerror(errno));
    }
    uint64_t repair_total = rq_job_repair_count(&job->cfg, size, oti.symbol_size);
    rq_object_layout ol;
    rq_oti_object_layout(&oti, &ol);
    size_t total = (size_t)ol.symbols + (size_t)repair_total + oti.source_blocks;
    lb->symbols = calloc(total, sizeof *lb->symbols);
    if (!lb->symbols)
        return RQ_ERR_NO_MEMORY;
    rq_blake3 chunk_hash;
    rq_blake3_init(&chunk_hash);
    uint64_t repairs_left = repair_total;
    for (uint32_t sbn = 0; sbn < oti.source_blocks && st == RQ_OK; sbn++) {
        block_ctx b;
        memset(&b, 0, sizeof b);
        b.staging_fd = -1;
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
        st = encode_block(job, &b, job->out_dir ? dir : NULL, lb->symbols + lb->n_symbols,
                          &chunk_hash);
        lb->n_symbols += b.c.K + b.repairs;
    }
    uint8_t digest[RQ_BLAKE3_OUT_LEN];
    rq_blake3_finalize(&chunk_hash, digest, sizeof digest);
    rq_base58_encode(digest, sizeof digest, lb->hash, sizeof lb->hash);
    return st;
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
    job.s = s;
    job.in_fd = -1;
    rq_status st = rq_session_begin_job(s, &job.cfg);
    if (st != RQ_OK)
        return st;
    rq_layout layout;
    memset(&layout, 0, sizeof layout);
    char layout_file[4096];
    job.kernels = rq_kernels_active();
    if (!job.kernels) {
        const char *why;
        rq_backend_error(&why);
        st = rq_session_fail(s, RQ_ERR_BACKEND_UNAVAILABLE, "%s", why);
        goto out;
    }
    job.in_fd = open(input, O_RDONLY | O_CLOEXEC);
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
        if (rq_dir_has_entries(out_dir) && !job.cfg.overwrite) {
            st = rq_session_fail(s, RQ_ERR_EXISTS,
                                 "output directory %s is not empty (allow overwriting to reuse it)",
                                 out_dir);
            goto out;
        }
        if (rq_make_dirs(out_dir) != 0) {
            st = rq_session_fail(s, RQ_ERR_IO, "cannot create %s: %s", out_dir, strerror(errno));
            goto out;
        }
        if (rq_path_join(layout_file, sizeof layout_file, out_dir, RQ_LAYOUT_FILE_NAME) != 0) {
            st = rq_session_fail(s, RQ_ERR_IO, "path too long: %s", out_dir);
            goto out;
        }
    } else {
        snprintf(layout_file, sizeof layout_file, "%s", layout_path);
        if (!job.cfg.overwrite && access(layout_file, F_OK) == 0) {
            st = rq_session_fail(s, RQ_ERR_EXISTS, "%s exists (allow overwriting to replace it)",
                                 layout_file);
            goto out;
        }
        const char *slash = strrchr(layout_path, '/');
        static __thread char stage[4096];
        snprintf(stage, sizeof stage, "%.*s", slash ? (int)(slash - layout_path) : 1,
                 slash ? layout_path : ".");
        job.stage_dir = stage;
    }
    job.packet = malloc(4u + RQ_MAX_SYMBOL_SIZE);
    if (!job.packet) {
        st = RQ_ERR_NO_MEMORY;
        goto out;
    }
    uint64_t chunk = job.cfg.block_size;
    if (chunk == 0)
        rq_recommended_block_size(s, job.file_size, &chunk);
    size_t n_chunks = job.file_size == 0 ? 0 : (size_t)((job.file_size + chunk - 1) / chunk);
    layout.chunked = n_chunks != 1;
    layout.file_size = job.file_size;
    layout.blocks = calloc(n_chunks + 1, sizeof *layout.blocks);
    if (!layout.blocks) {
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
            int w = rq_write_file_atomic(layout_file, json, strlen(json), job.cfg.overwrite);
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
    if (st != RQ_OK && st != RQ_ERR_NO_MEMORY) {
        const char *msg;
        rq_session_last_error(s, &msg);
        if (!*msg)
            rq_session_fail(s, st, "%s", rq_strerror(st));
    }
    rq_layout_free(&layout);
    free(job.packet);
    if (job.in_fd >= 0)
        close(job.in_fd);
    rq_session_end_job(s);
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

/* `rq ec` over files (runtime/ec_files.h). */
#define _GNU_SOURCE
#include "runtime/ec_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/blake3.h"
#include "runtime/dir_lock.h"
#include "runtime/ec_manifest.h"
#include "runtime/fs_util.h"
#include "runtime/monotonic.h"
#include "runtime/temp_file.h"
#include "runtime/workers.h"

static rq_status fail(rq_ec_file_report *r, rq_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static rq_status fail(rq_ec_file_report *r, rq_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    return st;
}

void rq_ec_file_report_free(rq_ec_file_report *r)
{
    free(r->unit_state);
    free(r->rewritten);
    r->unit_state = r->rewritten = NULL;
}

static rq_status report_init(rq_ec_file_report *r, const rq_ec_manifest *mf)
{
    r->file_size = mf->file_size;
    r->stripes = mf->stripes;
    r->cell = mf->cell;
    r->k = mf->k;
    r->m = mf->m;
    r->scheme = mf->scheme;
    r->unit_state = calloc((size_t)mf->k + mf->m, 1);
    r->rewritten = calloc((size_t)mf->k + mf->m, 1);
    return r->unit_state && r->rewritten ? RQ_OK : RQ_ERR_NO_MEMORY;
}

/* ---- the stripe pass ------------------------------------------------------ */

typedef enum pass_kind { PASS_ENCODE, PASS_DECODE, PASS_REPAIR } pass_kind;

typedef struct ec_pass {
    pass_kind kind;
    rq_ec_coder *coder;
    const rq_ec_manifest *mf;
    uint32_t n_units;
    int input_fd;        /* encode: the file */
    const int *unit_in;  /* decode, repair: per unit, the fd to read or -1 */
    const int *unit_out; /* encode, repair: per unit, the fd to write or -1 */
    int output_fd;       /* decode: the file */
    const uint32_t *erased;
    uint32_t n_erased;
    rq_blake3 *hash; /* per unit written (encode, repair) */
    uint8_t *buf;    /* batch x n_units cells */
    uint64_t batch, first;
    _Atomic int io_errno;
    _Atomic int status;
} ec_pass;

/* A cell's bytes as a size: it fits once the pass's buffer (batch * units * cells) was allocated. */
static size_t cell_bytes(const rq_ec_manifest *mf)
{
    return (size_t)mf->cell;
}

static uint8_t *cell_of(const ec_pass *p, uint64_t w, uint32_t u)
{
    return p->buf + (w * p->n_units + u) * p->mf->cell;
}

static void io_failed(ec_pass *p)
{
    int zero = 0;
    atomic_compare_exchange_strong(&p->io_errno, &zero, errno ? errno : EIO);
}

/* Encode: the k data cells from the file (zeros past its end), then the parities. */
static void encode_stripe(ec_pass *p, uint64_t w, uint64_t s)
{
    const rq_ec_manifest *mf = p->mf;
    const uint8_t *data[RQ_EC_MAX_UNITS];
    uint8_t *parity[RQ_EC_MAX_UNITS];
    for (uint32_t i = 0; i < mf->k; i++) {
        uint8_t *c = cell_of(p, w, i);
        ssize_t got = rq_pread_upto(p->input_fd, c, cell_bytes(mf), (s * mf->k + i) * mf->cell);
        if (got < 0) {
            io_failed(p);
            return;
        }
        memset(c + got, 0, cell_bytes(mf) - (size_t)got);
        data[i] = c;
    }
    for (uint32_t j = 0; j < mf->m; j++)
        parity[j] = cell_of(p, w, mf->k + j);
    rq_status st = rq_ec_encode(p->coder, data, parity, cell_bytes(mf));
    if (st != RQ_OK)
        atomic_store(&p->status, st);
}

/* Decode, repair: the readable units' cells, then the erased ones rebuilt. */
static void rebuild_stripe(ec_pass *p, uint64_t w, uint64_t s)
{
    const rq_ec_manifest *mf = p->mf;
    const uint8_t *units[RQ_EC_MAX_UNITS];
    uint8_t *outs[RQ_EC_MAX_UNITS];
    for (uint32_t u = 0; u < p->n_units; u++) {
        units[u] = NULL;
        if (p->unit_in[u] < 0)
            continue;
        if (rq_pread_full(p->unit_in[u], cell_of(p, w, u), cell_bytes(mf), s * mf->cell) != 0) {
            io_failed(p);
            return;
        }
        units[u] = cell_of(p, w, u);
    }
    for (uint32_t a = 0; a < p->n_erased; a++)
        outs[a] = cell_of(p, w, p->erased[a]);
    rq_status st = rq_ec_decode(p->coder, units, p->erased, p->n_erased, outs, cell_bytes(mf));
    if (st != RQ_OK)
        atomic_store(&p->status, st);
}

/* Writes what the stripe produced: unit cells (encode, repair) or the file's bytes (decode). */
static void write_stripe(ec_pass *p, uint64_t w, uint64_t s)
{
    const rq_ec_manifest *mf = p->mf;
    for (uint32_t u = 0; p->kind != PASS_DECODE && u < p->n_units; u++)
        if (p->unit_out[u] >= 0 &&
            rq_pwrite_full(p->unit_out[u], cell_of(p, w, u), cell_bytes(mf), s * mf->cell) != 0)
            io_failed(p);
    for (uint32_t i = 0; p->kind == PASS_DECODE && i < mf->k; i++) {
        uint64_t at = (s * mf->k + i) * mf->cell;
        if (at >= mf->file_size)
            break;
        size_t len = mf->file_size - at < mf->cell ? (size_t)(mf->file_size - at) : cell_bytes(mf);
        if (rq_pwrite_full(p->output_fd, cell_of(p, w, i), len, at) != 0)
            io_failed(p);
    }
}

static void stripe_worker(void *arg, uint32_t worker, uint32_t n_workers)
{
    ec_pass *p = arg;
    for (uint64_t w = worker; w < p->batch; w += n_workers) {
        uint64_t s = p->first + w;
        if (s >= p->mf->stripes || atomic_load(&p->status) != RQ_OK || atomic_load(&p->io_errno))
            return;
        if (p->kind == PASS_ENCODE)
            encode_stripe(p, w, s);
        else
            rebuild_stripe(p, w, s);
        if (atomic_load(&p->status) == RQ_OK && !atomic_load(&p->io_errno))
            write_stripe(p, w, s);
    }
}

/* Hashes the batch's cells of every written unit, in stripe order, units shared out. */
static void hash_worker(void *arg, uint32_t worker, uint32_t n_workers)
{
    ec_pass *p = arg;
    uint64_t n = p->mf->stripes - p->first < p->batch ? p->mf->stripes - p->first : p->batch;
    for (uint32_t u = worker; u < p->n_units; u += n_workers)
        if (p->unit_out[u] >= 0)
            for (uint64_t w = 0; w < n; w++)
                rq_blake3_update(&p->hash[u], cell_of(p, w, u), cell_bytes(p->mf));
}

static rq_status run_pass(ec_pass *p, const rq_ec_file_opts *o, rq_ec_file_report *r)
{
    const rq_ec_manifest *mf = p->mf;
    uint32_t workers = rq_workers_resolve(o->threads);
    uint64_t stripe_bytes = (uint64_t)p->n_units * mf->cell;
    p->batch = RQ_EC_BATCH_BYTES / stripe_bytes;
    p->batch = p->batch < 1 ? 1 : p->batch > 2ull * workers ? 2ull * workers : p->batch;
    if (p->batch > mf->stripes)
        p->batch = mf->stripes;
    if (workers > p->batch)
        workers = (uint32_t)p->batch;
    /* A 32-bit size_t (WebAssembly) cannot hold every batch a manifest allows. */
    p->buf = p->batch * stripe_bytes <= SIZE_MAX ? malloc((size_t)(p->batch * stripe_bytes)) : NULL;
    if (!p->buf)
        return fail(r, RQ_ERR_NO_MEMORY, "no memory for %llu stripes of %llu bytes",
                    (unsigned long long)p->batch, (unsigned long long)stripe_bytes);
    rq_status st = RQ_OK;
    uint64_t total = mf->stripes * (uint64_t)mf->k * mf->cell;
    for (p->first = 0; st == RQ_OK && p->first < mf->stripes; p->first += p->batch) {
        rq_workers_run(workers, RQ_PLACEMENT_NONE, stripe_worker, p);
        st = (rq_status)atomic_load(&p->status);
        if (st == RQ_OK && atomic_load(&p->io_errno))
            st = fail(r, RQ_ERR_IO, "reading or writing the units failed: %s",
                      strerror(atomic_load(&p->io_errno)));
        if (st == RQ_OK && p->hash)
            rq_workers_run(workers, RQ_PLACEMENT_NONE, hash_worker, p);
        uint64_t done = (p->first + p->batch) * (uint64_t)mf->k * mf->cell;
        if (st == RQ_OK && o->progress && o->progress(o->progress_arg, done < total ? done : total, total))
            st = fail(r, RQ_ERR_CANCELLED, "cancelled");
    }
    free(p->buf);
    p->buf = NULL;
    return st;
}

/* ---- units on disk -------------------------------------------------------- */

typedef struct unit_check {
    const rq_ec_manifest *mf;
    int *fd;
    uint8_t *state;
    _Atomic uint64_t bytes;
} unit_check;

#define HASH_READ_BYTES ((size_t)1 << 20)

/* Whether the open unit file's content has the manifest's hash. */
static int unit_hash_ok(unit_check *c, uint32_t u, uint8_t *buf)
{
    rq_blake3 h;
    rq_blake3_init(&h);
    uint64_t size = c->mf->stripes * c->mf->cell;
    for (uint64_t at = 0; at < size;) {
        size_t len = size - at < HASH_READ_BYTES ? (size_t)(size - at) : HASH_READ_BYTES;
        if (rq_pread_full(c->fd[u], buf, len, at) != 0)
            return 0;
        rq_blake3_update(&h, buf, len);
        at += len;
        atomic_fetch_add(&c->bytes, len);
    }
    uint8_t out[RQ_EC_HASH_LEN];
    rq_blake3_finalize(&h, out, sizeof out);
    return memcmp(out, c->mf->hashes[u], sizeof out) == 0;
}

static void hash_units_worker(void *arg, uint32_t worker, uint32_t n_workers)
{
    unit_check *c = arg;
    uint8_t *buf = malloc(HASH_READ_BYTES);
    for (uint32_t u = worker; u < c->mf->k + c->mf->m; u += n_workers) {
        if (c->fd[u] < 0)
            continue;
        if (!buf || !unit_hash_ok(c, u, buf)) {
            c->state[u] = RQ_EC_UNIT_DAMAGED;
            close(c->fd[u]);
            c->fd[u] = -1;
        }
    }
    free(buf);
}

/*
 * Opens every unit (no links followed, regular files only) and checks its
 * size and hash: fd[u] stays open for the good ones, -1 for the others,
 * whose state says missing or damaged.
 */
static rq_status check_units(const rq_ec_file_opts *o, const char *dir, const rq_ec_manifest *mf,
                             int *fd, rq_ec_file_report *r)
{
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return fail(r, RQ_ERR_IO, "cannot open %s: %s", dir, strerror(errno));
    for (uint32_t u = 0; u < mf->k + mf->m; u++) {
        char name[32];
        struct stat st;
        rq_ec_unit_name(u, name);
        fd[u] = rq_open_regular(dir_fd, name, 0, &st);
        if (fd[u] < 0)
            r->unit_state[u] = errno == ENOENT ? RQ_EC_UNIT_MISSING : RQ_EC_UNIT_DAMAGED;
        else if ((uint64_t)st.st_size != mf->stripes * mf->cell) {
            r->unit_state[u] = RQ_EC_UNIT_DAMAGED;
            close(fd[u]);
            fd[u] = -1;
        }
    }
    close(dir_fd);
    unit_check c = {mf, fd, r->unit_state, 0};
    uint32_t workers = rq_workers_resolve(o->threads);
    rq_workers_run(workers < mf->k + mf->m ? workers : mf->k + mf->m, RQ_PLACEMENT_NONE,
                   hash_units_worker, &c);
    r->bytes_read += atomic_load(&c.bytes);
    for (uint32_t u = 0; u < mf->k + mf->m; u++) {
        r->good += r->unit_state[u] == RQ_EC_UNIT_GOOD;
        r->missing += r->unit_state[u] == RQ_EC_UNIT_MISSING;
        r->damaged += r->unit_state[u] == RQ_EC_UNIT_DAMAGED;
    }
    return RQ_OK;
}

static void close_all(int *fd, uint32_t n)
{
    for (uint32_t u = 0; fd && u < n; u++)
        if (fd[u] >= 0)
            close(fd[u]);
}

/*
 * Which good units a pass reads: k of them, data first, when those rebuild
 * the erased units (fewer reads), else every good one. Tried on a one-byte
 * stripe, so an undecodable pattern is found before anything is written.
 */
static rq_status choose_readable(rq_context *ctx, rq_ec_coder *coder, const rq_ec_manifest *mf, int *fd,
                                 const uint32_t *erased, uint32_t n_erased, rq_ec_file_report *r)
{
    uint32_t n = mf->k + mf->m, taken = 0;
    static const uint8_t byte = 0;
    const uint8_t *units[RQ_EC_MAX_UNITS];
    uint8_t out[RQ_EC_MAX_UNITS], *outs[RQ_EC_MAX_UNITS];
    for (uint32_t a = 0; a < n_erased; a++)
        outs[a] = &out[a];
    for (uint32_t u = 0; u < n; u++) {
        units[u] = fd[u] >= 0 && taken < mf->k ? &byte : NULL;
        taken += units[u] != NULL;
    }
    rq_status st = rq_ec_decode(coder, units, erased, n_erased, outs, 1);
    if (st != RQ_ERR_UNDECODABLE) {
        for (uint32_t u = 0; st == RQ_OK && u < n; u++)
            if (fd[u] >= 0 && !units[u]) {
                close(fd[u]);
                fd[u] = -1;
            }
        return st;
    }
    for (uint32_t u = 0; u < n; u++)
        units[u] = fd[u] >= 0 ? &byte : NULL;
    st = rq_ec_decode(coder, units, erased, n_erased, outs, 1);
    if (st == RQ_ERR_UNDECODABLE) {
        char why[256] = "";
        rq_context_last_error(ctx, why, sizeof why);
        return fail(r, st, "%u good units of %u cannot rebuild the others (%s)", r->good, n, why);
    }
    return st;
}

/* ---- decode and repair share this: the manifest, a coder, the units checked ---- */

typedef struct unit_set {
    rq_ec_manifest mf;
    rq_ec_coder *coder;
    int fd[RQ_EC_MAX_UNITS];
    uint32_t erased[RQ_EC_MAX_UNITS];
    uint32_t n_erased;
} unit_set;

static void close_set(unit_set *set)
{
    close_all(set->fd, set->mf.k + set->mf.m);
    rq_ec_coder_destroy(set->coder);
    rq_ec_manifest_free(&set->mf);
}

static rq_status open_set(const rq_ec_file_opts *o, const char *dir, unit_set *set,
                          rq_ec_file_report *r)
{
    memset(set, 0, sizeof *set);
    for (uint32_t u = 0; u < RQ_EC_MAX_UNITS; u++)
        set->fd[u] = -1;
    rq_status st = rq_ec_manifest_read(&set->mf, dir, r->message, sizeof r->message);
    if (st != RQ_OK)
        return st;
    st = report_init(r, &set->mf);
    if (st == RQ_OK && (st = rq_ec_coder_create_in(o->ctx, &set->coder, set->mf.k, set->mf.m,
                                                   set->mf.scheme)) != RQ_OK) {
        char why[256] = "";
        rq_context_last_error(o->ctx, why, sizeof why);
        return fail(r, st, "%s/%s: %s", dir, RQ_EC_MANIFEST_NAME, why);
    }
    for (uint32_t j = 0; st == RQ_OK && j < set->mf.m; j++) {
        uint32_t esi = 0;
        rq_ec_parity_esi(set->coder, j, &esi);
        if (esi != set->mf.parity_esis[j])
            return fail(r, RQ_ERR_LAYOUT, "%s/%s: parity %u has ESI %u, but this librq's scheme gives %u",
                        dir, RQ_EC_MANIFEST_NAME, j, set->mf.parity_esis[j], esi);
    }
    return st == RQ_OK ? check_units(o, dir, &set->mf, set->fd, r) : st;
}

rq_status rq_ec_file_decode(const rq_ec_file_opts *o, const char *dir, const char *output,
                            rq_ec_file_report *r)
{
    double t0 = rq_monotonic_seconds();
    unit_set *set = malloc(sizeof *set);
    if (!set)
        return RQ_ERR_NO_MEMORY;
    rq_temp_file out = {-1, ""};
    rq_status st = open_set(o, dir, set, r);
    for (uint32_t i = 0; st == RQ_OK && i < set->mf.k; i++)
        if (set->fd[i] < 0)
            set->erased[set->n_erased++] = i;
    if (st == RQ_OK)
        st = choose_readable(o->ctx, set->coder, &set->mf, set->fd, set->erased, set->n_erased, r);
    rq_output_state os = st == RQ_OK ? rq_output_check(output, o->force) : RQ_OUTPUT_ABSENT;
    if (os == RQ_OUTPUT_EXISTS || os == RQ_OUTPUT_NOT_REGULAR)
        st = fail(r, RQ_ERR_EXISTS, "%s exists%s", output,
                  os == RQ_OUTPUT_EXISTS ? " (--force replaces it)" : " and is not a regular file");
    if (st == RQ_OK && rq_temp_file_open(&out, output, 0644) != 0)
        st = fail(r, RQ_ERR_IO, "cannot write beside %s: %s", output, strerror(errno));
    if (st == RQ_OK) {
        ec_pass p = {.kind = PASS_DECODE, .coder = set->coder, .mf = &set->mf,
                     .n_units = set->mf.k + set->mf.m, .input_fd = -1, .unit_in = set->fd,
                     .output_fd = out.fd, .erased = set->erased, .n_erased = set->n_erased};
        st = run_pass(&p, o, r);
    }
    if (st == RQ_OK && ftruncate(out.fd, (off_t)set->mf.file_size) != 0)
        st = fail(r, RQ_ERR_IO, "cannot size %s: %s", output, strerror(errno));
    if (st == RQ_OK && rq_temp_file_commit(&out, output, o->force) != 0)
        st = fail(r, RQ_ERR_IO, "cannot write %s: %s", output, strerror(errno));
    rq_temp_file_discard(&out);
    if (st == RQ_OK)
        r->bytes_written = set->mf.file_size;
    close_set(set);
    free(set);
    r->seconds = rq_monotonic_seconds() - t0;
    return st;
}

/* dir/unit_<u> into path (RQ_PATH_CAP bytes) and its name into name; -1 if too long. */
static int unit_path(const char *dir, uint32_t u, char *path, char name[32])
{
    rq_ec_unit_name(u, name);
    return rq_path_join(path, RQ_PATH_CAP, dir, name);
}

/* Commits every temporary file (replacing what was there), or none on failure before. */
static rq_status commit_units(rq_temp_file *temps, const char *dir, const uint32_t *units,
                              uint32_t n, int replace, rq_ec_file_report *r)
{
    for (uint32_t a = 0; a < n; a++) {
        char name[32], path[RQ_PATH_CAP];
        if (unit_path(dir, units[a], path, name) != 0 || rq_temp_file_commit(&temps[a], path, replace) != 0)
            return fail(r, RQ_ERR_IO, "cannot write %s/%s: %s", dir, name, strerror(errno));
    }
    return RQ_OK;
}

/* Temporary files for the units listed, beside their final names, which may be replaced only if regular. */
static rq_status open_unit_temps(rq_temp_file *temps, const char *dir, const uint32_t *units,
                                 uint32_t n, int replace, rq_ec_file_report *r)
{
    for (uint32_t a = 0; a < n; a++) {
        char name[32], path[RQ_PATH_CAP];
        if (unit_path(dir, units[a], path, name) != 0)
            return fail(r, RQ_ERR_IO, "%s/%s: path too long", dir, name);
        rq_output_state os = rq_output_check(path, replace);
        if (os == RQ_OUTPUT_EXISTS || os == RQ_OUTPUT_NOT_REGULAR)
            return fail(r, RQ_ERR_EXISTS, "%s exists%s", path,
                        os == RQ_OUTPUT_EXISTS ? " (--force replaces it)"
                                               : " and is not a regular file (never replaced)");
        if (rq_temp_file_open(&temps[a], path, 0644) != 0)
            return fail(r, RQ_ERR_IO, "cannot write beside %s: %s", path, strerror(errno));
    }
    return RQ_OK;
}

/* The written units' hashes, finished. */
static void finish_hashes(const rq_blake3 *hash, const uint32_t *units, uint32_t n,
                          uint8_t (*out)[RQ_EC_HASH_LEN])
{
    for (uint32_t a = 0; a < n; a++)
        rq_blake3_finalize(&hash[units[a]], out[a], RQ_EC_HASH_LEN);
}

rq_status rq_ec_file_repair(const rq_ec_file_opts *o, const char *dir, rq_ec_file_report *r)
{
    double t0 = rq_monotonic_seconds();
    unit_set *set = malloc(sizeof *set);
    rq_temp_file *temps = calloc(RQ_EC_MAX_UNITS, sizeof *temps);
    rq_blake3 *hash = malloc(RQ_EC_MAX_UNITS * sizeof *hash);
    uint8_t(*sums)[RQ_EC_HASH_LEN] = malloc(RQ_EC_MAX_UNITS * RQ_EC_HASH_LEN);
    int *out_fd = malloc(RQ_EC_MAX_UNITS * sizeof *out_fd);
    if (!set || !temps || !hash || !sums || !out_fd) {
        free(set), free(temps), free(hash), free(sums), free(out_fd);
        return RQ_ERR_NO_MEMORY;
    }
    for (uint32_t u = 0; u < RQ_EC_MAX_UNITS; u++)
        temps[u].fd = out_fd[u] = -1;
    rq_status st = open_set(o, dir, set, r);
    uint32_t n = set->mf.k + set->mf.m;
    for (uint32_t u = 0; st == RQ_OK && u < n; u++)
        if (set->fd[u] < 0)
            set->erased[set->n_erased++] = u;
    if (st == RQ_OK && set->n_erased)
        st = choose_readable(o->ctx, set->coder, &set->mf, set->fd, set->erased, set->n_erased, r);
    if (st == RQ_OK && set->n_erased)
        st = open_unit_temps(temps, dir, set->erased, set->n_erased, 1, r);
    if (st == RQ_OK && set->n_erased) {
        for (uint32_t a = 0; a < set->n_erased; a++) {
            out_fd[set->erased[a]] = temps[a].fd;
            rq_blake3_init(&hash[set->erased[a]]);
        }
        ec_pass p = {.kind = PASS_REPAIR, .coder = set->coder, .mf = &set->mf, .n_units = n,
                     .input_fd = -1, .unit_in = set->fd, .unit_out = out_fd, .output_fd = -1,
                     .erased = set->erased, .n_erased = set->n_erased, .hash = hash};
        st = run_pass(&p, o, r);
    }
    if (st == RQ_OK && set->n_erased) {
        finish_hashes(hash, set->erased, set->n_erased, sums);
        for (uint32_t a = 0; st == RQ_OK && a < set->n_erased; a++)
            if (memcmp(sums[a], set->mf.hashes[set->erased[a]], RQ_EC_HASH_LEN) != 0)
                st = fail(r, RQ_ERR_CORRUPT, "rebuilt unit %u does not have the manifest's hash",
                          set->erased[a]);
    }
    if (st == RQ_OK)
        st = commit_units(temps, dir, set->erased, set->n_erased, 1, r);
    for (uint32_t a = 0; st == RQ_OK && a < set->n_erased; a++) {
        r->rewritten[set->erased[a]] = 1;
        r->rewritten_count++;
        r->bytes_written += set->mf.stripes * set->mf.cell;
    }
    for (uint32_t a = 0; a < RQ_EC_MAX_UNITS; a++)
        rq_temp_file_discard(&temps[a]);
    close_set(set);
    free(set), free(temps), free(hash), free(sums), free(out_fd);
    r->seconds = rq_monotonic_seconds() - t0;
    return st;
}

/* ---- encode ------------------------------------------------------------------- */

/* Creates and claims out_dir; refuses one with entries unless force. */
static rq_status claim_out_dir(const rq_ec_file_opts *o, const char *out_dir, rq_dir_lock *lock,
                               rq_ec_file_report *r)
{
    if (rq_make_dirs(out_dir) != 0)
        return fail(r, RQ_ERR_IO, "cannot create %s: %s", out_dir, strerror(errno));
    int l = rq_dir_lock_take(lock, out_dir);
    if (l == -2)
        return fail(r, RQ_ERR_BUSY, "another rq is writing into %s", out_dir);
    if (l != 0)
        return fail(r, RQ_ERR_IO, "cannot claim %s: %s", out_dir, strerror(errno));
    if (!o->force && rq_dir_lock_has_entries(out_dir))
        return fail(r, RQ_ERR_EXISTS, "%s is not empty (--force replaces its units and manifest)",
                    out_dir);
    return RQ_OK;
}

typedef struct encode_job {
    rq_ec_manifest mf;
    rq_ec_coder *coder;
    int input_fd;
    rq_dir_lock lock;
    rq_temp_file temps[RQ_EC_MAX_UNITS];
    int out_fd[RQ_EC_MAX_UNITS];
    uint32_t all[RQ_EC_MAX_UNITS];
    rq_blake3 hash[RQ_EC_MAX_UNITS];
} encode_job;

static rq_status encode_setup(const rq_ec_file_opts *o, const char *input, encode_job *j,
                              rq_ec_file_report *r)
{
    struct stat st;
    j->input_fd = rq_open_regular(AT_FDCWD, input, 1, &st);
    if (j->input_fd < 0)
        return fail(r, RQ_ERR_IO, "cannot read %s: %s", input,
                    errno == EINVAL ? "not a regular file" : strerror(errno));
    if (o->cell < 1 || o->cell > (1ull << 30))
        return fail(r, RQ_ERR_INVALID_ARGUMENT, "cell %llu: a cell is 1 byte to 1 GiB",
                    (unsigned long long)o->cell);
    rq_status s = rq_ec_coder_create_in(o->ctx, &j->coder, o->k, o->m, o->scheme);
    if (s != RQ_OK) {
        char why[256] = "";
        rq_context_last_error(o->ctx, why, sizeof why);
        return fail(r, s, "%s", why);
    }
    s = rq_ec_manifest_init(&j->mf, (uint64_t)st.st_size, o->k, o->m, o->scheme, o->cell);
    for (uint32_t p = 0; s == RQ_OK && p < o->m; p++)
        rq_ec_parity_esi(j->coder, p, &j->mf.parity_esis[p]);
    return s == RQ_OK ? report_init(r, &j->mf) : s;
}

rq_status rq_ec_file_encode(const rq_ec_file_opts *o, const char *input, const char *out_dir,
                            rq_ec_file_report *r)
{
    double t0 = rq_monotonic_seconds();
    encode_job *j = calloc(1, sizeof *j);
    if (!j)
        return RQ_ERR_NO_MEMORY;
    j->lock.fd = -1;
    for (uint32_t u = 0; u < RQ_EC_MAX_UNITS; u++) {
        j->temps[u].fd = j->out_fd[u] = -1;
        j->all[u] = u;
        rq_blake3_init(&j->hash[u]);
    }
    rq_status st = encode_setup(o, input, j, r);
    uint32_t n = o->k + o->m;
    if (st == RQ_OK)
        st = claim_out_dir(o, out_dir, &j->lock, r);
    if (st == RQ_OK)
        st = open_unit_temps(j->temps, out_dir, j->all, n, o->force, r);
    if (st == RQ_OK) {
        for (uint32_t u = 0; u < n; u++)
            j->out_fd[u] = j->temps[u].fd;
        ec_pass p = {.kind = PASS_ENCODE, .coder = j->coder, .mf = &j->mf, .n_units = n,
                     .input_fd = j->input_fd, .unit_out = j->out_fd, .output_fd = -1,
                     .hash = j->hash};
        st = run_pass(&p, o, r);
    }
    if (st == RQ_OK) {
        finish_hashes(j->hash, j->all, n, j->mf.hashes);
        /* An old manifest must not describe the new units for a moment. */
        char path[RQ_PATH_CAP];
        if (rq_path_join(path, sizeof path, out_dir, RQ_EC_MANIFEST_NAME) == 0 &&
            rq_output_check(path, 1) == RQ_OUTPUT_REPLACEABLE)
            unlink(path);
        st = commit_units(j->temps, out_dir, j->all, n, o->force, r);
    }
    if (st == RQ_OK && (st = rq_ec_manifest_write(&j->mf, out_dir, o->force)) != RQ_OK)
        fail(r, st, "cannot write %s/%s", out_dir, RQ_EC_MANIFEST_NAME);
    if (st == RQ_OK) {
        r->good = n;
        r->bytes_read = j->mf.file_size;
        r->bytes_written = (uint64_t)n * j->mf.stripes * j->mf.cell;
    }
    for (uint32_t u = 0; u < RQ_EC_MAX_UNITS; u++)
        rq_temp_file_discard(&j->temps[u]);
    if (j->input_fd >= 0)
        close(j->input_fd);
    rq_dir_lock_drop(&j->lock);
    rq_ec_coder_destroy(j->coder);
    rq_ec_manifest_free(&j->mf);
    free(j);
    r->seconds = rq_monotonic_seconds() - t0;
    return st;
}

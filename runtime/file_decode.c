/*
 * Rebuilding a file from the symbol files that survive, checking them, and
 * repairing a symbol directory; and the chunk decoder rq reencode reads
 * through. Each chunk is scanned (runtime/chunk_scan.h: every symbol file
 * checked against its name), then each of its source blocks is solved once
 * for the ESIs at hand and rebuilt pass by pass (runtime/block_rebuild.h)
 * into a temporary output file, which gets its final name only when every
 * chunk decoded and matched its hash; or its lost files are written again
 * (runtime/chunk_repair.h).
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

#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "runtime/block_rebuild.h"
#include "runtime/chunk_repair.h"
#include "runtime/chunk_scan.h"
#include "runtime/file_jobs.h"
#include "runtime/fs_util.h"
#include "runtime/job_memory.h"
#include "runtime/session_internal.h"
#include "runtime/temp_file.h"
#include "runtime/units.h"


/*
 * Scans one chunk and, by mode, rebuilds it into the output or repairs its
 * symbol files. report gets the counts; decodable/needed from the symbols
 * found.
 */
static rq_status process_chunk(rq_decode_job *job, size_t index, const rq_layout_block *lb,
                               rq_chunk_mode mode, rq_chunk_report *report)
{
    rq_chunk_scan scan;
    rq_status st = rq_chunk_scan_run(job, index, lb, &scan);
    rq_blake3 hash;
    rq_blake3_init_with(&hash, job->job.blake3);
    report->decodable = 1;
    report->good = scan.report.good;
    report->corrupt = scan.report.corrupt;
    report->missing = scan.report.missing;
    if (mode == RQ_CHUNK_REPAIR && st == RQ_OK)
        st = rq_chunk_repair(job, lb, &scan, &hash, report);
    for (uint32_t sbn = 0; mode != RQ_CHUNK_REPAIR && st == RQ_OK && sbn < lb->oti.source_blocks; sbn++)
        st = rq_block_process(job, lb, sbn, mode, &scan, &hash, NULL, NULL, report);
    report->good = scan.report.good;
    report->corrupt = scan.report.corrupt;
    report->missing = scan.report.missing;
    int decode = mode == RQ_CHUNK_DECODE;
    if (st == RQ_OK && decode && !report->decodable)
        st = rq_session_fail(job->job.s, RQ_ERR_NEED_MORE_SYMBOLS,
                             "block %s needs at least %u more symbols: %llu of %zu symbol files "
                             "are good (%llu missing, %llu damaged%s%s)",
                             rq_chunk_name(lb), report->needed, (unsigned long long)report->good,
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
                                 rq_chunk_name(lb), text, lb->hash);
    }
    rq_chunk_scan_free(&scan);
    return st;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

#define RQ_MIB_OF(bytes) ((unsigned long long)(((bytes) + RQ_MIB - 1) / RQ_MIB))

/* Opens the layout: the one named (links followed), else the symbols dir's own (no link). */
static int open_layout_file(const rq_decode_job *job, const char *layout_path)
{
    return layout_path ? rq_open_regular(AT_FDCWD, layout_path, 1, NULL)
                       : rq_open_regular(job->sym_fd, RQ_LAYOUT_FILE_NAME, 0, NULL);
}

/*
 * Reads and parses the layout with its memory charged to the budgets: the
 * text, then the parse's bound (rq_layout_parse_cost); the model it leaves
 * stays charged with every later reservation of the job.
 */
static rq_status load_layout(rq_decode_job *job, const char *path, int fd, rq_layout *layout)
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
                               (unsigned long long)(rq_job_budget(&job->job) / RQ_MIB));
    if (r != RQ_OK && err[0])
        return rq_session_fail(s, r, "%s: %s", path, err);
    return r == RQ_OK ? RQ_OK : rq_session_fail(s, r, "%s: %s", path, rq_strerror(r));
}

static rq_status open_symbols_dir(rq_decode_job *job)
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
static rq_status open_inputs(rq_decode_job *job, const char *layout_path, char *path, size_t path_len,
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

static rq_status begin(rq_session *s, rq_decode_job *job, const char *symbols_dir)
{
    memset(job, 0, sizeof *job);
    job->out.fd = -1;
    job->sym_fd = -1;
    job->symbols_dir = symbols_dir;
    return rq_job_begin(s, &job->job);
}

static void end(rq_decode_job *job)
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
static rq_status check_output(rq_decode_job *job, const char *output, const char *layout_file)
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
static rq_status open_output(rq_decode_job *job, const char *output, uint64_t size)
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

static rq_status commit_output(rq_decode_job *job, const char *output)
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
    rq_decode_job job;
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
        st = process_chunk(&job, i, &layout.blocks[i], RQ_CHUNK_DECODE, &reports[i]);
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
                          rq_chunk_mode mode, const char *kind, const char *unfinished,
                          rq_file_result *result)
{
    if (!s || !symbols_dir)
        return RQ_ERR_INVALID_ARGUMENT;
    if (result)
        memset(result, 0, sizeof *result);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rq_decode_job job;
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
        if (st == RQ_OK && mode == RQ_CHUNK_VERIFY)
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
    return scan_all(s, symbols_dir, layout_path, RQ_CHUNK_VERIFY, "verify", "not every block can be decoded",
                    result);
}

rq_status rq_repair_symbols(rq_session *s, const char *symbols_dir, const char *layout_path,
                            rq_file_result *result)
{
    return scan_all(s, symbols_dir, layout_path, RQ_CHUNK_REPAIR, "repair",
                    "some source blocks cannot be decoded from the good symbols left and were not "
                    "repaired (the result says how many more each needs); the others were",
                    result);
}

struct rq_chunk_decoder {
    rq_decode_job job;
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
        st = process_chunk(&d->job, d->next, &d->layout.blocks[d->next], RQ_CHUNK_DECODE, &report);
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

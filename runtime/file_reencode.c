/*
 * Re-encoding a symbol directory with other settings, straight from its
 * symbols: the encode of the new settings reads the file from an unnamed,
 * sparse scratch file, into which the old chunks are decoded just before
 * each new chunk is read; the bytes before the new chunk are punched out
 * again, so the scratch holds about one old and one new chunk at a time,
 * never the file, and nothing of it has a name. Decode and encode run in
 * one job frame and take turns with the budget: neither holds buffers
 * while the other works.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/file_jobs.h"
#include "runtime/session_internal.h"
#include "runtime/temp_file.h"

typedef struct reencode {
    rq_chunk_decoder *decoder;
    int fd;
    uint64_t punched; /* bytes [0, punched) of the scratch are released */
} reencode;

/* Before new chunk [start, end): the old chunks up to end decoded, the bytes before start released. */
static rq_status fill_chunk(void *user, uint64_t start, uint64_t end)
{
    reencode *r = user;
#ifdef FALLOC_FL_PUNCH_HOLE
    /* Where the file system cannot punch holes the scratch just keeps the bytes. */
    if (start > r->punched &&
        fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)r->punched,
                  (off_t)(start - r->punched)) == 0)
        r->punched = start;
#else
    (void)start;
#endif
    return rq_chunk_decoder_fill(r->decoder, end);
}

/* The folder out_dir is made in (its parent), where the scratch file goes. */
static void parent_of(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    while (slash && slash > path && slash[1] == '\0') /* "a/b/" */
        slash = memrchr(path, '/', (size_t)(slash - path));
    snprintf(out, len, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
}

/* Whether out_dir is the symbols directory or inside it (compared by real paths where they exist). */
static int inside_symbols(const char *out_dir, const char *symbols_dir)
{
    char real_sym[PATH_MAX], parent[PATH_MAX], real_parent[PATH_MAX];
    if (!realpath(symbols_dir, real_sym))
        return 0;
    if (realpath(out_dir, real_parent) && strcmp(real_parent, real_sym) == 0)
        return 1;
    parent_of(out_dir, parent, sizeof parent);
    if (!realpath(parent, real_parent))
        return 0;
    size_t n = strlen(real_sym);
    return strncmp(real_parent, real_sym, n) == 0 && (real_parent[n] == '\0' || real_parent[n] == '/');
}

static rq_status reencode_in_frame(rq_session *s, rq_job *frame, const char *symbols_dir,
                                   const char *layout_path, const char *out_dir, rq_file_result *result)
{
    char scratch_dir[PATH_MAX];
    parent_of(out_dir, scratch_dir, sizeof scratch_dir);
    rq_temp_file scratch = {.fd = -1};
    if (rq_temp_file_scratch(&scratch, scratch_dir, "reencode") != 0)
        return rq_session_fail(s, RQ_ERR_IO, "creating a scratch file in %s: %s", scratch_dir,
                               strerror(errno));
    reencode r = {.fd = scratch.fd};
    rq_status st = rq_chunk_decoder_open(frame, symbols_dir, layout_path, scratch.fd, &r.decoder);
    if (st == RQ_OK) {
        rq_encode_request req = {.input = symbols_dir, .out_dir = out_dir, .frame = frame,
                                 .input_fd = scratch.fd,
                                 .input_size = rq_chunk_decoder_file_size(r.decoder),
                                 .before_chunk = fill_chunk, .user = &r, .kind = "reencode"};
        st = rq_encode_run(s, &req, result);
    }
    rq_chunk_decoder_close(r.decoder);
    rq_temp_file_discard(&scratch);
    return st;
}

rq_status rq_reencode_symbols(rq_session *s, const char *symbols_dir, const char *layout_path,
                              const char *out_dir, rq_file_result *result)
{
    if (!s || !symbols_dir || !out_dir)
        return RQ_ERR_INVALID_ARGUMENT;
    if (result)
        memset(result, 0, sizeof *result);
    if (inside_symbols(out_dir, symbols_dir))
        return rq_session_fail(s, RQ_ERR_IO, "%s is the symbols directory %s or inside it; re-encode "
                                             "somewhere else", out_dir, symbols_dir);
    rq_job frame;
    rq_status st = rq_job_begin(s, &frame);
    if (st != RQ_OK)
        return st;
    st = reencode_in_frame(s, &frame, symbols_dir, layout_path, out_dir, result);
    rq_job_end(&frame);
    return st;
}

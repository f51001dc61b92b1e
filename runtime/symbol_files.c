/* Writing and checking content-addressed symbol files. */
#define _GNU_SOURCE
#include "runtime/symbol_files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/base58.h"
#include "runtime/blake3.h"
#include "runtime/fs_util.h"
#include "runtime/temp_file.h"

void rq_symbol_id_of(const rq_blake3_impl *impl, const uint8_t *packet, size_t len,
                     char id[RQ_SYMBOL_ID_MAX])
{
    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash_with(impl, packet, len, hash);
    rq_base58_encode(hash, sizeof hash, id, RQ_SYMBOL_ID_MAX);
}

void rq_symbol_id_of_parts(const rq_blake3_impl *impl, const uint8_t payload_id[4], const uint8_t *symbol, size_t T,
                           char id[RQ_SYMBOL_ID_MAX])
{
    rq_blake3 h;
    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_init_with(&h, impl);
    rq_blake3_update(&h, payload_id, 4);
    rq_blake3_update(&h, symbol, T);
    rq_blake3_finalize(&h, hash, sizeof hash);
    rq_base58_encode(hash, sizeof hash, id, RQ_SYMBOL_ID_MAX);
}

int rq_symbol_file_write(const rq_blake3_impl *impl, const char *dir, const uint8_t payload_id[4], const uint8_t *symbol,
                         size_t T, char id[RQ_SYMBOL_ID_MAX], int replace)
{
    char path[4096];
    rq_symbol_id_of_parts(impl, payload_id, symbol, T, id);
    if (rq_path_join(path, sizeof path, dir, id) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return rq_write_file_atomic2(path, payload_id, 4, symbol, T, replace);
}

static void identity_of(const struct stat *st, rq_file_identity *out)
{
    out->dev = (uint64_t)st->st_dev;
    out->ino = (uint64_t)st->st_ino;
    out->size = (uint64_t)st->st_size;
    out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    out->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

static int same_identity(const rq_file_identity *a, const rq_file_identity *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

int rq_symbol_file_open(int dir_fd, const char *name, rq_file_identity *identity)
{
    struct stat st;
    int fd = rq_open_regular(dir_fd, name, 0, &st);
    if (fd >= 0 && identity)
        identity_of(&st, identity);
    return fd;
}

static const char *open_failure(int err)
{
    switch (err) {
    case ENOENT: return "missing";
    case ELOOP: return "a symbolic link (not followed)";
    case EINVAL: return "not a regular file";
    case EACCES: return "cannot be opened: permission denied";
    default: return "cannot be opened";
    }
}

rq_symbol_check rq_symbol_file_check(const rq_blake3_impl *impl, int dir_fd, const char *id, uint8_t *buf, size_t expected_len,
                                     rq_file_identity *identity, const char **why)
{
    int fd = rq_symbol_file_open(dir_fd, id, identity);
    if (fd < 0) {
        *why = open_failure(errno);
        return errno == ENOENT ? RQ_SYMBOL_MISSING : RQ_SYMBOL_CORRUPT;
    }
    rq_symbol_check result = RQ_SYMBOL_CORRUPT;
    if (identity->size != expected_len) {
        *why = identity->size < expected_len ? "truncated" : "too long";
    } else if (rq_pread_full(fd, buf, expected_len, 0) != 0) {
        *why = "read error";
    } else {
        char actual[RQ_SYMBOL_ID_MAX];
        rq_symbol_id_of(impl, buf, expected_len, actual);
        if (strcmp(actual, id) != 0) {
            *why = "content does not match its name";
        } else {
            *why = "";
            result = RQ_SYMBOL_GOOD;
        }
    }
    close(fd);
    return result;
}

int rq_symbol_file_read(int dir_fd, const char *id, const rq_file_identity *expected, void *buf,
                        size_t len, uint64_t offset, const char **why)
{
    rq_file_identity before, after;
    int fd = rq_symbol_file_open(dir_fd, id, &before);
    if (fd < 0) {
        *why = errno == ENOENT ? "vanished while decoding" : open_failure(errno);
        return 1;
    }
    int r = rq_pread_full(fd, buf, len, offset) != 0 ? -1 : 0;
    int e = errno;
    struct stat st;
    /* Checked after the read too: a write during it changes the times. */
    if (fstat(fd, &st) == 0) {
        identity_of(&st, &after);
        if (!same_identity(&before, expected) || !same_identity(&after, expected)) {
            *why = "changed while decoding";
            r = 1;
        }
    }
    close(fd);
    if (r < 0)
        *why = "read error";
    errno = e;
    return r;
}

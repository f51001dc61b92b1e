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

void rq_symbol_id_of(const uint8_t *packet, size_t len, char id[RQ_SYMBOL_ID_MAX])
{
    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_hash(packet, len, hash);
    rq_base58_encode(hash, sizeof hash, id, RQ_SYMBOL_ID_MAX);
}

void rq_symbol_id_of_parts(const uint8_t payload_id[4], const uint8_t *symbol, size_t T,
                           char id[RQ_SYMBOL_ID_MAX])
{
    rq_blake3 h;
    uint8_t hash[RQ_BLAKE3_OUT_LEN];
    rq_blake3_init(&h);
    rq_blake3_update(&h, payload_id, 4);
    rq_blake3_update(&h, symbol, T);
    rq_blake3_finalize(&h, hash, sizeof hash);
    rq_base58_encode(hash, sizeof hash, id, RQ_SYMBOL_ID_MAX);
}

int rq_symbol_file_write(const char *dir, const uint8_t payload_id[4], const uint8_t *symbol,
                         size_t T, char id[RQ_SYMBOL_ID_MAX])
{
    char path[4096];
    rq_symbol_id_of_parts(payload_id, symbol, T, id);
    if (rq_path_join(path, sizeof path, dir, id) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return rq_write_file_atomic2(path, payload_id, 4, symbol, T, 1);
}

rq_symbol_check rq_symbol_file_check(const char *path, const char *id, uint8_t *buf,
                                     size_t expected_len, const char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = errno == ENOENT ? "missing" : "cannot be opened";
        return errno == ENOENT ? RQ_SYMBOL_MISSING : RQ_SYMBOL_CORRUPT;
    }
    struct stat st;
    rq_symbol_check result = RQ_SYMBOL_CORRUPT;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
    } else if ((uint64_t)st.st_size != expected_len) {
        *why = (uint64_t)st.st_size < expected_len ? "truncated" : "too long";
    } else if (rq_pread_full(fd, buf, expected_len, 0) != 0) {
        *why = "read error";
    } else {
        char actual[RQ_SYMBOL_ID_MAX];
        rq_symbol_id_of(buf, expected_len, actual);
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

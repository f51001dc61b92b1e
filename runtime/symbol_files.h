/* Symbol files: one packet each, named base58(BLAKE3(content)), so names are content addresses. */
#ifndef RQ_RUNTIME_SYMBOL_FILES_H
#define RQ_RUNTIME_SYMBOL_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/blake3.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RQ_SYMBOL_ID_MAX 64 /* base58 of 32 bytes is at most 44 characters */

/*
 * The ID of a packet: base58 of its BLAKE3 hash, computed with impl (NULL:
 * the best here; every implementation gives the same ID). The functions
 * below hash with theirs the same way.
 */
void rq_symbol_id_of(const rq_blake3_impl *impl, const uint8_t *packet, size_t len, char id[RQ_SYMBOL_ID_MAX]);
/* The same for the packet made of a 4-byte payload ID and a T-byte symbol. */
void rq_symbol_id_of_parts(const rq_blake3_impl *impl, const uint8_t payload_id[4], const uint8_t *symbol, size_t T,
                           char id[RQ_SYMBOL_ID_MAX]);

/*
 * Writes the packet payload_id + symbol as dir/<id>, never visible under its
 * name before it is complete. An existing file of that name (which holds
 * the same bytes unless it was damaged) is replaced when replace is set and
 * it differs, else left alone: then -2 without replace, so that the caller
 * knows this run did not create it. 0 when written or already there, -1
 * with errno on failure.
 */
int rq_symbol_file_write(const rq_blake3_impl *impl, const char *dir, const uint8_t payload_id[4], const uint8_t *symbol,
                         size_t T, char id[RQ_SYMBOL_ID_MAX], int replace);

typedef enum rq_symbol_check {
    RQ_SYMBOL_GOOD = 0,
    RQ_SYMBOL_MISSING = 1,
    RQ_SYMBOL_CORRUPT = 2 /* wrong size, content not matching the name, unreadable, not a file */
} rq_symbol_check;

/*
 * What a checked symbol file was: a later read must find the very same file
 * unchanged (same inode, size, modification and change times), or the bytes
 * read are not the bytes checked.
 */
typedef struct rq_file_identity {
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
} rq_file_identity;

/*
 * Opens dir_fd/name for reading: never through a symbolic link (ELOOP),
 * never blocking (a FIFO does not wait for a writer), and only a regular
 * file (else EFTYPE-like: errno EINVAL). identity (may be NULL) gets what the
 * file is. -1 with errno.
 */
int rq_symbol_file_open(int dir_fd, const char *name, rq_file_identity *identity);

/*
 * Reads dir_fd/id (expected_len bytes: payload ID + T) into buf and checks
 * that its BLAKE3 matches id; identity gets what was checked. *why gets a
 * short reason for a corrupt or missing file.
 */
rq_symbol_check rq_symbol_file_check(const rq_blake3_impl *impl, int dir_fd, const char *id, uint8_t *buf, size_t expected_len,
                                     rq_file_identity *identity, const char **why);

/*
 * Reads len bytes at offset of dir_fd/id, the file checked as `expected`.
 * 0; 1 when the file is gone or is no longer the one checked (*why says
 * which); -1 with errno on a read error.
 */
int rq_symbol_file_read(int dir_fd, const char *id, const rq_file_identity *expected, void *buf,
                        size_t len, uint64_t offset, const char **why);

#ifdef __cplusplus
}
#endif

#endif

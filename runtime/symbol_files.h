/* Symbol files: one packet each, named base58(BLAKE3(content)), so names are content addresses. */
#ifndef RQ_RUNTIME_SYMBOL_FILES_H
#define RQ_RUNTIME_SYMBOL_FILES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#ifdef __cplusplus
}
#endif

#endif

#define RQ_SYMBOL_ID_MAX 64 /* base58 of 32 bytes is at most 44 characters */

/* The ID of a packet: base58 of its BLAKE3 hash. */
void rq_symbol_id_of(const uint8_t *packet, size_t len, char id[RQ_SYMBOL_ID_MAX]);
/* The same for the packet made of a 4-byte payload ID and a T-byte symbol. */
void rq_symbol_id_of_parts(const uint8_t payload_id[4], const uint8_t *symbol, size_t T,
                           char id[RQ_SYMBOL_ID_MAX]);

/*
 * Writes the packet payload_id + symbol as dir/<id> (an existing file of
 * that name holds the same bytes by construction and is replaced), never
 * visible under its name before it is complete. 0 on success, -1 with errno.
 */
int rq_symbol_file_write(const char *dir, const uint8_t payload_id[4], const uint8_t *symbol,
                         size_t T, char id[RQ_SYMBOL_ID_MAX]);

typedef enum rq_symbol_check {
    RQ_SYMBOL_GOOD = 0,
    RQ_SYMBOL_MISSING = 1,
    RQ_SYMBOL_CORRUPT = 2 /* wrong size, content not matching the name, unreadable */
} rq_symbol_check;

/*
 * Reads path (expected_len bytes: payload ID + T) into buf and checks that
 * its BLAKE3 matches id. *why gets a short reason for a corrupt file.
 */
rq_symbol_check rq_symbol_file_check(const char *path, const char *id, uint8_t *buf,
                                     size_t expected_len, const char **why);

#ifdef __cplusplus
}
#endif

#endif

/*
 * SHA-256 (FIPS 180-4): the conformance vectors name encoding symbols by it,
 * and `rq assemble --expect-sha256` checks a rebuilt object against what
 * sha256sum printed for the original. Written from the standard; not fast,
 * not constant-time, only correct.
 */
#ifndef RQ_RUNTIME_SHA256_H
#define RQ_RUNTIME_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RQ_SHA256_SIZE 32u

typedef struct rq_sha256_ctx {
    uint32_t state[8];
    uint64_t total_len;   /* bytes hashed so far */
    uint8_t block[64];
    size_t block_len;     /* bytes waiting in block */
} rq_sha256_ctx;

void rq_sha256_init(rq_sha256_ctx *ctx);
void rq_sha256_update(rq_sha256_ctx *ctx, const void *data, size_t len);
void rq_sha256_final(rq_sha256_ctx *ctx, uint8_t digest[RQ_SHA256_SIZE]);

/* One-shot digest of len bytes. */
void rq_sha256(const void *data, size_t len, uint8_t digest[RQ_SHA256_SIZE]);
/* One-shot digest as 64 lower-case hex characters plus a NUL. */
void rq_sha256_hex(const void *data, size_t len, char hex[2 * RQ_SHA256_SIZE + 1]);

#ifdef __cplusplus
}
#endif

#endif

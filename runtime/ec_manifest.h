/*
 * The manifest of a k+m unit directory (`rq ec encode` writes it last, as
 * OUT_DIR/ec.json): how the file was cut into stripes of k cells, and the
 * BLAKE3 of every unit file, so decode and repair tell damaged units from
 * good ones.
 */
#ifndef RQ_RUNTIME_EC_MANIFEST_H
#define RQ_RUNTIME_EC_MANIFEST_H

#include <stdint.h>

#include "rq/rq_ec.h"

#define RQ_EC_MANIFEST_NAME "ec.json"
#define RQ_EC_MANIFEST_MAX_BYTES (1u << 20)
#define RQ_EC_HASH_LEN 32u

typedef struct rq_ec_manifest {
    uint64_t file_size;
    uint32_t k, m;
    rq_ec_scheme scheme;
    uint64_t cell;    /* bytes per cell: every unit is stripes * cell bytes */
    uint64_t stripes; /* ceil(file_size / (k * cell)), at least 1 */
    uint32_t *parity_esis;            /* m */
    uint8_t (*hashes)[RQ_EC_HASH_LEN]; /* k + m: BLAKE3 of unit_<i> */
} rq_ec_manifest;

/* Sets the shape (hashes left for the caller); RQ_ERR_NO_MEMORY or RQ_OK. */
rq_status rq_ec_manifest_init(rq_ec_manifest *mf, uint64_t file_size, uint32_t k, uint32_t m,
                              rq_ec_scheme scheme, uint64_t cell);
void rq_ec_manifest_free(rq_ec_manifest *mf);

/* "unit_<i>" */
void rq_ec_unit_name(uint32_t unit, char out[32]);

/* Writes dir/ec.json atomically (replacing one only with replace). RQ_ERR_IO / RQ_ERR_EXISTS. */
rq_status rq_ec_manifest_write(const rq_ec_manifest *mf, const char *dir, int replace);
/*
 * Reads dir/ec.json: RQ_ERR_IO if it cannot be read, RQ_ERR_LAYOUT if it is
 * malformed or inconsistent; why says which (when not NULL, why_len bytes).
 */
rq_status rq_ec_manifest_read(rq_ec_manifest *mf, const char *dir, char *why, size_t why_len);

#endif

/*
 * librq — k+m erasure coding with RaptorQ: the raw coder Hadoop's erasure
 * coding framework (and `rq ec`) builds on.
 *
 * A stripe is k data units and m parity units of the same length. Data unit
 * i is RaptorQ source symbol i of a block of K = k symbols; parity unit j is
 * the repair symbol with the scheme's j-th parity ESI. The code is linear
 * byte column by byte column, so a unit may have any length (an HDFS cell is
 * 1 MiB): byte x of every parity depends only on byte x of the data units,
 * and for units of at most 65535 bytes the parities are exactly the RFC 6330
 * repair symbols of the block whose symbols are the data units.
 *
 * Encoding is a dense m x k product over GF(256) (the matrix is computed
 * once, when the coder is created); decoding an erasure pattern is a product
 * with a matrix solved for that pattern, cached per pattern in the coder
 * (bounded, least recently used first out, charged to the context's cache
 * budget). Both run on the context's backend.
 *
 * Like rq.h: every function returns an rq_status; nothing prints.
 */
#ifndef RQ_RQ_EC_H
#define RQ_RQ_EC_H

#include "rq/rq.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which ESIs the parities have. */
typedef enum rq_ec_scheme {
    /*
     * "raptorq": parity j is ESI k + j, the first repair symbols (the mapping
     * of the Hadoop RaptorQ codec designs). Not MDS: some patterns of m
     * erasures cannot be rebuilt (rq_ec_check counts them; 10+4 has 4).
     */
    RQ_EC_RAPTORQ = 0,
    /*
     * "raptorq-mds": parity ESIs chosen per (k, m) by an offline search
     * (tools/ec_mds_search.c) so that every pattern of up to m erasures
     * decodes. Covers the (k, m) of a committed table (rq_ec_scheme_covers);
     * other (k, m) give RQ_ERR_UNSUPPORTED.
     */
    RQ_EC_RAPTORQ_MDS = 1
} rq_ec_scheme;

/* The scheme's name ("raptorq", "raptorq-mds"); RQ_ERR_INVALID_ARGUMENT for an unknown scheme. */
RQ_API rq_status rq_ec_scheme_name(rq_ec_scheme scheme, const char **name);
/* The scheme with this name; RQ_ERR_INVALID_ARGUMENT if none. */
RQ_API rq_status rq_ec_scheme_from_name(const char *name, rq_ec_scheme *out);
/*
 * RQ_OK if the scheme has parity ESIs for k data and m parity units,
 * RQ_ERR_UNSUPPORTED if not (raptorq covers every valid k and m),
 * RQ_ERR_INVALID_ARGUMENT for k or m out of range (see rq_ec_coder_create_in).
 */
RQ_API rq_status rq_ec_scheme_covers(rq_ec_scheme scheme, uint32_t k, uint32_t m);

typedef struct rq_ec_coder rq_ec_coder;

/* The most units a stripe has (k + m); erasure-coded storage uses tens. */
#define RQ_EC_MAX_UNITS 1024u

/*
 * A coder for k data and m parity units: 1 <= k, 1 <= m,
 * k + m <= RQ_EC_MAX_UNITS. RQ_ERR_UNSUPPORTED if the scheme does
 * not cover (k, m). One coder may be used from several threads at once.
 */
RQ_API rq_status rq_ec_coder_create_in(rq_context *ctx, rq_ec_coder **out, uint32_t k, uint32_t m,
                                       rq_ec_scheme scheme);
/* rq_ec_coder_create_in in the default context. */
RQ_API rq_status rq_ec_coder_create(rq_ec_coder **out, uint32_t k, uint32_t m, rq_ec_scheme scheme);
RQ_API rq_status rq_ec_coder_destroy(rq_ec_coder *coder);

/* The ESI of parity unit j (j < m). */
RQ_API rq_status rq_ec_parity_esi(const rq_ec_coder *coder, uint32_t j, uint32_t *esi);
/* The coefficient of data unit i in parity unit j: parity j = sum over i of coef * data i. */
RQ_API rq_status rq_ec_coefficient(const rq_ec_coder *coder, uint32_t j, uint32_t i, uint8_t *coef);

/*
 * Computes the m parity units from the k data units, each len bytes
 * (len 0 does nothing). data[i] and parity[j] must all be non-NULL and the
 * parities must not overlap the data, which is never written.
 */
RQ_API rq_status rq_ec_encode(rq_ec_coder *coder, const uint8_t *const *data,
                              uint8_t *const *parity, size_t len);

/*
 * Rebuilds the units listed in erased (distinct indexes below k + m; data
 * units first 0..k-1, then parities) into outputs[0..n_erased-1], each len
 * bytes, from units[0..k+m-1], where NULL marks a unit that is missing. An
 * erased unit's entry in units is ignored even if not NULL; a missing unit
 * that is not listed is simply not rebuilt. Every unit given is used where
 * it helps, not only k of them. units are never written; outputs must not
 * overlap them. n_erased 0 or len 0 does nothing.
 *
 * RQ_ERR_UNDECODABLE if the units given cannot rebuild every erased one
 * (nothing is written; rq_context_last_error names the pattern).
 */
RQ_API rq_status rq_ec_decode(rq_ec_coder *coder, const uint8_t *const *units,
                              const uint32_t *erased, size_t n_erased, uint8_t *const *outputs,
                              size_t len);

/*
 * The recoverability report: for s = 0..max_erasures (max_erasures <= m),
 * patterns[s] = the number of ways to lose s of the k + m units, and
 * undecodable[s] = how many of them the other k + m - s units cannot rebuild.
 * RQ_ERR_INVALID_ARGUMENT if that would mean more than 10^9 patterns.
 */
RQ_API rq_status rq_ec_check(rq_ec_coder *coder, uint32_t max_erasures, uint64_t *patterns,
                             uint64_t *undecodable);

/*
 * Which patterns of exactly `lost` lost units the others cannot rebuild, in
 * lexicographic order: *count = how many there are, and the first
 * min(*count, max_patterns) are written to patterns, `lost` ascending unit
 * indexes each (patterns holds max_patterns * lost entries; NULL with
 * max_patterns 0 only counts). RQ_ERR_INVALID_ARGUMENT if lost > m or that
 * means more than 10^9 patterns.
 */
RQ_API rq_status rq_ec_undecodable_patterns(rq_ec_coder *coder, uint32_t lost, uint32_t *patterns,
                                            size_t max_patterns, uint64_t *count);

/*
 * Decode matrices the coder holds in its cache now, and how many decodes
 * found theirs there (hits) or solved it (misses).
 */
typedef struct rq_ec_cache_stats {
    uint64_t entries;
    uint64_t hits;
    uint64_t misses;
} rq_ec_cache_stats;
RQ_API rq_status rq_ec_cache_stats_get(const rq_ec_coder *coder, rq_ec_cache_stats *out);

#ifdef __cplusplus
}
#endif

#endif

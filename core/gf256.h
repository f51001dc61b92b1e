/* GF(256) with the RFC 6330 polynomial x^8+x^4+x^3+x^2+1 (0x11D), alpha = 2. */
#ifndef RQ_CORE_GF256_H
#define RQ_CORE_GF256_H

#include <stdint.h>

/* exp table doubled (510 entries) so exp[log a + log b] needs no modulo. */
extern const uint8_t *const rq_gf_exp;
extern const uint8_t *const rq_gf_log;
/* Full 256x256 product table: rq_gf_mul_table[a][b] = a*b. */
extern const uint8_t (*const rq_gf_mul_table)[256];

/* Fills the tables; idempotent and thread-safe (called by every entry point). */
void rq_gf_init(void);

static inline uint8_t rq_gf_mul(uint8_t a, uint8_t b)
{
    return rq_gf_mul_table[a][b];
}

/* Multiplicative inverse; a must not be 0. */
static inline uint8_t rq_gf_inv(uint8_t a)
{
    return rq_gf_exp[255 - rq_gf_log[a]];
}

/* alpha^e for any e >= 0. */
static inline uint8_t rq_gf_alpha_pow(uint32_t e)
{
    return rq_gf_exp[e % 255];
}

#endif

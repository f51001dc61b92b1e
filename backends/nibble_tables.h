/*
 * Split-nibble product tables shared by the table-lookup SIMD backends (AVX2
 * vpshufb, NEON vqtbl1q): c*x = lo[x & 15] ^ hi[x >> 4].
 */
#ifndef RQ_BACKENDS_NIBBLE_TABLES_H
#define RQ_BACKENDS_NIBBLE_TABLES_H

#include <stdint.h>

/* rq_nibble_table[c][0..15] = c*i, [c][16..31] = c*(i<<4); valid once init has returned. */
extern uint8_t rq_nibble_table[256][32];
/* Builds the table once; thread-safe. Backends call it before handing out their kernels. */
void rq_nibble_tables_init(void);

#endif

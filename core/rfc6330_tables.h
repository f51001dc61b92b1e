/* Constant tables of RFC 6330: Table 2 (§5.6), V0..V3 (§5.5), degree f (§5.3.5.2). */
#ifndef RQ_CORE_RFC6330_TABLES_H
#define RQ_CORE_RFC6330_TABLES_H

#include <stdint.h>

#define RQ_TABLE2_ROWS 477
#define RQ_DEGREE_F_SIZE 31

typedef struct rq_table2_row {
    uint32_t k_prime, j, s, h, w;
} rq_table2_row;

extern const rq_table2_row rq_table2[RQ_TABLE2_ROWS];
extern const uint32_t rq_rand_v0[256];
extern const uint32_t rq_rand_v1[256];
extern const uint32_t rq_rand_v2[256];
extern const uint32_t rq_rand_v3[256];
extern const uint32_t rq_degree_f[RQ_DEGREE_F_SIZE];

#endif

/* The k+m schemes' parity ESIs (include/rq/rq_ec.h). */
#ifndef RQ_CORE_EC_SCHEMES_H
#define RQ_CORE_EC_SCHEMES_H

#include <stdint.h>

#include "rq/rq_ec.h"

/* The most parities a raptorq-mds table entry has. */
#define RQ_EC_MDS_MAX_M 4u

/* One raptorq-mds entry: the parity ESIs of k + m. */
typedef struct rq_ec_mds_entry {
    uint16_t k, m;
    uint32_t esi[RQ_EC_MDS_MAX_M];
} rq_ec_mds_entry;

/* The committed table (core/ec_mds_table.c, made by tools/ec_mds_search.c). */
extern const rq_ec_mds_entry rq_ec_mds_table[];
extern const unsigned rq_ec_mds_table_len;

/* Writes the scheme's m parity ESIs; RQ_ERR_UNSUPPORTED if it has none for (k, m). */
rq_status rq_ec_parity_esis(rq_ec_scheme scheme, uint32_t k, uint32_t m, uint32_t *esis);

#endif

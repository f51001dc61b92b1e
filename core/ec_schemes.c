/* Scheme names and parity ESIs of the k+m coders. */
#include "core/ec_schemes.h"

#include <string.h>

static const char *const SCHEME_NAMES[] = {"raptorq", "raptorq-mds"};

rq_status rq_ec_scheme_name(rq_ec_scheme scheme, const char **name)
{
    if (!name || (unsigned)scheme >= sizeof SCHEME_NAMES / sizeof SCHEME_NAMES[0])
        return RQ_ERR_INVALID_ARGUMENT;
    *name = SCHEME_NAMES[scheme];
    return RQ_OK;
}

rq_status rq_ec_scheme_from_name(const char *name, rq_ec_scheme *out)
{
    if (!name || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    for (unsigned i = 0; i < sizeof SCHEME_NAMES / sizeof SCHEME_NAMES[0]; i++)
        if (!strcmp(name, SCHEME_NAMES[i])) {
            *out = (rq_ec_scheme)i;
            return RQ_OK;
        }
    return RQ_ERR_INVALID_ARGUMENT;
}

static const rq_ec_mds_entry *mds_entry(uint32_t k, uint32_t m)
{
    for (unsigned i = 0; i < rq_ec_mds_table_len; i++)
        if (rq_ec_mds_table[i].k == k && rq_ec_mds_table[i].m == m)
            return &rq_ec_mds_table[i];
    return NULL;
}

static int valid_shape(uint32_t k, uint32_t m)
{
    return k >= 1 && m >= 1 && k <= RQ_MAX_SOURCE_SYMBOLS && m <= RQ_EC_MAX_UNITS - k;
}

rq_status rq_ec_scheme_covers(rq_ec_scheme scheme, uint32_t k, uint32_t m)
{
    if (!valid_shape(k, m))
        return RQ_ERR_INVALID_ARGUMENT;
    switch (scheme) {
    case RQ_EC_RAPTORQ:
        return RQ_OK;
    case RQ_EC_RAPTORQ_MDS:
        return mds_entry(k, m) ? RQ_OK : RQ_ERR_UNSUPPORTED;
    default:
        return RQ_ERR_INVALID_ARGUMENT;
    }
}

rq_status rq_ec_parity_esis(rq_ec_scheme scheme, uint32_t k, uint32_t m, uint32_t *esis)
{
    rq_status st = rq_ec_scheme_covers(scheme, k, m);
    if (st != RQ_OK)
        return st;
    const rq_ec_mds_entry *e = scheme == RQ_EC_RAPTORQ_MDS ? mds_entry(k, m) : NULL;
    for (uint32_t j = 0; j < m; j++)
        esis[j] = e ? e->esi[j] : k + j;
    return RQ_OK;
}

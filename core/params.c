/* Table 2 lookups and derived block constants. */
#include "core/params.h"

#include "core/rfc6330_tables.h"

static int is_prime(uint32_t n)
{
    if (n < 2)
        return 0;
    for (uint32_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

/* Index of the first Table 2 row with K' >= k (RQ_TABLE2_ROWS if none). */
static uint32_t first_row_at_least(uint64_t k)
{
    uint32_t lo = 0, hi = RQ_TABLE2_ROWS;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (rq_table2[mid].k_prime < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t rq_params_k_prime(uint32_t k)
{
    uint32_t row = first_row_at_least(k);
    return row < RQ_TABLE2_ROWS ? rq_table2[row].k_prime : 0;
}

uint32_t rq_params_k_prime_at_most(uint64_t k)
{
    uint32_t row = first_row_at_least(k);
    if (row < RQ_TABLE2_ROWS && rq_table2[row].k_prime == k)
        return rq_table2[row].k_prime;
    return row == 0 ? 0 : rq_table2[row - 1].k_prime;
}

rq_status rq_params_for(uint32_t source_symbols, rq_block_constants *out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (source_symbols == 0 || source_symbols > RQ_MAX_SOURCE_SYMBOLS)
        return RQ_ERR_SYMBOL_COUNT;
    const rq_table2_row *row = &rq_table2[first_row_at_least(source_symbols)];
    rq_block_constants c;
    c.K = source_symbols;
    c.K_prime = row->k_prime;
    c.J = row->j;
    c.S = row->s;
    c.H = row->h;
    c.W = row->w;
    c.L = c.K_prime + c.S + c.H;
    c.P = c.L - c.W;
    c.U = c.P - c.H;
    c.B = c.W - c.S;
    c.P1 = c.P;
    while (!is_prime(c.P1))
        c.P1++;
    *out = c;
    return RQ_OK;
}

rq_status rq_block_constants_for(uint32_t source_symbols, rq_block_constants *out)
{
    return rq_params_for(source_symbols, out);
}

rq_partition rq_partition_of(uint64_t items, uint64_t parts)
{
    rq_partition p;
    p.il = (items + parts - 1) / parts;
    p.is = items / parts;
    p.jl = items - p.is * parts;
    p.js = parts - p.jl;
    return p;
}

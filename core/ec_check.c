/*
 * The recoverability report of a k+m coder: every way to lose s units, for
 * s up to max_erasures, tried against the generator (a pattern decodes iff
 * the surviving parities determine the lost data units; lost parities then
 * follow from the data).
 */
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "core/ec_coder.h"
#include "core/ec_matrix.h"
#include "rq/rq_ec.h"

#define CHECK_MAX_PATTERNS 1000000000ull

/* C(n, s), or UINT64_MAX past CHECK_MAX_PATTERNS. */
static uint64_t choose(uint32_t n, uint32_t s)
{
    uint64_t r = 1;
    for (uint32_t i = 1; i <= s; i++) {
        r = r * (n - s + i) / i; /* exact: r * (n-s+i) is C(n-s+i, i) * i */
        if (r > CHECK_MAX_PATTERNS)
            return UINT64_MAX;
    }
    return r;
}

/*
 * Counts the undecodable patterns of s lost units among n, in lexicographic
 * order, writing the first max_out of them (s indexes each) to out.
 */
static rq_status count_size(const uint8_t *gen, uint32_t k, uint32_t m, uint32_t s,
                            uint8_t *readable, uint32_t *lost, uint32_t *out, size_t max_out,
                            uint64_t *undecodable)
{
    uint32_t n = k + m;
    for (uint32_t i = 0; i < s; i++)
        lost[i] = i;
    *undecodable = 0;
    for (;;) {
        for (uint32_t u = 0; u < n; u++)
            readable[u] = 1;
        for (uint32_t i = 0; i < s; i++)
            readable[lost[i]] = 0;
        int ok = rq_ec_data_recoverable(gen, k, m, readable);
        if (ok < 0)
            return RQ_ERR_NO_MEMORY;
        if (!ok && *undecodable < max_out)
            memcpy(out + *undecodable * s, lost, s * sizeof *lost);
        *undecodable += !ok;
        /* The next combination. */
        uint32_t i = s;
        while (i > 0 && lost[i - 1] == n - s + i - 1)
            i--;
        if (i == 0)
            return RQ_OK;
        lost[i - 1]++;
        for (uint32_t x = i; x < s; x++)
            lost[x] = lost[x - 1] + 1;
    }
}

/* Refuses (naming the size) a check of more than CHECK_MAX_PATTERNS patterns. */
static rq_status too_many(rq_ec_coder *c, uint32_t max_erasures)
{
    rq_context_fail(c->ctx, "checking %u+%u up to %u erasures means more than %llu patterns", c->k, c->m,
                    max_erasures, (unsigned long long)CHECK_MAX_PATTERNS);
    return RQ_ERR_INVALID_ARGUMENT;
}

/* count_size with its scratch allocated here. */
static rq_status check_size(rq_ec_coder *c, uint32_t s, uint32_t *out, size_t max_out, uint64_t *undecodable)
{
    uint8_t *readable = malloc(c->k + c->m);
    uint32_t *lost = malloc(((size_t)s + 1) * sizeof *lost);
    rq_status st = readable && lost ? RQ_OK : RQ_ERR_NO_MEMORY;
    if (st == RQ_OK)
        st = count_size(c->gen, c->k, c->m, s, readable, lost, out, max_out, undecodable);
    free(readable);
    free(lost);
    return st;
}

rq_status rq_ec_check(rq_ec_coder *c, uint32_t max_erasures, uint64_t *patterns,
                      uint64_t *undecodable)
{
    if (!c || !patterns || !undecodable || max_erasures > c->m)
        return RQ_ERR_INVALID_ARGUMENT;
    uint32_t n = c->k + c->m;
    uint64_t total = 0;
    for (uint32_t s = 0; s <= max_erasures; s++) {
        uint64_t p = choose(n, s);
        if (p == UINT64_MAX || (total += p) > CHECK_MAX_PATTERNS)
            return too_many(c, max_erasures);
        patterns[s] = p;
    }
    rq_status st = RQ_OK;
    for (uint32_t s = 0; st == RQ_OK && s <= max_erasures; s++)
        st = check_size(c, s, NULL, 0, &undecodable[s]);
    return st;
}

rq_status rq_ec_undecodable_patterns(rq_ec_coder *c, uint32_t lost, uint32_t *patterns, size_t max_patterns,
                                     uint64_t *count)
{
    if (!c || !count || lost > c->m || (max_patterns && !patterns))
        return RQ_ERR_INVALID_ARGUMENT;
    if (choose(c->k + c->m, lost) == UINT64_MAX)
        return too_many(c, lost);
    return check_size(c, lost, patterns, max_patterns, count);
}

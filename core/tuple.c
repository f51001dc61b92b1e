/* The pseudo-random tuple that says which intermediate symbols an ISI combines. */
#include "core/tuple.h"

#include "core/rfc6330_tables.h"

uint32_t rq_rand(uint32_t y, uint32_t i, uint32_t m)
{
    uint32_t x = rq_rand_v0[(y + i) & 0xFF] ^ rq_rand_v1[((y >> 8) + i) & 0xFF] ^
                 rq_rand_v2[((y >> 16) + i) & 0xFF] ^ rq_rand_v3[((y >> 24) + i) & 0xFF];
    return x % m;
}

static uint32_t degree(uint32_t v, uint32_t w)
{
    uint32_t d = 1;
    while (d < RQ_DEGREE_F_SIZE - 1 && rq_degree_f[d] <= v)
        d++;
    return d < w - 2 ? d : w - 2;
}

rq_tuple rq_tuple_of(const rq_block_constants *c, uint32_t isi)
{
    uint32_t a_mult = 53591u + c->J * 997u;
    if (a_mult % 2 == 0)
        a_mult++;
    uint32_t b_add = 10267u * (c->J + 1u);
    uint32_t y = b_add + isi * a_mult; /* mod 2^32 by unsigned wrap-around */
    uint32_t v = rq_rand(y, 0, 1u << 20);
    rq_tuple t;
    t.d = degree(v, c->W);
    t.a = 1 + rq_rand(y, 1, c->W - 1);
    t.b = rq_rand(y, 2, c->W);
    t.d1 = t.d < 4 ? 2 + rq_rand(isi, 3, 2) : 2;
    t.a1 = 1 + rq_rand(isi, 4, c->P1 - 1);
    t.b1 = rq_rand(isi, 5, c->P1);
    return t;
}

static uint32_t step_p1(const rq_block_constants *c, uint32_t b1, uint32_t a1)
{
    b1 += a1;
    return b1 >= c->P1 ? b1 - c->P1 : b1;
}

uint32_t rq_neighbours(const rq_block_constants *c, uint32_t isi, uint32_t *out)
{
    rq_tuple t = rq_tuple_of(c, isi);
    /* The steps below add a < W (a1 < P1) to b < W (b1 < P1), so "mod W" is
     * one conditional subtraction: a division costs as much as the rest. */
    uint32_t n = 0;
    uint32_t b = t.b;
    out[n++] = b;
    for (uint32_t j = 1; j < t.d; j++) {
        b += t.a;
        b -= b >= c->W ? c->W : 0;
        out[n++] = b;
    }
    uint32_t b1 = t.b1;
    for (uint32_t j = 0; j < t.d1; j++) {
        if (j > 0)
            b1 = step_p1(c, b1, t.a1);
        while (b1 >= c->P)
            b1 = step_p1(c, b1, t.a1);
        out[n++] = c->W + b1;
    }
    return n;
}

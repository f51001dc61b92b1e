/* Choosing and solving a source block's symbols (see symbol_choice.h). */
#include "runtime/symbol_choice.h"

#include <stdlib.h>
#include <string.h>

void rq_block_choice_free(rq_block_choice *ch)
{
    free(ch->use);
    free(ch->have_source);
    rq_plan_free(ch->plan);
    memset(ch, 0, sizeof *ch);
}

int rq_held_by_esi(const void *a, const void *b)
{
    uint32_t x = (*(rq_held_symbol *const *)a)->esi, y = (*(rq_held_symbol *const *)b)->esi;
    return x < y ? -1 : x > y;
}

/* The ISIs wants names (see symbol_choice.h); NULL if there is no memory. */
static uint32_t *wanted_isis(const rq_block_choice *ch, const rq_block_wants *wants, uint32_t *n)
{
    uint32_t K = ch->c.K, padding = ch->c.K_prime - K;
    uint32_t *isis = malloc(((size_t)K + wants->n_esis) * sizeof *isis + 1);
    *n = 0;
    for (uint32_t x = 0; isis && wants->missing_sources && x < K; x++)
        if (!ch->have_source[x])
            isis[(*n)++] = x;
    for (uint32_t i = 0; isis && i < wants->n_esis; i++)
        isis[(*n)++] = wants->esis[i] < K ? wants->esis[i] : wants->esis[i] + padding;
    return isis;
}

rq_status rq_block_choose(rq_context *ctx, rq_chunk_scan *scan, uint32_t sbn, uint32_t K,
                         const rq_block_wants *wants, rq_block_choice *ch)
{
    memset(ch, 0, sizeof *ch);
    rq_params_for(K, &ch->c);
    ch->use = calloc(scan->n_held + 1, sizeof *ch->use);
    ch->have_source = calloc(K, 1);
    if (!ch->use || !ch->have_source)
        return RQ_ERR_NO_MEMORY;
    uint32_t repairs_available = 0;
    for (size_t i = 0; i < scan->n_held; i++) {
        rq_held_symbol *h = &scan->held[i];
        if (h->sbn != sbn || h->gone)
            continue;
        if (h->esi < K && !ch->have_source[h->esi]) {
            ch->have_source[h->esi] = 1;
            ch->use[ch->n_use++] = h;
        } else if (h->esi >= K) {
            repairs_available++; /* an upper bound: duplicates are removed below */
        }
    }
    ch->n_source = ch->n_use;
    if (ch->n_source == K || ch->n_source + repairs_available < K) {
        ch->needed = ch->n_source == K ? 0 : K - ch->n_source - repairs_available;
        return RQ_OK;
    }
    /* Repairs after the sources, in ESI order, each ESI once (two files may hold one symbol). */
    uint32_t n_rep = 0;
    rq_held_symbol **rep = ch->use + ch->n_source;
    for (size_t i = 0; i < scan->n_held; i++)
        if (scan->held[i].sbn == sbn && scan->held[i].esi >= K && !scan->held[i].gone)
            rep[n_rep++] = &scan->held[i];
    qsort(rep, n_rep, sizeof *rep, rq_held_by_esi);
    uint32_t unique = 0;
    for (uint32_t i = 0; i < n_rep; i++)
        if (unique == 0 || rep[unique - 1]->esi != rep[i]->esi)
            rep[unique++] = rep[i];
    if (ch->n_source + unique < K) {
        ch->needed = K - ch->n_source - unique;
        return RQ_OK;
    }
    uint32_t padding = ch->c.K_prime - K, n_wanted = 0;
    uint32_t *isis = malloc(((size_t)ch->n_source + unique + padding) * sizeof *isis);
    uint32_t *wanted = wants ? wanted_isis(ch, wants, &n_wanted) : NULL;
    if (!isis || (wants && !wanted)) {
        free(isis);
        free(wanted);
        return RQ_ERR_NO_MEMORY;
    }
    /* First K + RQ_DECODE_EXTRA_SYMBOLS symbols; if those are dependent, everything held. */
    for (int all = 0; all < 2; all++) {
        uint32_t take = all ? unique : (K + RQ_DECODE_EXTRA_SYMBOLS - ch->n_source < unique
                                            ? K + RQ_DECODE_EXTRA_SYMBOLS - ch->n_source : unique);
        ch->n_use = ch->n_source + take;
        for (uint32_t k = 0; k < ch->n_use; k++)
            isis[k] = ch->use[k]->esi < K ? ch->use[k]->esi : ch->use[k]->esi + padding;
        for (uint32_t k = 0; k < padding; k++)
            isis[ch->n_use + k] = K + k;
        rq_status st = rq_plan_build_wanted(ctx, &ch->c, isis, ch->n_use + padding, wanted,
                                            n_wanted, &ch->plan);
        if (st == RQ_OK || st != RQ_ERR_NEED_MORE_SYMBOLS || take == unique) {
            free(isis);
            free(wanted);
            if (st == RQ_ERR_NEED_MORE_SYMBOLS)
                break;
            return st;
        }
    }
    ch->needed = 1; /* every symbol held was tried; they are dependent */
    return RQ_OK;
}

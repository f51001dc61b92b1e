/* Union-find over a graph's nodes (see components.h). */
#include "core/components.h"

#include <stdlib.h>

#define OUTSIDE UINT32_MAX

rq_status rq_components_init(rq_components *g, uint32_t n)
{
    g->parent = malloc((size_t)n * sizeof *g->parent + 1);
    g->size = malloc((size_t)n * sizeof *g->size + 1);
    g->touched = malloc((size_t)n * sizeof *g->touched + 1);
    g->n_touched = 0;
    if (!g->parent || !g->size || !g->touched) {
        rq_components_free(g);
        return RQ_ERR_NO_MEMORY;
    }
    for (uint32_t i = 0; i < n; i++)
        g->parent[i] = OUTSIDE;
    return RQ_OK;
}

void rq_components_free(rq_components *g)
{
    free(g->parent);
    free(g->size);
    free(g->touched);
    g->parent = g->size = g->touched = NULL;
    g->n_touched = 0;
}

uint32_t rq_components_find(rq_components *g, uint32_t x)
{
    uint32_t *parent = g->parent;
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void add_node(rq_components *g, uint32_t x)
{
    if (g->parent[x] != OUTSIDE)
        return;
    g->parent[x] = x;
    g->size[x] = 1;
    g->touched[g->n_touched++] = x;
}

uint32_t rq_components_link(rq_components *g, uint32_t a, uint32_t b)
{
    add_node(g, a);
    add_node(g, b);
    uint32_t ra = rq_components_find(g, a), rb = rq_components_find(g, b);
    if (ra == rb)
        return ra;
    if (g->size[ra] < g->size[rb]) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    g->parent[rb] = ra;
    g->size[ra] += g->size[rb];
    return ra;
}

void rq_components_reset(rq_components *g)
{
    for (uint32_t k = 0; k < g->n_touched; k++)
        g->parent[g->touched[k]] = OUTSIDE;
    g->n_touched = 0;
}

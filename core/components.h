/*
 * Connected components of a graph whose nodes are numbered below n, built
 * edge by edge (union-find with path halving and union by size). Only the
 * nodes an edge touched are reset afterwards, so one structure of n nodes
 * serves many small graphs: the solver's r = 2 rule builds one per pick.
 */
#ifndef RQ_CORE_COMPONENTS_H
#define RQ_CORE_COMPONENTS_H

#include <stdint.h>

#include "rq/rq.h"

typedef struct rq_components {
    uint32_t *parent;  /* UINT32_MAX: not in the graph yet */
    uint32_t *size;    /* of a root's component */
    uint32_t *touched; /* nodes in the graph, for the reset */
    uint32_t n_touched;
} rq_components;

/* A structure for nodes 0..n-1, every node outside the graph. RQ_ERR_NO_MEMORY. */
rq_status rq_components_init(rq_components *g, uint32_t n);
void rq_components_free(rq_components *g);

/* The representative of node x's component (x must be in the graph). */
uint32_t rq_components_find(rq_components *g, uint32_t x);
/* Adds the edge a-b (and the nodes); returns the root of their component. */
uint32_t rq_components_link(rq_components *g, uint32_t a, uint32_t b);
/* Nodes in the component of root. */
static inline uint32_t rq_components_size(const rq_components *g, uint32_t root)
{
    return g->size[root];
}
/* Empties the graph again (only the nodes added are touched). */
void rq_components_reset(rq_components *g);

#endif

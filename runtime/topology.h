/*
 * Machine topology (hwloc) and worker placement: which PU each worker of a
 * job runs on and which NUMA node its buffers belong to. Internal; the public
 * view is include/rq/rq_topology.h.
 *
 * Indices: NUMA nodes and cores are hwloc *logical* indices (0..n-1 in
 * topology order); PUs are *OS* indices (the numbers the kernel and
 * taskset use). Only nodes with at least one PU receive workers; a
 * memory-only node is counted but never placed on.
 *
 * A loaded rq_topology is immutable: every function here may be called from
 * any number of threads at once.
 */
#ifndef RQ_RUNTIME_TOPOLOGY_H
#define RQ_RUNTIME_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"
#include "rq/rq_file.h"
#include "rq/rq_topology.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

typedef struct rq_topology rq_topology;

/* Where one worker runs. For RQ_PLACEMENT_NONE pu, core and node are all -1. */
typedef struct rq_worker_slot {
    uint32_t worker; /* 0..n_workers-1 */
    int pu;          /* OS index of the PU the worker is bound to; -1 = unbound */
    int core;        /* logical index of that PU's core; -1 = unbound */
    int node;        /* logical index of the core's NUMA node; -1 = unknown (allocate anywhere) */
} rq_worker_slot;

/* One NUMA node. */
typedef struct rq_topology_node {
    int os_index;          /* the kernel's number for the node */
    uint32_t cores;        /* cores whose PUs lie on this node */
    uint32_t pus;
    uint64_t memory_bytes; /* local memory; 0 if unknown */
} rq_topology_node;

/*
 * synthetic == NULL: this machine. Otherwise an hwloc synthetic description
 * ("pack:2 numa:2 core:4 pu:2", "numa:1 core:2 pu:1"): a machine that
 * exists only on paper, for testing placement. RQ_ERR_CONFIG when hwloc
 * rejects the description or cannot load this machine; RQ_ERR_NO_MEMORY.
 * *out is set only on RQ_OK.
 */
rq_status rq_topology_load(const char *synthetic, rq_topology **out);
/* NULL is fine. Never free rq_topology_system()'s topology. */
void rq_topology_free(rq_topology *topology);

/*
 * This machine's topology, loaded at the first call (pthread_once) and kept
 * for the life of the process. Never NULL: when hwloc fails, a fallback of
 * one node with one single-PU core per online CPU (sysconf), not bindable.
 * hwloc's own HWLOC_SYNTHETIC environment variable is honoured (then the
 * topology is synthetic and not bindable either).
 */
const rq_topology *rq_topology_system(void);

/* One last-level cache's bytes (L3, else L2); 0 if hwloc lists neither. */
uint64_t rq_topology_last_cache_bytes(const rq_topology *topology);
/* Counts and cache sizes (see rq_topology_summary). */
void rq_topology_summarize(const rq_topology *topology, rq_topology_summary *out);
/* RQ_ERR_INVALID_ARGUMENT if node >= numa_nodes. */
rq_status rq_topology_node_info(const rq_topology *topology, uint32_t node, rq_topology_node *out);
/* 1 when workers can actually be bound (hwloc describes this very machine). */
int rq_topology_can_bind(const rq_topology *topology);

/*
 * Fills slots[0..n_workers-1]. Placement lists each PU once, in this order,
 * and worker i takes entry i modulo the list's length (wrap-around: with
 * more workers than PUs, worker P shares the PU of worker 0, and so on):
 *
 * COMPACT: SMT rank 0 (a core's first PU) of every core of node 0 in core
 *   order, then of every core of node 1, ...; then SMT rank 1 (second PUs)
 *   of node 0, node 1, ...; and so on. One worker per core until every core
 *   has one, a node filled before the next is started.
 * SPREAD: worker i goes to node i mod M (M = nodes that have PUs, in node
 *   order) and takes that node's (i div M)-th entry, modulo the node's
 *   length, of its own list in COMPACT order (first PUs of its cores, then
 *   second PUs, ...).
 * NONE: every slot is {i, -1, -1, -1}.
 *
 * RQ_ERR_INVALID_ARGUMENT for NULL pointers or an unknown policy. n_workers
 * may be 0 (nothing written).
 */
rq_status rq_topology_place(const rq_topology *topology, rq_placement policy, uint32_t n_workers,
                            rq_worker_slot *slots);

/*
 * Binds the calling thread to slot->pu. RQ_OK without doing anything when
 * slot->pu is -1 or the topology is not bindable (synthetic, fallback).
 * RQ_ERR_INVALID_ARGUMENT if the topology has no such PU; RQ_ERR_CONFIG if
 * the OS refuses (e.g. the PU is outside this process's allowed CPUs) — the
 * thread then stays where it was and may go on working unbound.
 */
rq_status rq_topology_bind_thread(const rq_topology *topology, const rq_worker_slot *slot);

/*
 * bytes of memory meant for NUMA node `node` (logical index; -1 = no
 * preference). Bound with hwloc where the OS supports it, else plain memory:
 * either way usable, contents unspecified. NULL when bytes is 0, node is
 * out of range or memory is short. Free with rq_topology_free_on_node and
 * the same topology and size.
 */
void *rq_topology_alloc_on_node(const rq_topology *topology, size_t bytes, int node);
void rq_topology_free_on_node(const rq_topology *topology, void *ptr, size_t bytes);

/* Adds the keys that rq_topology_describe_json documents to obj. RQ_ERR_NO_MEMORY. */
rq_status rq_topology_to_json(const rq_topology *topology, struct cJSON *obj);

#ifdef __cplusplus
}
#endif

#endif /* RQ_RUNTIME_TOPOLOGY_H */

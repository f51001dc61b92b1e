/*
 * librq — the machine as the library sees it: NUMA nodes, packages, cores,
 * PUs (hardware threads) and cache sizes, found with hwloc once per process.
 * The scheduler places its workers and their buffers by it; `rq info` prints
 * it. Like rq.h: every function returns an rq_status, nothing prints.
 *
 * If hwloc cannot describe the machine, the library falls back to one NUMA
 * node, one package and one core per online CPU (sysconf), with cache sizes
 * unknown; `source` then says "fallback". The environment variable
 * HWLOC_SYNTHETIC="pack:2 numa:2 core:4 pu:2" (read by hwloc itself) makes
 * the library see that imaginary machine instead; workers are then not bound.
 */
#ifndef RQ_RQ_TOPOLOGY_H
#define RQ_RQ_TOPOLOGY_H

#include "rq/rq.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_topology_summary {
    uint32_t numa_nodes; /* >= 1; includes nodes with memory but no CPUs */
    uint32_t packages;   /* >= 1 */
    uint32_t cores;      /* >= 1; a PU that hwloc puts in no core counts as one */
    uint32_t pus;        /* >= 1; hardware threads this process may run on */
    uint64_t l1d_bytes;  /* size of one L1 data cache; 0 if unknown */
    uint64_t l2_bytes;   /* size of one L2 cache; 0 if unknown */
    uint64_t l3_bytes;   /* size of one L3 cache; 0 if unknown */
    uint64_t memory_bytes; /* memory of all NUMA nodes together; 0 if unknown */
    const char *source;  /* "hwloc" (this machine), "synthetic" or "fallback" */
} rq_topology_summary;

/* The topology of this machine (loaded at the first call of either function). */
RQ_API rq_status rq_topology_get_summary(rq_topology_summary *out);
/*
 * The same plus one entry per NUMA node, as a JSON object:
 *   {"source": "hwloc", "numa_nodes": 1, "packages": 1, "cores": 2, "pus": 2,
 *    "memory_bytes": N, "caches": {"l1d_bytes": N, "l2_bytes": N, "l3_bytes": N},
 *    "nodes": [{"index": 0, "os_index": 0, "cores": 2, "pus": 2,
 *               "memory_bytes": N, "pu_os_indices": [0, 1]}]}
 * *json_out is a NUL-terminated string for rq_string_free.
 */
RQ_API rq_status rq_topology_describe_json(char **json_out);
/* Frees a string the library allocated for the caller; NULL is fine. */
RQ_API rq_status rq_string_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* RQ_RQ_TOPOLOGY_H */

/*
 * Machine topology from hwloc, flattened at load time into plain arrays (PUs
 * grouped by core, cores tagged with their node) and two placement orders,
 * so that placement needs no hwloc calls and the sysconf fallback shares
 * every code path with hwloc except binding and node-bound memory.
 */
#include "runtime/topology.h"

#include <cjson/cJSON.h>
#ifndef RQ_NO_HWLOC
#include <hwloc.h>
#else
/* Builds without hwloc (WebAssembly) have the sysconf fallback only. */
typedef void *hwloc_topology_t;
#endif
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct topo_core {
    int node;       /* logical NUMA node index */
    uint32_t first; /* its PUs are pu_os[first .. first+count-1] */
    uint32_t count;
} topo_core;

/* A PU in a placement order. */
typedef struct topo_entry {
    int pu;
    int core;
    int node;
} topo_entry;

struct rq_topology {
    hwloc_topology_t hw; /* NULL for the fallback */
    int bindable;
    const char *source;
    uint32_t packages;
    uint64_t l1d, l2, l3;
    uint32_t n_nodes;
    rq_topology_node *nodes;
    uint32_t n_cores;
    topo_core *cores;
    uint32_t n_pus;
    int *pu_os;          /* grouped by core, in core order */
    topo_entry *compact; /* n_pus entries: the COMPACT order */
    topo_entry *by_node; /* n_pus entries: each node's own COMPACT order, node after node */
    uint32_t *node_first; /* a node's entries in by_node start here... */
    uint32_t *node_count; /* ...and are this many (0 for a memory-only node) */
};

static uint32_t max_pus_per_core(const rq_topology *t)
{
    uint32_t most = 0;
    for (uint32_t c = 0; c < t->n_cores; c++)
        if (t->cores[c].count > most)
            most = t->cores[c].count;
    return most;
}

/* Appends, SMT rank by rank, the PUs of node `node`'s cores (every node if node < 0). */
static uint32_t append_in_compact_order(const rq_topology *t, int node, topo_entry *out, uint32_t n)
{
    uint32_t ranks = max_pus_per_core(t);
    for (uint32_t rank = 0; rank < ranks; rank++)
        for (uint32_t nd = 0; nd < t->n_nodes; nd++) {
            if (node >= 0 && (uint32_t)node != nd)
                continue;
            for (uint32_t c = 0; c < t->n_cores; c++) {
                const topo_core *core = &t->cores[c];
                if ((uint32_t)core->node != nd || core->count <= rank)
                    continue;
                out[n++] = (topo_entry){t->pu_os[core->first + rank], (int)c, core->node};
            }
        }
    return n;
}

/* Derived data: node counts and the two placement orders. */
static rq_status finish(rq_topology *t)
{
    t->compact = calloc(t->n_pus, sizeof *t->compact);
    t->by_node = calloc(t->n_pus, sizeof *t->by_node);
    t->node_first = calloc(t->n_nodes, sizeof *t->node_first);
    t->node_count = calloc(t->n_nodes, sizeof *t->node_count);
    if (!t->compact || !t->by_node || !t->node_first || !t->node_count)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t c = 0; c < t->n_cores; c++) {
        rq_topology_node *node = &t->nodes[t->cores[c].node];
        node->cores++;
        node->pus += t->cores[c].count;
    }
    append_in_compact_order(t, -1, t->compact, 0);
    uint32_t n = 0;
    for (uint32_t nd = 0; nd < t->n_nodes; nd++) {
        t->node_first[nd] = n;
        n = append_in_compact_order(t, (int)nd, t->by_node, n);
        t->node_count[nd] = n - t->node_first[nd];
    }
    return RQ_OK;
}

static void free_arrays(rq_topology *t)
{
    free(t->nodes);
    free(t->cores);
    free(t->pu_os);
    free(t->compact);
    free(t->by_node);
    free(t->node_first);
    free(t->node_count);
}

#ifndef RQ_NO_HWLOC
static uint32_t count_of(hwloc_topology_t hw, hwloc_obj_type_t type)
{
    int n = hwloc_get_nbobjs_by_type(hw, type);
    return n > 0 ? (uint32_t)n : 0;
}

/* One cache of that level (data or unified); 0 if hwloc lists none. */
static uint64_t cache_size(hwloc_topology_t hw, hwloc_obj_type_t type)
{
    hwloc_obj_t cache = hwloc_get_obj_by_type(hw, type, 0);
    return cache != NULL ? cache->attr->cache.size : 0;
}

/* The first NUMA node holding this PU; 0 if none says so. */
static int node_of_pu(hwloc_topology_t hw, unsigned pu_os)
{
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(hw, HWLOC_OBJ_NUMANODE, node)) != NULL)
        if (node->cpuset != NULL && hwloc_bitmap_isset(node->cpuset, pu_os))
            return (int)node->logical_index;
    return 0;
}

static rq_status fill_from_hwloc(rq_topology *t)
{
    hwloc_topology_t hw = t->hw;
    t->bindable = hwloc_topology_is_thissystem(hw);
    t->source = t->bindable ? "hwloc" : "synthetic";
    t->packages = count_of(hw, HWLOC_OBJ_PACKAGE);
    if (t->packages == 0)
        t->packages = 1;
    t->l1d = cache_size(hw, HWLOC_OBJ_L1CACHE);
    t->l2 = cache_size(hw, HWLOC_OBJ_L2CACHE);
    t->l3 = cache_size(hw, HWLOC_OBJ_L3CACHE);

    t->n_pus = count_of(hw, HWLOC_OBJ_PU);
    uint32_t n_nodes = count_of(hw, HWLOC_OBJ_NUMANODE);
    t->n_nodes = n_nodes > 0 ? n_nodes : 1;
    if (t->n_pus == 0)
        return RQ_ERR_CONFIG;
    t->nodes = calloc(t->n_nodes, sizeof *t->nodes);
    t->cores = calloc(t->n_pus, sizeof *t->cores);
    t->pu_os = calloc(t->n_pus, sizeof *t->pu_os);
    if (!t->nodes || !t->cores || !t->pu_os)
        return RQ_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < n_nodes; i++) {
        hwloc_obj_t node = hwloc_get_obj_by_type(hw, HWLOC_OBJ_NUMANODE, i);
        t->nodes[i].os_index = (int)node->os_index;
        t->nodes[i].memory_bytes = node->attr->numanode.local_memory;
    }

    /* PUs in logical order: a core's PUs are consecutive. A PU without a
     * core (hwloc found no core level) is a core of its own. */
    hwloc_obj_t previous = NULL;
    for (uint32_t i = 0; i < t->n_pus; i++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(hw, HWLOC_OBJ_PU, i);
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_CORE, pu);
        if (core == NULL)
            core = pu;
        if (core != previous || t->n_cores == 0) {
            t->cores[t->n_cores++] = (topo_core){node_of_pu(hw, pu->os_index), i, 0};
            previous = core;
        }
        t->cores[t->n_cores - 1].count++;
        t->pu_os[i] = (int)pu->os_index;
    }
    return finish(t);
}

rq_status rq_topology_load(const char *synthetic, rq_topology **out)
{
    if (out == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    hwloc_topology_t hw;
    if (hwloc_topology_init(&hw) < 0)
        return RQ_ERR_NO_MEMORY;
    if ((synthetic != NULL && hwloc_topology_set_synthetic(hw, synthetic) < 0) ||
        hwloc_topology_load(hw) < 0) {
        hwloc_topology_destroy(hw);
        return RQ_ERR_CONFIG;
    }
    rq_topology *t = calloc(1, sizeof *t);
    if (t == NULL) {
        hwloc_topology_destroy(hw);
        return RQ_ERR_NO_MEMORY;
    }
    t->hw = hw;
    rq_status st = fill_from_hwloc(t);
    if (st != RQ_OK) {
        rq_topology_free(t);
        return st;
    }
    *out = t;
    return RQ_OK;
}

#else
rq_status rq_topology_load(const char *synthetic, rq_topology **out)
{
    (void)synthetic;
    return out == NULL ? RQ_ERR_INVALID_ARGUMENT : RQ_ERR_UNSUPPORTED;
}
#endif

void rq_topology_free(rq_topology *topology)
{
    if (topology == NULL)
        return;
    free_arrays(topology);
#ifndef RQ_NO_HWLOC
    if (topology->hw != NULL)
        hwloc_topology_destroy(topology->hw);
#endif
    free(topology);
}

/* One node, one package, one single-PU core per online CPU (PU i = CPU i). */
static rq_topology *load_fallback(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t n = online > 0 ? (uint32_t)online : 1;
    rq_topology *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->source = "fallback";
    t->packages = 1;
    t->n_nodes = 1;
    t->n_cores = n;
    t->n_pus = n;
    t->nodes = calloc(1, sizeof *t->nodes);
    t->cores = calloc(n, sizeof *t->cores);
    t->pu_os = calloc(n, sizeof *t->pu_os);
    if (!t->nodes || !t->cores || !t->pu_os) {
        rq_topology_free(t);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        t->cores[i] = (topo_core){0, i, 1};
        t->pu_os[i] = (int)i;
    }
    if (finish(t) != RQ_OK) {
        rq_topology_free(t);
        return NULL;
    }
    return t;
}

/* What rq_topology_system returns when even the fallback finds no memory. */
static rq_topology_node minimal_node = {0, 1, 1, 0};
static topo_core minimal_core = {0, 0, 1};
static int minimal_pu = 0;
static topo_entry minimal_entry = {0, 0, 0};
static uint32_t minimal_first = 0, minimal_count = 1;
static rq_topology minimal = {
    .source = "fallback", .packages = 1, .n_nodes = 1, .nodes = &minimal_node,
    .n_cores = 1, .cores = &minimal_core, .n_pus = 1, .pu_os = &minimal_pu,
    .compact = &minimal_entry, .by_node = &minimal_entry,
    .node_first = &minimal_first, .node_count = &minimal_count};

static pthread_once_t system_once = PTHREAD_ONCE_INIT;
static rq_topology *system_topology;

static void load_system(void)
{
    if (rq_topology_load(NULL, &system_topology) != RQ_OK)
        system_topology = load_fallback();
    if (system_topology == NULL)
        system_topology = &minimal;
}

const rq_topology *rq_topology_system(void)
{
    pthread_once(&system_once, load_system);
    return system_topology;
}

uint64_t rq_topology_last_cache_bytes(const rq_topology *topology)
{
    return topology->l3 ? topology->l3 : topology->l2;
}

void rq_topology_summarize(const rq_topology *t, rq_topology_summary *out)
{
    uint64_t memory = 0;
    for (uint32_t i = 0; i < t->n_nodes; i++)
        memory += t->nodes[i].memory_bytes;
    *out = (rq_topology_summary){
        .numa_nodes = t->n_nodes, .packages = t->packages, .cores = t->n_cores, .pus = t->n_pus,
        .l1d_bytes = t->l1d, .l2_bytes = t->l2, .l3_bytes = t->l3,
        .memory_bytes = memory, .source = t->source};
}

rq_status rq_topology_node_info(const rq_topology *topology, uint32_t node, rq_topology_node *out)
{
    if (topology == NULL || out == NULL || node >= topology->n_nodes)
        return RQ_ERR_INVALID_ARGUMENT;
    *out = topology->nodes[node];
    return RQ_OK;
}

int rq_topology_can_bind(const rq_topology *topology)
{
    return topology != NULL && topology->hw != NULL && topology->bindable;
}

/* The SPREAD entry of worker i: node i mod M (nodes with PUs), entry i div M there. */
static topo_entry spread_entry(const rq_topology *t, uint32_t i)
{
    uint32_t with_pus = 0;
    for (uint32_t nd = 0; nd < t->n_nodes; nd++)
        with_pus += t->node_count[nd] > 0;
    uint32_t want = i % with_pus;
    uint32_t nd = 0;
    for (;; nd++)
        if (t->node_count[nd] > 0 && want-- == 0)
            break;
    return t->by_node[t->node_first[nd] + (i / with_pus) % t->node_count[nd]];
}

rq_status rq_topology_place(const rq_topology *topology, rq_placement policy, uint32_t n_workers,
                            rq_worker_slot *slots)
{
    if (topology == NULL || (slots == NULL && n_workers > 0))
        return RQ_ERR_INVALID_ARGUMENT;
    if (policy != RQ_PLACEMENT_COMPACT && policy != RQ_PLACEMENT_SPREAD && policy != RQ_PLACEMENT_NONE)
        return RQ_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < n_workers; i++) {
        topo_entry e = {-1, -1, -1};
        if (policy == RQ_PLACEMENT_COMPACT)
            e = topology->compact[i % topology->n_pus];
        else if (policy == RQ_PLACEMENT_SPREAD)
            e = spread_entry(topology, i);
        slots[i] = (rq_worker_slot){i, e.pu, e.core, e.node};
    }
    return RQ_OK;
}

rq_status rq_topology_bind_thread(const rq_topology *topology, const rq_worker_slot *slot)
{
    if (topology == NULL || slot == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    if (slot->pu < 0 || !rq_topology_can_bind(topology))
        return RQ_OK;
#ifdef RQ_NO_HWLOC
    return RQ_OK;
#else
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topology->hw, (unsigned)slot->pu);
    if (pu == NULL || pu->cpuset == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    return hwloc_set_cpubind(topology->hw, pu->cpuset, HWLOC_CPUBIND_THREAD) == 0 ? RQ_OK : RQ_ERR_CONFIG;
#endif
}

void *rq_topology_alloc_on_node(const rq_topology *topology, size_t bytes, int node)
{
    if (topology == NULL || bytes == 0 || node < -1 || (node >= 0 && (uint32_t)node >= topology->n_nodes))
        return NULL;
    if (topology->hw == NULL)
        return malloc(bytes);
#ifdef RQ_NO_HWLOC
    return NULL;
#else
    hwloc_obj_t obj = node >= 0 ? hwloc_get_obj_by_type(topology->hw, HWLOC_OBJ_NUMANODE, (unsigned)node) : NULL;
    if (obj == NULL || !topology->bindable)
        return hwloc_alloc(topology->hw, bytes);
    /* Without HWLOC_MEMBIND_STRICT hwloc hands back unbound memory when the
     * OS cannot bind; hwloc_free releases either kind. */
    return hwloc_alloc_membind(topology->hw, bytes, obj->nodeset, HWLOC_MEMBIND_BIND,
                               HWLOC_MEMBIND_BYNODESET);
#endif
}

void rq_topology_free_on_node(const rq_topology *topology, void *ptr, size_t bytes)
{
    if (topology == NULL || ptr == NULL)
        return;
#ifndef RQ_NO_HWLOC
    if (topology->hw != NULL) {
        hwloc_free(topology->hw, ptr, bytes);
        return;
    }
#endif
    (void)bytes;
    free(ptr);
}

static int add_number(cJSON *obj, const char *key, double value)
{
    return cJSON_AddNumberToObject(obj, key, value) != NULL;
}

static int add_node(const rq_topology *t, uint32_t nd, cJSON *nodes)
{
    cJSON *node = cJSON_CreateObject();
    if (node == NULL || !cJSON_AddItemToArray(nodes, node))
        return cJSON_Delete(node), 0;
    const rq_topology_node *n = &t->nodes[nd];
    if (!add_number(node, "index", nd) || !add_number(node, "os_index", n->os_index) ||
        !add_number(node, "cores", n->cores) || !add_number(node, "pus", n->pus) ||
        !add_number(node, "memory_bytes", (double)n->memory_bytes))
        return 0;
    cJSON *pus = cJSON_AddArrayToObject(node, "pu_os_indices");
    if (pus == NULL)
        return 0;
    for (uint32_t c = 0; c < t->n_cores; c++) {
        if ((uint32_t)t->cores[c].node != nd)
            continue;
        for (uint32_t k = 0; k < t->cores[c].count; k++) {
            cJSON *pu = cJSON_CreateNumber(t->pu_os[t->cores[c].first + k]);
            if (pu == NULL || !cJSON_AddItemToArray(pus, pu))
                return cJSON_Delete(pu), 0;
        }
    }
    return 1;
}

rq_status rq_topology_to_json(const rq_topology *topology, cJSON *obj)
{
    if (topology == NULL || obj == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_topology_summary s;
    rq_topology_summarize(topology, &s);
    if (cJSON_AddStringToObject(obj, "source", s.source) == NULL ||
        !add_number(obj, "numa_nodes", s.numa_nodes) || !add_number(obj, "packages", s.packages) ||
        !add_number(obj, "cores", s.cores) || !add_number(obj, "pus", s.pus) ||
        !add_number(obj, "memory_bytes", (double)s.memory_bytes))
        return RQ_ERR_NO_MEMORY;
    cJSON *caches = cJSON_AddObjectToObject(obj, "caches");
    cJSON *nodes = cJSON_AddArrayToObject(obj, "nodes");
    int ok = caches != NULL && nodes != NULL && add_number(caches, "l1d_bytes", (double)s.l1d_bytes) &&
             add_number(caches, "l2_bytes", (double)s.l2_bytes) &&
             add_number(caches, "l3_bytes", (double)s.l3_bytes);
    for (uint32_t nd = 0; ok && nd < topology->n_nodes; nd++)
        ok = add_node(topology, nd, nodes);
    return ok ? RQ_OK : RQ_ERR_NO_MEMORY;
}

/* ------------------------------------------------------------------------ */
/* Public view (rq_topology.h)                                               */
/* ------------------------------------------------------------------------ */

rq_status rq_topology_get_summary(rq_topology_summary *out)
{
    if (out == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_topology_summarize(rq_topology_system(), out);
    return RQ_OK;
}

rq_status rq_topology_describe_json(char **json_out)
{
    if (json_out == NULL)
        return RQ_ERR_INVALID_ARGUMENT;
    cJSON *obj = cJSON_CreateObject();
    if (obj == NULL)
        return RQ_ERR_NO_MEMORY;
    rq_status st = rq_topology_to_json(rq_topology_system(), obj);
    char *text = st == RQ_OK ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (text == NULL)
        return st != RQ_OK ? st : RQ_ERR_NO_MEMORY;
    *json_out = text;
    return RQ_OK;
}

/* cJSON allocates with malloc: the library never installs other hooks. */
rq_status rq_string_free(char *s)
{
    free(s);
    return RQ_OK;
}

/*
 * `rq info`: what this binary is: library version, compiler, build flavour,
 * the kernel backend the library picked on this machine, and the machine's
 * topology (NUMA nodes, cores, PUs, caches) as the scheduler sees it.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rq/rq_batch.h"
#include "rq/rq_file.h"
#include "rq/rq_topology.h"

#include "cli/cli_args.h"
#include "cli/commands.h"

const char cmd_info_help[] =
    "Usage: rq info [--json]\n"
    "\n"
    "Shows the library version, the compiler and build flavour of this binary,\n"
    "the CPU features the library sees, every kernel backend with whether it\n"
    "is built in and usable here, and the one in use; then the machine's\n"
    "topology as the scheduler sees it (hwloc): NUMA nodes, packages, cores,\n"
    "hardware threads (PUs), L1d/L2/L3 cache sizes and, per NUMA node, its\n"
    "cores, PUs and memory; and the defaults the file commands take from it\n"
    "(worker threads: one per core; the process memory budget: half the RAM).\n"
    "Then what a batch of blocks on one plan (rq_code_batch) would run on: the\n"
    "CPU, or a CUDA GPU when one is usable and the cost model says the copies\n"
    "pay, for 1000 blocks of K = 1000, T = 1280 wanting 100 repair symbols\n"
    "each, and why (RQ_BACKEND=cuda puts every batch on the GPU).\n"
    "Include it in bug reports and benchmark results.\n"
    "\n"
    "Without hwloc's view of the machine the topology is one node with one\n"
    "core per online CPU (source \"fallback\"). hwloc's HWLOC_SYNTHETIC\n"
    "variable shows an imaginary machine instead (source \"synthetic\"),\n"
    "e.g. HWLOC_SYNTHETIC=\"pack:2 numa:2 core:4 pu:2\" rq info.\n"
    "\n"
    "The library picks the fastest usable backend; the environment variable\n"
    "RQ_BACKEND=NAME (scalar, avx2, avx512, neon or auto) asks for one. If the\n"
    "one asked for cannot run here, rq info says why and exits with 1.\n"
    "\n"
    "Options:\n"
    "  --json       print the same as one JSON object (topology under \"topology\")\n"
    "  -h, --help   show this text\n"
    "\n"
    "Examples:\n"
    "  rq info --json\n"
    "  RQ_BACKEND=scalar rq info\n"
    "\n"
    "Exit codes: 0 ok, 1 the library reports an error (e.g. no usable backend),\n"
    "2 bad usage.\n";

enum { OPT_JSON, OPT_HELP };

static const cli_option options[] = {
    [OPT_JSON] = {"--json", NULL, 0},
    [OPT_HELP] = {"--help", "-h", 0},
};

/* RQ_BUILD_TYPE may be defined by the build (e.g. "Release"); else we say what we can see. */
static const char *build_flavour(void)
{
#if defined(RQ_BUILD_TYPE)
    return RQ_BUILD_TYPE;
#elif defined(NDEBUG)
    return "optimized (assertions off)";
#else
    return "assertions on";
#endif
}

/* GCC and Clang announce their sanitizers differently. */
static const char *sanitizers(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return "address";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return "address";
#else
    return "none";
#endif
#else
    return "none";
#endif
}

static const char *compiler(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

/* The backend in use, or NULL with the library's explanation in *why. */
static const char *active_backend(const char **why)
{
    static char message[256];
    const char *name = NULL;
    rq_context *ctx = NULL;
    *why = "";
    rq_context_default(&ctx);
    rq_status st = rq_context_backend(ctx, &name);
    if (st == RQ_OK)
        return name;
    *why = rq_strerror(st);
    if (rq_context_last_error(ctx, message, sizeof message) == RQ_OK && message[0] != '\0')
        *why = message;
    return NULL;
}

/* The standard batch rq info asks the cost model about. */
enum { BATCH_BLOCKS = 1000, BATCH_K = 1000, BATCH_T = 1280, BATCH_REPAIR = 100 };

static int batch_choice(rq_batch_result *r)
{
    rq_session *s = NULL;
    if (rq_session_create(&s) != RQ_OK)
        return 0;
    int ok = rq_batch_estimate(s, BATCH_K, BATCH_T, BATCH_BLOCKS, BATCH_K, BATCH_REPAIR, r) == RQ_OK;
    rq_session_destroy(s);
    return ok;
}

static const char *device_name(rq_batch_device d)
{
    return d == RQ_BATCH_CUDA ? "cuda" : "cpu";
}

static void print_batch_text(void)
{
    rq_batch_result r;
    if (batch_choice(&r))
        printf("batches    %d blocks of K=%d, T=%d: %s (%s), %s\n", BATCH_BLOCKS, BATCH_K, BATCH_T,
               device_name(r.device), r.backend, r.reason);
}

static void print_batch_json(void)
{
    rq_batch_result r;
    if (!batch_choice(&r)) {
        printf("  \"batch\": null,\n");
        return;
    }
    printf("  \"batch\": {\"blocks\": %d, \"K\": %d, \"T\": %d, \"repair\": %d, \"device\": \"%s\", "
           "\"backend\": ",
           BATCH_BLOCKS, BATCH_K, BATCH_T, BATCH_REPAIR, device_name(r.device));
    cli_json_string(stdout, r.backend);
    printf(", \"reason\": ");
    cli_json_string(stdout, r.reason);
    printf("},\n");
}

static size_t backend_count(void)
{
    size_t count = 0;
    return rq_backend_count(&count) == RQ_OK ? count : 0;
}

static const char *version_text(void)
{
    const char *version = "?";
    rq_version(&version);
    return version;
}

static const char *cpu_text(void)
{
    const char *features = "?";
    rq_cpu_features(&features);
    return features;
}

/* "32 KiB", "1 MiB", "unknown". */
static const char *size_text(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t unit = 0;
    if (bytes == 0)
        return "unknown";
    double value = (double)bytes;
    while (value >= 1024.0 && unit + 1 < sizeof units / sizeof units[0]) {
        value /= 1024.0;
        unit++;
    }
    snprintf(buf, len, value == (double)(uint64_t)value ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return buf;
}

/* A number of the library's JSON description; 0 if missing. */
static double json_number(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(item) ? item->valuedouble : 0;
}

/* One line per NUMA node, read back from the library's JSON description. */
static void print_nodes(void)
{
    char *json = NULL;
    if (rq_topology_describe_json(&json) != RQ_OK)
        return;
    cJSON *root = cJSON_Parse(json);
    rq_string_free(json);
    const cJSON *node;
    cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(root, "nodes"))
    {
        char buf[32];
        printf("%-10s node %.0f: %.0f cores, %.0f PUs, memory %s\n", "", json_number(node, "index"),
               json_number(node, "cores"), json_number(node, "pus"),
               size_text((uint64_t)json_number(node, "memory_bytes"), buf, sizeof buf));
    }
    cJSON_Delete(root);
}

static void print_topology(void)
{
    rq_topology_summary topo;
    if (rq_topology_get_summary(&topo) != RQ_OK)
        return;
    char l1[32], l2[32], l3[32];
    printf("topology   %" PRIu32 " NUMA node%s, %" PRIu32 " package%s, %" PRIu32 " cores, %" PRIu32
           " PUs (%s)\n",
           topo.numa_nodes, topo.numa_nodes == 1 ? "" : "s", topo.packages, topo.packages == 1 ? "" : "s",
           topo.cores, topo.pus, topo.source);
    printf("caches     L1d %s, L2 %s, L3 %s\n", size_text(topo.l1d_bytes, l1, sizeof l1),
           size_text(topo.l2_bytes, l2, sizeof l2), size_text(topo.l3_bytes, l3, sizeof l3));
    print_nodes();
}

/* Worker threads a job gets with --threads 0, and the process-wide memory budget. */
static void defaults(uint32_t *threads, uint64_t *process_budget)
{
    rq_topology_summary topo;
    rq_memory_usage mem;
    *threads = rq_topology_get_summary(&topo) == RQ_OK ? topo.cores : 1;
    *process_budget = rq_process_memory(&mem) == RQ_OK ? mem.limit : 0;
}

static void print_defaults(void)
{
    uint32_t threads;
    uint64_t budget;
    char buf[32];
    defaults(&threads, &budget);
    printf("defaults   %" PRIu32 " worker thread%s per job, placement compact, process memory budget %s\n",
           threads, threads == 1 ? "" : "s", size_text(budget, buf, sizeof buf));
}

static int print_text(void)
{
    const char *why;
    const char *active = active_backend(&why);
    printf("librq      %s\n", version_text());
    printf("compiler   %s\n", compiler());
    printf("build      %s\n", build_flavour());
    printf("sanitizer  %s\n", sanitizers());
    printf("cpu        %s\n", cpu_text());
    print_topology();
    print_defaults();
    for (size_t i = 0; i < backend_count(); i++) {
        rq_backend_info info;
        if (rq_backend_describe(i, &info) != RQ_OK)
            continue;
        printf("%-10s %-12s %s\n", i == 0 ? "backends" : "", info.name,
               info.active ? "usable, active" : info.usable ? "usable" : info.reason);
    }
    if (active == NULL) {
        printf("backend    none: %s\n", why);
        return CLI_EXIT_INTERNAL;
    }
    printf("backend    %s\n", active);
    print_batch_text();
    return CLI_EXIT_OK;
}

static void json_field(const char *key, const char *value, int last)
{
    printf("  \"%s\": ", key);
    if (value != NULL)
        cli_json_string(stdout, value);
    else
        printf("null");
    printf(last ? "\n" : ",\n");
}

static int print_json(void)
{
    const char *why;
    const char *active = active_backend(&why);
    printf("{\n");
    json_field("version", version_text(), 0);
    json_field("compiler", compiler(), 0);
    json_field("build", build_flavour(), 0);
    json_field("sanitizer", sanitizers(), 0);
    json_field("cpu_features", cpu_text(), 0);
    printf("  \"backends\": [");
    for (size_t i = 0; i < backend_count(); i++) {
        rq_backend_info info;
        if (rq_backend_describe(i, &info) != RQ_OK)
            continue;
        printf("%s\n    {\"name\": ", i > 0 ? "," : "");
        cli_json_string(stdout, info.name);
        printf(", \"compiled\": %s, \"usable\": %s, \"active\": %s, \"reason\": ",
               info.compiled ? "true" : "false", info.usable ? "true" : "false",
               info.active ? "true" : "false");
        cli_json_string(stdout, info.reason);
        printf("}");
    }
    printf("\n  ],\n");
    json_field("backend", active, 0);
    json_field("backend_error", active == NULL ? why : NULL, 0);
    if (active != NULL)
        print_batch_json();
    uint32_t threads;
    uint64_t budget;
    defaults(&threads, &budget);
    printf("  \"defaults\": {\"threads\": %" PRIu32 ", \"placement\": \"compact\", "
           "\"process_memory_budget\": %" PRIu64 "},\n",
           threads, budget);
    char *topology = NULL;
    printf("  \"topology\": %s\n}\n",
           rq_topology_describe_json(&topology) == RQ_OK ? topology : "null");
    rq_string_free(topology);
    return active != NULL ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
}

int cmd_info(int argc, char **argv)
{
    cli_parser parser;
    cli_parser_init(&parser, "info", argc, argv);
    int json = 0;
    for (;;) {
        const char *value;
        int opt = cli_next_option(&parser, options, sizeof options / sizeof options[0], &value);
        if (opt == CLI_OPT_END)
            break;
        if (opt == CLI_OPT_BAD)
            return CLI_EXIT_USAGE;
        if (opt == CLI_OPT_POSITIONAL)
            return cli_usage_error("info", "unexpected argument '%s'", value);
        if (opt == OPT_HELP) {
            fputs(cmd_info_help, stdout);
            return CLI_EXIT_OK;
        }
        json = 1;
    }

    return json ? print_json() : print_text();
}

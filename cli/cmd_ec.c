/*
 * `rq ec check | encode | decode | repair`: k+m erasure coding of files into
 * unit files (runtime/ec_files.h), and the recoverability report of a
 * scheme (rq_ec_check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_args.h"
#include "cli/cli_progress.h"
#include "cli/cli_session.h"
#include "cli/commands.h"
#include "rq/rq_ec.h"
#include "runtime/ec_files.h"
#include "runtime/ec_manifest.h"

const char cmd_ec_help[] =
    "Usage: rq ec check  --k K --m M [--scheme S] [--list] [--json]\n"
    "       rq ec encode --k K --m M [--scheme S] [--cell BYTES] [OPTIONS] INPUT OUT_DIR\n"
    "       rq ec decode [OPTIONS] DIR OUTPUT\n"
    "       rq ec repair [OPTIONS] DIR\n"
    "\n"
    "k+m erasure coding, as HDFS stores files: the file is cut into stripes of\n"
    "k cells (the last stripe padded with zeros to whole cells), and each\n"
    "stripe gets m parity cells. Unit i is the file OUT_DIR/unit_<i> holding\n"
    "unit i's cell of every stripe, in stripe order: units 0..k-1 are data,\n"
    "k..k+m-1 parity. OUT_DIR/ec.json (written last) records the file size, k,\n"
    "m, scheme, cell size, parity ESIs and the BLAKE3 of every unit.\n"
    "\n"
    "Parities are RaptorQ repair symbols of the block whose K = k source\n"
    "symbols are the data cells, byte column by byte column (for cells up to\n"
    "65535 bytes they are exactly RFC 6330's repair symbols). Schemes:\n"
    "  raptorq      parity j is ESI k + j (the Hadoop RaptorQ codec's mapping).\n"
    "               Not MDS: a few patterns of m lost units cannot be rebuilt\n"
    "               (10+4 loses 4 of its 1001); `rq ec check` counts them.\n"
    "  raptorq-mds  parity ESIs found by search so that ANY m lost units are\n"
    "               rebuilt; k <= 20 for m <= 3, k <= 15 for m = 4.\n"
    "\n"
    "  check   for every number s <= m of lost units: how many of the ways to\n"
    "          lose s units cannot be rebuilt from the others (--list: which;\n"
    "          at most 1000 listed per s).\n"
    "  encode  INPUT into the k + m units and ec.json in OUT_DIR (created if\n"
    "          missing; it must be empty unless --force).\n"
    "  decode  the file from DIR into OUTPUT, from whatever units survive:\n"
    "          missing and damaged units (size or BLAKE3 differ from ec.json)\n"
    "          are left out and rebuilt from the others.\n"
    "  repair  rewrites the missing and damaged units of DIR byte for byte\n"
    "          (their BLAKE3 is checked against ec.json before they appear).\n"
    "\n"
    "Options:\n"
    "  --k K, --m M     data and parity units per stripe (encode, check)\n"
    "  --scheme S       raptorq (default) or raptorq-mds\n"
    "  --cell BYTES     bytes per cell (encode; default 1048576, an HDFS cell)\n"
    "  --threads N      workers, 0 = one per core (default 0)\n"
    "  --backend NAME   kernel backend (default: the best usable)\n"
    "  --force          replace an existing OUTPUT, or OUT_DIR's units\n"
    "  --json           print the result as one JSON object on stdout\n"
    "  --quiet          no progress bar\n"
    "  --list           check: list the undecodable patterns, not only count\n"
    "\n"
    "Stripes are coded a batch at a time by all workers: memory is about\n"
    "2 * threads * (k + m) * cell bytes (at most 256 MiB per batch). Outputs\n"
    "appear under their final names only when complete.\n"
    "\n"
    "Examples:\n"
    "  rq ec check --k 10 --m 4 --list\n"
    "  rq ec encode --k 6 --m 3 --scheme raptorq-mds big.iso big.ec\n"
    "  rm big.ec/unit_0 big.ec/unit_7; rq ec repair big.ec\n"
    "  rq ec decode big.ec big.copy.iso\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  internal error\n"
    "  2  bad usage\n"
    "  3  bad input: k, m or cell out of range, a scheme without those k and m,\n"
    "     a malformed ec.json\n"
    "  4  the surviving units cannot rebuild the lost ones (nothing written)\n"
    "  5  I/O error, or the output exists and --force was not given\n"
    "  6  interrupted (Ctrl-C, SIGTERM) or busy\n";

typedef struct ec_args {
    const char *positional[2];
    int n_positional;
    uint32_t k, m, threads;
    uint64_t cell;
    rq_ec_scheme scheme;
    int force, json, quiet, list;
    const char *backend;
} ec_args;

enum { OPT_K, OPT_M, OPT_SCHEME, OPT_CELL, OPT_THREADS, OPT_BACKEND, OPT_FORCE, OPT_JSON, OPT_QUIET, OPT_LIST, OPT_HELP };

static const cli_option ec_options[] = {
    [OPT_K] = {"--k", NULL, 1},           [OPT_M] = {"--m", NULL, 1},
    [OPT_SCHEME] = {"--scheme", NULL, 1}, [OPT_CELL] = {"--cell", NULL, 1},
    [OPT_THREADS] = {"--threads", NULL, 1}, [OPT_BACKEND] = {"--backend", NULL, 1},
    [OPT_FORCE] = {"--force", NULL, 0},   [OPT_JSON] = {"--json", NULL, 0},
    [OPT_QUIET] = {"--quiet", "-q", 0},   [OPT_LIST] = {"--list", NULL, 0},
    [OPT_HELP] = {"--help", "-h", 0},
};

static int take_option(ec_args *a, int opt, const char *value)
{
    switch (opt) {
    case OPT_K: return cli_parse_u32("--k", value, RQ_EC_MAX_UNITS, &a->k);
    case OPT_M: return cli_parse_u32("--m", value, RQ_EC_MAX_UNITS, &a->m);
    case OPT_CELL: return cli_parse_u64("--cell", value, 1ull << 30, &a->cell);
    case OPT_THREADS: return cli_parse_u32("--threads", value, 4096, &a->threads);
    case OPT_BACKEND: a->backend = value; return CLI_EXIT_OK;
    case OPT_FORCE: a->force = 1; return CLI_EXIT_OK;
    case OPT_JSON: a->json = 1; return CLI_EXIT_OK;
    case OPT_QUIET: a->quiet = 1; return CLI_EXIT_OK;
    case OPT_LIST: a->list = 1; return CLI_EXIT_OK;
    case OPT_SCHEME:
        if (rq_ec_scheme_from_name(value, &a->scheme) == RQ_OK)
            return CLI_EXIT_OK;
        return cli_usage_error("ec", "--scheme %s: the schemes are raptorq and raptorq-mds", value);
    default: return CLI_EXIT_USAGE;
    }
}

/* Options and positionals after `rq ec ACTION`; help printed (and 0 returned as -1) on --help. */
static int parse(int argc, char **argv, int positionals, ec_args *a)
{
    memset(a, 0, sizeof *a);
    a->cell = RQ_EC_DEFAULT_CELL;
    cli_parser p;
    cli_parser_init(&p, "ec", argc, argv);
    const char *value = NULL;
    for (int opt; (opt = cli_next_option(&p, ec_options, sizeof ec_options / sizeof ec_options[0],
                                         &value)) != CLI_OPT_END;) {
        if (opt == CLI_OPT_BAD)
            return CLI_EXIT_USAGE;
        if (opt == OPT_HELP) {
            fputs(cmd_ec_help, stdout);
            return -1;
        }
        if (opt == CLI_OPT_POSITIONAL) {
            if (a->n_positional == positionals)
                return cli_usage_error("ec", "unexpected argument '%s'", value);
            a->positional[a->n_positional++] = value;
            continue;
        }
        int rc = take_option(a, opt, value);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    if (a->n_positional != positionals)
        return cli_usage_error("ec", "%s %s", argv[0],
                               positionals == 2 ? "needs two paths" : "needs one path");
    if (a->backend && cli_select_backend(a->backend) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    return CLI_EXIT_OK;
}

static int need_shape(const ec_args *a, const char *action)
{
    if (a->k == 0 || a->m == 0)
        return cli_usage_error("ec", "ec %s needs --k and --m (both at least 1)", action);
    return CLI_EXIT_OK;
}

/* The most undecodable patterns --list prints for one number of lost units. */
#define CHECK_LIST_MAX 1000u

/* Prints the undecodable patterns of s lost units: JSON arrays, or one line each. */
static rq_status print_patterns(rq_ec_coder *c, uint32_t s, int json)
{
    uint32_t *lost = malloc((size_t)CHECK_LIST_MAX * (s ? s : 1) * sizeof *lost);
    uint64_t count = 0;
    rq_status st = lost ? rq_ec_undecodable_patterns(c, s, lost, CHECK_LIST_MAX, &count) : RQ_ERR_NO_MEMORY;
    uint64_t shown = count < CHECK_LIST_MAX ? count : CHECK_LIST_MAX;
    for (uint64_t p = 0; st == RQ_OK && p < shown; p++) {
        fputs(json ? (p ? ",[" : "[") : "  lost", stdout);
        for (uint32_t i = 0; i < s; i++)
            printf("%s%u", json ? (i ? "," : "") : " ", lost[p * s + i]);
        fputs(json ? "]" : "\n", stdout);
    }
    if (st == RQ_OK && !json && count > shown)
        printf("  (the first %llu of %llu)\n", (unsigned long long)shown, (unsigned long long)count);
    free(lost);
    return st;
}

/* The shape, the scheme and its parity ESIs: the head of both reports. */
static void print_check_head(rq_ec_coder *c, const ec_args *a, int json)
{
    const char *scheme = "";
    rq_ec_scheme_name(a->scheme, &scheme);
    printf(json ? "{\"k\":%u,\"m\":%u,\"scheme\":\"%s\",\"parity_esis\":[" : "%u+%u %s: parity ESIs ", a->k,
           a->m, scheme);
    for (uint32_t j = 0; j < a->m; j++) {
        uint32_t esi = 0;
        rq_ec_parity_esi(c, j, &esi);
        printf("%s%u", j ? (json ? "," : " ") : "", esi);
    }
}

static rq_status print_check_json(rq_ec_coder *c, const ec_args *a, const uint64_t *patterns,
                                  const uint64_t *undecodable)
{
    print_check_head(c, a, 1);
    printf("],\"lost\":[");
    rq_status st = RQ_OK;
    for (uint32_t s = 1; st == RQ_OK && s <= a->m; s++) {
        printf("%s{\"units\":%u,\"patterns\":%llu,\"undecodable\":%llu", s > 1 ? "," : "", s,
               (unsigned long long)patterns[s], (unsigned long long)undecodable[s]);
        if (a->list) {
            printf(",\"undecodable_patterns\":[");
            st = print_patterns(c, s, 1);
            printf("]");
        }
        printf("}");
    }
    printf("]}\n");
    return st;
}

static rq_status print_check_text(rq_ec_coder *c, const ec_args *a, const uint64_t *patterns,
                                  const uint64_t *undecodable)
{
    print_check_head(c, a, 0);
    printf("\n%-6s %12s %12s  %s\n", "lost", "patterns", "undecodable", "share decodable");
    for (uint32_t s = 1; s <= a->m; s++)
        printf("%-6u %12llu %12llu  %.6f\n", s, (unsigned long long)patterns[s],
               (unsigned long long)undecodable[s], 1.0 - (double)undecodable[s] / (double)patterns[s]);
    rq_status st = RQ_OK;
    for (uint32_t s = 1; a->list && st == RQ_OK && s <= a->m; s++)
        if (undecodable[s]) {
            printf("undecodable with %u lost (unit indexes; %u.. are parities):\n", s, a->k);
            st = print_patterns(c, s, 0);
        }
    return st;
}

static int check(int argc, char **argv)
{
    ec_args a;
    int rc = parse(argc, argv, 0, &a);
    if (rc != CLI_EXIT_OK || (rc = need_shape(&a, "check")) != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;
    rq_context *ctx = NULL;
    rq_ec_coder *c = NULL;
    rq_context_default(&ctx);
    rq_status st = rq_ec_coder_create_in(ctx, &c, a.k, a.m, a.scheme);
    uint64_t patterns[RQ_EC_MAX_UNITS + 1], undecodable[RQ_EC_MAX_UNITS + 1];
    if (st == RQ_OK)
        st = rq_ec_check(c, a.m, patterns, undecodable);
    if (st == RQ_OK)
        st = a.json ? print_check_json(c, &a, patterns, undecodable)
                    : print_check_text(c, &a, patterns, undecodable);
    if (st != RQ_OK) {
        char why[256] = "";
        rq_context_last_error(ctx, why, sizeof why);
        cli_error("ec check %u+%u: %s", a.k, a.m, why[0] ? why : rq_strerror(st));
    }
    rq_ec_coder_destroy(c);
    if (st != RQ_OK)
        return st == RQ_ERR_UNSUPPORTED ? CLI_EXIT_INPUT : cli_exit_for_status(st);
    return CLI_EXIT_OK;
}

static const char *const STATE_NAMES[] = {"good", "missing", "damaged"};

static void print_json(const char *action, rq_status st, const rq_ec_file_report *r)
{
    const char *scheme = "";
    rq_ec_scheme_name(r->scheme, &scheme);
    printf("{\"action\":\"%s\",\"ok\":%s,\"status\":\"%s\",\"message\":", action,
           st == RQ_OK ? "true" : "false", rq_status_name(st));
    cli_json_string(stdout, st == RQ_OK ? "" : r->message);
    printf(",\"file_size\":%llu,\"k\":%u,\"m\":%u,\"scheme\":\"%s\",\"cell\":%llu,\"stripes\":%llu,"
           "\"units_good\":%u,\"units_missing\":%u,\"units_damaged\":%u,\"units_rewritten\":%u,"
           "\"bytes_read\":%llu,\"bytes_written\":%llu,\"seconds\":%.6f,\"units\":[",
           (unsigned long long)r->file_size, r->k, r->m, scheme, (unsigned long long)r->cell,
           (unsigned long long)r->stripes, r->good, r->missing, r->damaged, r->rewritten_count,
           (unsigned long long)r->bytes_read, (unsigned long long)r->bytes_written, r->seconds);
    for (uint32_t u = 0; r->unit_state && u < r->k + r->m; u++)
        printf("%s{\"index\":%u,\"kind\":\"%s\",\"state\":\"%s\",\"rewritten\":%s}", u ? "," : "", u,
               u < r->k ? "data" : "parity", STATE_NAMES[r->unit_state[u]],
               r->rewritten[u] ? "true" : "false");
    printf("]}\n");
}

static void print_summary(const char *action, const rq_ec_file_report *r)
{
    const char *scheme = "";
    rq_ec_scheme_name(r->scheme, &scheme);
    double mb = (double)(r->file_size) / 1e6;
    printf("%s: %llu bytes, %u+%u %s, %llu stripes of %llu-byte cells; units %u good, %u missing, "
           "%u damaged, %u rewritten; %.3f s (%.1f MB/s)\n",
           action, (unsigned long long)r->file_size, r->k, r->m, scheme,
           (unsigned long long)r->stripes, (unsigned long long)r->cell, r->good, r->missing,
           r->damaged, r->rewritten_count, r->seconds, r->seconds > 0 ? mb / r->seconds : 0.0);
}

/* encode, decode or repair: parse, run with progress, report. */
static int file_action(const char *action, int argc, char **argv)
{
    int encode = !strcmp(action, "encode"), repair = !strcmp(action, "repair");
    ec_args a;
    int rc = parse(argc, argv, repair ? 1 : 2, &a);
    if (rc == CLI_EXIT_OK && encode)
        rc = need_shape(&a, "encode");
    if (rc == CLI_EXIT_OK && a.list)
        rc = cli_usage_error("ec", "--list is an option of ec check, not of ec %s", action);
    if (rc != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;
    rq_ec_file_opts o = {.k = a.k, .m = a.m, .scheme = a.scheme, .cell = a.cell,
                         .threads = a.threads, .force = a.force};
    rq_context_default(&o.ctx);
    cli_progress progress;
    cli_progress_start(&progress, !a.quiet && !a.json, 1);
    o.progress = cli_progress_report;
    o.progress_arg = &progress;
    rq_ec_file_report r;
    memset(&r, 0, sizeof r);
    rq_status st = encode   ? rq_ec_file_encode(&o, a.positional[0], a.positional[1], &r)
                   : repair ? rq_ec_file_repair(&o, a.positional[0], &r)
                            : rq_ec_file_decode(&o, a.positional[0], a.positional[1], &r);
    cli_progress_finish(&progress);
    if (a.json)
        print_json(action, st, &r);
    else if (st == RQ_OK && !a.quiet)
        print_summary(action, &r);
    if (st != RQ_OK)
        cli_error("ec %s: %s", action, r.message[0] ? r.message : rq_strerror(st));
    rq_ec_file_report_free(&r);
    if (st == RQ_ERR_UNSUPPORTED || st == RQ_ERR_INVALID_ARGUMENT)
        return CLI_EXIT_INPUT; /* the user's k, m, scheme or cell */
    return cli_exit_for_status(st);
}

int cmd_ec(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(cmd_ec_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *action = argv[1];
    if (!strcmp(action, "check"))
        return check(argc - 1, argv + 1);
    if (!strcmp(action, "encode") || !strcmp(action, "decode") || !strcmp(action, "repair"))
        return file_action(action, argc - 1, argv + 1);
    return cli_usage_error("ec", "unknown action '%s' (check, encode, decode or repair)", action);
}

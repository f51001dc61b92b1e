/*
 * `rq oti`: the 12-byte Object Transmission Information for an object,
 * either derived (RFC 6330 §4.3) or given field by field and checked.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli_args.h"
#include "cli/commands.h"

const char cmd_oti_help[] =
    "Usage: rq oti --size F --symbol-size P [--ws BYTES] [--al A] [--ss S] [--json]\n"
    "       rq oti --size F --explicit T,Z,N,Al [--json]\n"
    "\n"
    "Prints the 12-byte OTI (Object Transmission Information) of an object as\n"
    "24 lower-case hex digits. Sender and receiver must use the same OTI: it\n"
    "fixes the symbol size T, how the object is cut into Z source blocks and\n"
    "N sub-blocks, and the alignment Al. `rq packets` and `rq assemble` take it\n"
    "with --oti.\n"
    "\n"
    "Derived (RFC 6330 section 4.3): T is the largest multiple of Al not above\n"
    "P (nor above 65535); Z and N are the smallest that let a receiver decode\n"
    "each sub-block in BYTES of working memory.\n"
    "\n"
    "Options:\n"
    "  --size F            object size in bytes (1 .. 946270874880)\n"
    "  --symbol-size P     largest symbol the transport carries, in bytes (P')\n"
    "  --ws BYTES          decoder working memory per sub-block (default 10485760)\n"
    "  --al A              symbol alignment (default 8 if P >= 64, else 1)\n"
    "  --ss S              sub-symbols hold at least S*A bytes (default as --al)\n"
    "  --explicit T,Z,N,Al take these fields as they are and only check them\n"
    "  --json              print every field, the object layout (Kt, ZL, ZS, KL,\n"
    "                      KS, NL, NS, TL_Al = TL*Al and TS_Al = TS*Al bytes) and\n"
    "                      K and K' of the first and the last source block\n"
    "  -h, --help          show this text\n"
    "\n"
    "The defaults of --ws, --al and --ss are the common rule of RaptorQ\n"
    "implementations; options you leave out are taken from that rule.\n"
    "\n"
    "Examples:\n"
    "  rq oti --size 1000 --symbol-size 1280           # 00000003e800050001000108\n"
    "  rq oti --size 50000000 --symbol-size 65535 --json\n"
    "  rq oti --size 1000000 --explicit 1000,3,1,4\n"
    "\n"
    "Exit codes: 0 ok, 2 bad usage, 3 no valid OTI for these values.\n";

enum { OPT_SIZE, OPT_SYMBOL_SIZE, OPT_WS, OPT_AL, OPT_SS, OPT_EXPLICIT, OPT_JSON, OPT_HELP };

static const cli_option options[] = {
    [OPT_SIZE] = {"--size", NULL, 1},
    [OPT_SYMBOL_SIZE] = {"--symbol-size", NULL, 1},
    [OPT_WS] = {"--ws", NULL, 1},
    [OPT_AL] = {"--al", NULL, 1},
    [OPT_SS] = {"--ss", NULL, 1},
    [OPT_EXPLICIT] = {"--explicit", NULL, 1},
    [OPT_JSON] = {"--json", NULL, 0},
    [OPT_HELP] = {"--help", "-h", 0},
};

/* The option values as given; NULL when absent. */
typedef struct oti_args {
    const char *text[OPT_HELP];
    int json;
} oti_args;

static int parse_args(int argc, char **argv, oti_args *args)
{
    cli_parser parser;
    cli_parser_init(&parser, "oti", argc, argv);
    memset(args, 0, sizeof *args);
    for (;;) {
        const char *value;
        int opt = cli_next_option(&parser, options, sizeof options / sizeof options[0], &value);
        if (opt == CLI_OPT_END)
            break;
        if (opt == CLI_OPT_BAD)
            return CLI_EXIT_USAGE;
        if (opt == CLI_OPT_POSITIONAL)
            return cli_usage_error("oti", "unexpected argument '%s'", value);
        if (opt == OPT_HELP) {
            fputs(cmd_oti_help, stdout);
            return -1;
        }
        if (opt == OPT_JSON)
            args->json = 1;
        else
            args->text[opt] = value;
    }
    if (args->text[OPT_SIZE] == NULL)
        return cli_usage_error("oti", "--size is required");
    int derived = args->text[OPT_SYMBOL_SIZE] || args->text[OPT_WS] || args->text[OPT_AL] ||
                  args->text[OPT_SS];
    if (args->text[OPT_EXPLICIT] != NULL && derived)
        return cli_usage_error("oti", "--explicit cannot be combined with --symbol-size, --ws, "
                                      "--al or --ss");
    if (args->text[OPT_EXPLICIT] == NULL && args->text[OPT_SYMBOL_SIZE] == NULL)
        return cli_usage_error("oti", "give --symbol-size (to derive the OTI) or --explicit");
    return CLI_EXIT_OK;
}

/* A library rejection of values the user typed is bad input, not our bug. */
static int report(rq_status st, const char *what)
{
    cli_error("%s: %s", what, rq_strerror(st));
    return st == RQ_ERR_INVALID_ARGUMENT ? CLI_EXIT_INPUT : cli_exit_for_status(st);
}

static int derive(const oti_args *args, uint64_t size, rq_oti *oti)
{
    uint32_t payload = 0;
    int rc = cli_parse_u32("--symbol-size", args->text[OPT_SYMBOL_SIZE], UINT32_MAX, &payload);
    if (rc != CLI_EXIT_OK)
        return rc;
    rq_status st;
    if (!args->text[OPT_WS] && !args->text[OPT_AL] && !args->text[OPT_SS]) {
        st = rq_oti_with_defaults(size, payload, oti);
    } else {
        /* Fill what was left out from the same rule rq_oti_with_defaults uses. */
        uint32_t al = payload >= 64 ? 8 : 1;
        uint32_t ss = al;
        uint64_t ws = 10485760;
        if (args->text[OPT_AL] && (rc = cli_parse_u32("--al", args->text[OPT_AL], UINT32_MAX, &al)))
            return rc;
        if (args->text[OPT_SS] && (rc = cli_parse_u32("--ss", args->text[OPT_SS], UINT32_MAX, &ss)))
            return rc;
        if (args->text[OPT_WS] && (rc = cli_parse_u64("--ws", args->text[OPT_WS], UINT64_MAX, &ws)))
            return rc;
        st = rq_oti_derive(size, payload, ws, al, ss, oti);
    }
    if (st != RQ_OK) {
        char what[96];
        snprintf(what, sizeof what, "no valid OTI for F = %llu, P' = %u", (unsigned long long)size,
                 payload);
        return report(st, what);
    }
    return CLI_EXIT_OK;
}

/* "T,Z,N,Al" */
static int explicit_fields(const char *text, uint64_t size, rq_oti *oti)
{
    static const char *const names[4] = {"--explicit T", "--explicit Z", "--explicit N",
                                         "--explicit Al"};
    uint32_t fields[4];
    char buffer[128];
    if (strlen(text) >= sizeof buffer)
        return cli_usage_error("oti", "--explicit: '%s' is too long for T,Z,N,Al", text);
    strcpy(buffer, text);
    char *item = buffer;
    for (int i = 0; i < 4; i++) {
        char *comma = strchr(item, ',');
        if ((comma == NULL) != (i == 3))
            return cli_usage_error("oti", "--explicit: expected four numbers T,Z,N,Al, got '%s'",
                                   text);
        if (comma != NULL)
            *comma = '\0';
        int rc = cli_parse_u32(names[i], item, UINT32_MAX, &fields[i]);
        if (rc != CLI_EXIT_OK)
            return rc;
        if (comma != NULL)
            item = comma + 1;
    }
    oti->transfer_length = size;
    oti->symbol_size = fields[0];
    oti->source_blocks = fields[1];
    oti->sub_blocks = fields[2];
    oti->alignment = fields[3];
    rq_status st = rq_oti_validate(oti);
    if (st != RQ_OK)
        return report(st, "invalid OTI");
    return CLI_EXIT_OK;
}

static void print_block(const char *key, uint32_t sbn, const rq_block_layout *block,
                        const rq_block_constants *constants)
{
    printf("  \"%s\": {\"sbn\": %u, \"K\": %u, \"K_prime\": %u, \"offset\": %llu, "
           "\"length\": %llu}",
           key, sbn, block->source_symbols, constants->K_prime,
           (unsigned long long)block->offset, (unsigned long long)block->length);
}

static int print_json(const rq_oti *oti, const char *hex)
{
    rq_object_layout layout;
    rq_block_layout blocks[2];
    rq_block_constants constants[2];
    uint32_t sbns[2] = {0, oti->source_blocks - 1};
    rq_status st = rq_oti_object_layout(oti, &layout);
    for (int i = 0; i < 2 && st == RQ_OK; i++) {
        st = rq_oti_block_layout(oti, sbns[i], &blocks[i]);
        if (st == RQ_OK)
            st = rq_block_constants_for(blocks[i].source_symbols, &constants[i]);
    }
    if (st != RQ_OK)
        return report(st, "cannot lay out the object");

    printf("{\n  \"F\": %llu,\n  \"T\": %u,\n  \"Z\": %u,\n  \"N\": %u,\n  \"Al\": %u,\n",
           (unsigned long long)oti->transfer_length, oti->symbol_size, oti->source_blocks,
           oti->sub_blocks, oti->alignment);
    printf("  \"oti\": \"%s\",\n", hex);
    printf("  \"layout\": {\"Kt\": %llu, \"ZL\": %u, \"ZS\": %u, \"KL\": %u, \"KS\": %u, "
           "\"NL\": %u, \"NS\": %u, \"TL_Al\": %u, \"TS_Al\": %u},\n",
           (unsigned long long)layout.symbols, layout.large_blocks, layout.small_blocks,
           layout.large_block_symbols, layout.small_block_symbols, layout.large_sub_blocks,
           layout.small_sub_blocks, layout.large_sub_symbol_size, layout.small_sub_symbol_size);
    print_block("first_block", sbns[0], &blocks[0], &constants[0]);
    printf(",\n");
    print_block("last_block", sbns[1], &blocks[1], &constants[1]);
    printf("\n}\n");
    return CLI_EXIT_OK;
}

int cmd_oti(int argc, char **argv)
{
    oti_args args;
    int rc = parse_args(argc, argv, &args);
    if (rc != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;

    uint64_t size = 0;
    rc = cli_parse_u64("--size", args.text[OPT_SIZE], UINT64_MAX, &size);
    if (rc != CLI_EXIT_OK)
        return rc;
    rq_oti oti;
    rc = args.text[OPT_EXPLICIT] != NULL ? explicit_fields(args.text[OPT_EXPLICIT], size, &oti)
                                         : derive(&args, size, &oti);
    if (rc != CLI_EXIT_OK)
        return rc;

    uint8_t wire[RQ_OTI_SIZE];
    char hex[2 * RQ_OTI_SIZE + 1];
    rq_status st = rq_oti_serialize(&oti, wire, sizeof wire);
    if (st != RQ_OK)
        return report(st, "cannot serialize the OTI");
    cli_format_hex(wire, sizeof wire, hex);
    if (args.json)
        return print_json(&oti, hex);
    printf("%s\n", hex);
    return CLI_EXIT_OK;
}

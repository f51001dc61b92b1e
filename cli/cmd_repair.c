/*
 * `rq repair SYMBOLS_DIR`: writes the missing and damaged symbol files
 * again, byte for byte as the encode wrote them (rq_repair_symbols).
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "cli/cli_args.h"
#include "cli/cli_block_table.h"
#include "cli/cli_session.h"
#include "cli/commands.h"

const char cmd_repair_help[] =
    "Usage: rq repair [OPTIONS] SYMBOLS_DIR [--layout FILE]\n"
    "\n"
    "Repairs the symbol files `rq encode` wrote to SYMBOLS_DIR after a disk or\n"
    "a node lost some of them: every file the layout names is checked against\n"
    "its name (base58 BLAKE3 of its content); each source block that lost\n"
    "files is decoded once from its good ones, and exactly the missing and\n"
    "damaged files are written again, under the same names and with the same\n"
    "bytes as the encode wrote. The layout is not changed and good files are\n"
    "not touched, so a repaired directory is the one the encode made.\n"
    "\n"
    "The file itself is never written anywhere: each block is rebuilt pass by\n"
    "pass within --memory-budget, the rebuilt symbols are staged in an unnamed\n"
    "scratch file in SYMBOLS_DIR, and each is given its name only after all of\n"
    "its block's rebuilt symbols hashed to their names. A damaged file is\n"
    "replaced where it was found; a missing one goes into its chunk's folder.\n"
    "A block that cannot be decoded from what is left gets nothing written\n"
    "(its row says how many more symbols it needs); the others are repaired.\n"
    "Killing a repair leaves no partial file under a final name; run it again.\n"
    "\n"
    "Input and output: SYMBOLS_DIR/_raptorq_layout.json (or --layout FILE) and\n"
    "SYMBOLS_DIR/block_<n>/<id>, as `rq encode` writes them (rq-library's\n"
    "layouts too).\n"
    "\n"
    "Options:\n"
    "  --layout FILE         the layout file, if not in SYMBOLS_DIR\n"
    "\n" CLI_SESSION_OPTIONS_HELP
    "(Only --json, --quiet, --backend, --threads and --memory-budget matter here.)\n"
    "\n"
    "Examples:\n"
    "  rq repair photo.symbols\n"
    "  rq repair --json --memory-budget 64 /mnt/symbols\n"
    "\n"
    "rq repair exits with 0 when every lost file was written again (or none was\n"
    "lost), with 4 when some block cannot be decoded and so was not repaired.\n"
    "\n" CLI_FILE_EXIT_CODES_HELP;

static rq_status run(rq_session *session, const cli_file_args *args, rq_file_result *result)
{
    return rq_repair_symbols(session, args->positional[0], args->layout, result);
}

/* One table row per chunk: good, damaged, missing, rewritten, and whether it was repaired. */
static void repair_row(const char *name, const cJSON *block)
{
    double corrupt = cli_json_number(block, "symbols_corrupt"), missing = cli_json_number(block, "symbols_missing");
    printf("%-12s %8.0f %9.0f %8.0f %10.0f  ", name, cli_json_number(block, "symbols_good"), corrupt, missing,
           cli_json_number(block, "symbols_rewritten"));
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(block, "decodable")))
        printf("no: cannot be decoded (needs %.0f more)\n", cli_json_number(block, "symbols_needed"));
    else
        printf("%s\n", corrupt + missing == 0 ? "nothing lost" : "yes");
}

static void summary(const cli_file_args *args, const rq_file_result *r)
{
    (void)args;
    char header[128];
    snprintf(header, sizeof header, "%-12s %8s %9s %8s %10s  %s\n", "block", "good", "damaged", "missing",
             "rewritten", "repaired");
    cli_print_block_table(r->json, header, repair_row);
    printf("total     %llu chunk%s; %llu good, %llu damaged, %llu missing of %llu symbols; "
           "%llu written again; %.3f s\n",
           (unsigned long long)r->blocks, r->blocks == 1 ? "" : "s",
           (unsigned long long)r->symbols_good, (unsigned long long)r->symbols_corrupt,
           (unsigned long long)r->symbols_missing,
           (unsigned long long)(r->source_symbols + r->repair_symbols),
           (unsigned long long)r->symbols_rewritten, r->seconds);
}

static const cli_file_command command = {
    .name = "repair",
    .help = cmd_repair_help,
    .positionals = 1,
    .usage = "SYMBOLS_DIR [--layout FILE]",
    .takes_layout = 1,
    .counts_bytes = 1,
    .run = run,
    .summary = summary,
};

int cmd_repair(int argc, char **argv)
{
    return cli_file_command_main(&command, argc, argv);
}

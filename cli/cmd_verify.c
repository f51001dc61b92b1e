/*
 * `rq verify SYMBOLS_DIR`: checks every symbol file against its name and
 * says per chunk whether it can be decoded (rq_verify_symbols), without
 * decoding anything.
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "cli/cli_args.h"
#include "cli/cli_block_table.h"
#include "cli/cli_session.h"
#include "cli/commands.h"

const char cmd_verify_help[] =
    "Usage: rq verify [OPTIONS] SYMBOLS_DIR [--layout FILE]\n"
    "\n"
    "Checks the symbol files `rq encode` wrote to SYMBOLS_DIR: each one named\n"
    "in the layout is read and compared with its name (base58 BLAKE3 of its\n"
    "content). For every chunk it prints the symbol files present, how many of\n"
    "them are good and corrupted (damaged, truncated or foreign), how many are\n"
    "missing, and whether the good ones suffice to decode the chunk, else how\n"
    "many more it needs at least. Nothing is written. Use it to decide whether\n"
    "stored symbols need repair before it is too late.\n"
    "\n"
    "\"decodable\" means enough good symbols are there. Whether they decode to\n"
    "the bytes whose hash the layout names is only seen by decoding: a layout\n"
    "written by hand or by another encoder may name a hash no symbol set meets.\n"
    "\n"
    "Input: SYMBOLS_DIR/_raptorq_layout.json (or --layout FILE) and\n"
    "SYMBOLS_DIR/block_<n>/<id>, as `rq encode` writes them.\n"
    "\n"
    "Options:\n"
    "  --layout FILE         the layout file, if not in SYMBOLS_DIR\n"
    "\n" CLI_SESSION_OPTIONS_HELP
    "(Only --json, --quiet, --backend and --memory-budget matter here.)\n"
    "\n"
    "Examples:\n"
    "  rq verify photo.symbols\n"
    "  rq verify --json --layout saved/layout.json /mnt/symbols\n"
    "\n"
    "rq verify exits with 0 when every chunk can be decoded, with 4 when some\n"
    "chunk cannot (its row says how many more symbols it needs).\n"
    "\n" CLI_FILE_EXIT_CODES_HELP;

static rq_status run(rq_session *session, const cli_file_args *args, rq_file_result *result)
{
    return rq_verify_symbols(session, args->positional[0], args->layout, result);
}

/* One table row per chunk: present, good, corrupt, missing, decodable. */
static void verify_row(const char *name, const cJSON *block)
{
    double good = cli_json_number(block, "symbols_good"), corrupt = cli_json_number(block, "symbols_corrupt");
    printf("%-12s %8.0f %8.0f %9.0f %8.0f  ", name, good + corrupt, good, corrupt,
           cli_json_number(block, "symbols_missing"));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(block, "decodable")))
        printf("yes\n");
    else
        printf("no (needs %.0f more)\n", cli_json_number(block, "symbols_needed"));
}

static void summary(const cli_file_args *args, const rq_file_result *r)
{
    (void)args;
    char header[128];
    snprintf(header, sizeof header, "%-12s %8s %8s %9s %8s  %s\n", "block", "present", "good", "corrupt",
             "missing", "decodable (hash checked by rq decode)");
    cli_print_block_table(r->json, header, verify_row);
    printf("total     %llu bytes in %u chunk%s; %llu good, %llu corrupt, %llu missing of %llu "
           "symbols; %.3f s\n",
           (unsigned long long)r->file_size, r->blocks, r->blocks == 1 ? "" : "s",
           (unsigned long long)r->symbols_good,
           (unsigned long long)r->symbols_corrupt, (unsigned long long)r->symbols_missing,
           (unsigned long long)(r->source_symbols + r->repair_symbols), r->seconds);
}

static const cli_file_command command = {
    .name = "verify",
    .help = cmd_verify_help,
    .positionals = 1,
    .usage = "SYMBOLS_DIR [--layout FILE]",
    .takes_layout = 1,
    .counts_bytes = 0,
    .run = run,
    .summary = summary,
};

int cmd_verify(int argc, char **argv)
{
    return cli_file_command_main(&command, argc, argv);
}

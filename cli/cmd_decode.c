/*
 * `rq decode SYMBOLS_DIR OUTPUT`: the file back from the symbol files that
 * survive (rq_decode_symbols).
 */
#include <stdio.h>

#include "cli/cli_args.h"
#include "cli/cli_session.h"
#include "cli/commands.h"

const char cmd_decode_help[] =
    "Usage: rq decode [OPTIONS] SYMBOLS_DIR OUTPUT [--layout FILE]\n"
    "\n"
    "Rebuilds the file that `rq encode` cut into SYMBOLS_DIR and writes it to\n"
    "OUTPUT. Symbol files may be missing, damaged, truncated or swapped: each\n"
    "one is checked against its name (base58 BLAKE3 of its content), bad ones\n"
    "are skipped and counted, and a chunk decodes as long as about as many good\n"
    "symbols as it has source symbols remain. Every rebuilt chunk is checked\n"
    "against the hash in the layout. Also reads the directories written by\n"
    "rq-library deployments.\n"
    "\n"
    "Input:\n"
    "  SYMBOLS_DIR/_raptorq_layout.json   the layout (or --layout FILE)\n"
    "  SYMBOLS_DIR/block_<n>/<id>         the symbol files of chunk n (a file\n"
    "                                     is also found in SYMBOLS_DIR itself)\n"
    "OUTPUT is written without a name and gets its name only when every chunk\n"
    "decoded and matched its hash; --force replaces only a regular file, and\n"
    "OUTPUT may not be the layout or inside SYMBOLS_DIR. If a chunk lacks\n"
    "symbols, the error says which and how many more, and nothing is written.\n"
    "\n"
    "No link inside SYMBOLS_DIR is followed; links, FIFOs and devices named\n"
    "like symbol files count as damaged (README.md, \"what decode reads\").\n"
    "\n"
    "Options:\n"
    "  --layout FILE         the layout file, if not in SYMBOLS_DIR\n"
    "\n" CLI_SESSION_OPTIONS_HELP
    "(--symbol-size, --redundancy and --block-size do not matter here: the layout\n"
    "says how the file was cut.)\n"
    "\n"
    "Prints: file size, symbols good, damaged and missing, time and speed\n"
    "(--json: the result object, with the same counts per block).\n"
    "\n"
    "Examples:\n"
    "  rq decode photo.symbols photo.jpg\n"
    "  rq decode --memory-budget 64 --force backup.symbols backup.tar\n"
    "  rq decode --layout saved/layout.json /mnt/symbols restored.img\n"
    "\n" CLI_FILE_EXIT_CODES_HELP;

static rq_status run(rq_session *session, const cli_file_args *args, rq_file_result *result)
{
    return rq_decode_symbols(session, args->positional[0], args->positional[1], args->layout,
                             result);
}

static void summary(const cli_file_args *args, const rq_file_result *r)
{
    printf("output    %s, %llu bytes\n", args->positional[1], (unsigned long long)r->file_size);
    printf("chunks    %u\n", r->blocks);
    printf("symbols   %llu good, %llu damaged (skipped), %llu missing, of %llu\n",
           (unsigned long long)r->symbols_good, (unsigned long long)r->symbols_corrupt,
           (unsigned long long)r->symbols_missing,
           (unsigned long long)(r->source_symbols + r->repair_symbols));
    printf("time      %.3f s, %.1f MB/s\n", r->seconds,
           cli_megabytes_per_second(r->file_size, r->seconds));
}

static const cli_file_command command = {
    .name = "decode",
    .help = cmd_decode_help,
    .positionals = 2,
    .usage = "SYMBOLS_DIR OUTPUT [--layout FILE]",
    .takes_layout = 1,
    .counts_bytes = 1,
    .run = run,
    .summary = summary,
};

int cmd_decode(int argc, char **argv)
{
    return cli_file_command_main(&command, argc, argv);
}

/*
 * `rq reencode SYMBOLS_DIR OUT_DIR`: a symbol directory for new settings,
 * made from the old symbols without the file (rq_reencode_symbols).
 */
#include <stdio.h>

#include "cli/cli_args.h"
#include "cli/cli_session.h"
#include "cli/commands.h"

const char cmd_reencode_help[] =
    "Usage: rq reencode [OPTIONS] SYMBOLS_DIR OUT_DIR [--layout FILE]\n"
    "\n"
    "Writes into OUT_DIR what `rq encode` of the original file would write\n"
    "with the settings given here (--symbol-size, --redundancy, --block-size,\n"
    "--format), made from the symbol files in SYMBOLS_DIR: use it when a\n"
    "policy changes (more redundancy, another symbol or chunk size) and the\n"
    "original files are gone. SYMBOLS_DIR is only read; damaged and missing\n"
    "symbol files are skipped as `rq decode` skips them.\n"
    "\n"
    "The file itself is never written out: each old chunk is decoded into an\n"
    "unnamed scratch file beside OUT_DIR just before the new chunks that need\n"
    "it are encoded, and released again behind them, so the scratch holds\n"
    "about one old and one new chunk. Decoding and encoding share\n"
    "--memory-budget in turns. OUT_DIR must be empty or absent (--force:\n"
    "replace), and may not be SYMBOLS_DIR or inside it.\n"
    "\n"
    "Input: SYMBOLS_DIR/_raptorq_layout.json (or --layout FILE) and its symbol\n"
    "files (rq-library's directories too). Output: OUT_DIR as `rq encode`\n"
    "writes it.\n"
    "\n"
    "Options:\n"
    "  --layout FILE         the old layout file, if not in SYMBOLS_DIR\n"
    CLI_FORMAT_OPTION_HELP
    "\n" CLI_SESSION_OPTIONS_HELP
    "(The settings describe the new encode; the old one's are read from its layout.)\n"
    "\n"
    "Examples:\n"
    "  rq reencode --redundancy 2 photo.symbols photo.r2.symbols\n"
    "  rq reencode --symbol-size 1400 --block-size 4M /mnt/old /mnt/new\n"
    "\n" CLI_FILE_EXIT_CODES_HELP;

static rq_status run(rq_session *session, const cli_file_args *args, rq_file_result *result)
{
    return rq_reencode_symbols(session, args->positional[0], args->layout, args->positional[1], result);
}

static void summary(const cli_file_args *args, const rq_file_result *r)
{
    printf("output    %s: %llu bytes in %u chunk%s\n", args->positional[1],
           (unsigned long long)r->file_size, r->blocks, r->blocks == 1 ? "" : "s");
    printf("symbols   %llu source + %llu repair\n", (unsigned long long)r->source_symbols,
           (unsigned long long)r->repair_symbols);
    printf("time      %.3f s, %.1f MB/s\n", r->seconds, cli_megabytes_per_second(r->file_size, r->seconds));
}

static const cli_file_command command = {
    .name = "reencode",
    .help = cmd_reencode_help,
    .positionals = 2,
    .usage = "SYMBOLS_DIR OUT_DIR [--layout FILE]",
    .takes_layout = 1,
    .counts_bytes = 1,
    .run = run,
    .summary = summary,
};

int cmd_reencode(int argc, char **argv)
{
    return cli_file_command_main(&command, argc, argv);
}

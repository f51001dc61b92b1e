/*
 * `rq metadata INPUT LAYOUT`: the layout file `rq encode` would write, with
 * every symbol ID, but no symbol files (rq_create_metadata).
 */
#include <stdio.h>

#include "cli/cli_args.h"
#include "cli/cli_session.h"
#include "cli/commands.h"

const char cmd_metadata_help[] =
    "Usage: rq metadata [OPTIONS] INPUT LAYOUT\n"
    "\n"
    "Works out the layout file that `rq encode INPUT OUT_DIR` with the same\n"
    "options would write to OUT_DIR/_raptorq_layout.json, symbol IDs included,\n"
    "and writes it to LAYOUT, without writing any symbol file. Use it to learn\n"
    "the IDs (content addresses) of a file's symbols before storing them, or\n"
    "to check stored symbols against a file. It reads and codes the whole file\n"
    "like encode does, so it takes about as long.\n"
    "\n"
    "LAYOUT is written under a temporary name and renamed when complete; an\n"
    "existing LAYOUT is replaced only with --force. The IDs depend on\n"
    "--symbol-size, --redundancy, --block-size, --format and --memory-budget (which\n"
    "chooses the recommended block size and the sub-blocking), so give the\n"
    "same ones as to encode.\n"
    "\n" CLI_SESSION_OPTIONS_HELP CLI_FORMAT_OPTION_HELP
    "\n"
    "Examples:\n"
    "  rq metadata photo.jpg photo.layout.json\n"
    "  rq metadata --redundancy 2 --json backup.tar backup.layout.json\n"
    "\n" CLI_FILE_EXIT_CODES_HELP;

static rq_status run(rq_session *session, const cli_file_args *args, rq_file_result *result)
{
    return rq_create_metadata(session, args->positional[0], args->positional[1], result);
}

static void summary(const cli_file_args *args, const rq_file_result *r)
{
    printf("input     %s, %llu bytes\n", args->positional[0], (unsigned long long)r->file_size);
    printf("chunks    %u\n", r->blocks);
    printf("symbols   %llu source + %llu repair IDs (no symbol files written)\n",
           (unsigned long long)r->source_symbols, (unsigned long long)r->repair_symbols);
    printf("layout    %s\n", args->positional[1]);
    printf("time      %.3f s, %.1f MB/s\n", r->seconds,
           cli_megabytes_per_second(r->file_size, r->seconds));
}

static const cli_file_command command = {
    .name = "metadata",
    .help = cmd_metadata_help,
    .positionals = 2,
    .usage = "INPUT LAYOUT",
    .takes_layout = 0,
    .counts_bytes = 1,
    .run = run,
    .summary = summary,
};

int cmd_metadata(int argc, char **argv)
{
    return cli_file_command_main(&command, argc, argv);
}

/*
 * `rq encode INPUT OUT_DIR`: a file into symbol files and a layout file,
 * in bounded memory (rq_encode_file).
 */
#include <stdio.h>

#include "cli/cli_args.h"
#include "cli/cli_session.h"
#include "cli/commands.h"

const char cmd_encode_help[] =
    "Usage: rq encode [OPTIONS] INPUT OUT_DIR\n"
    "\n"
    "Encodes the file INPUT into symbol files under OUT_DIR, from which\n"
    "`rq decode` rebuilds it even when some of them are lost or damaged. The\n"
    "file is cut into chunks of --block-size bytes, each an independent\n"
    "RaptorQ object: its source symbols plus repair symbols, and any of them\n"
    "about as many as the source symbols bring the chunk back. Memory stays\n"
    "within --memory-budget whatever the file size.\n"
    "\n"
    "Output (OUT_DIR is created; it must be empty unless --force):\n"
    "  OUT_DIR/_raptorq_layout.json   how the file was cut: the OTI and the\n"
    "                                 symbol IDs of every chunk (see README.md)\n"
    "  OUT_DIR/block_<n>/<id>         one file per symbol of chunk n: 4-byte\n"
    "                                 payload ID + the symbol bytes, named\n"
    "                                 id = base58(BLAKE3(file content))\n"
    "Every file is written without a name (or, where the file system cannot,\n"
    "under a temporary one starting with '.') and named when complete; the\n"
    "layout file comes last, so a directory without it is an unfinished\n"
    "encode. While it writes, the encode holds OUT_DIR/.rq-lock: a second\n"
    "encode into the same directory fails at once (exit 6).\n"
    "\n" CLI_SESSION_OPTIONS_HELP CLI_FORMAT_OPTION_HELP
    "\n"
    "Prints: file size, chunks, source and repair symbols, output directory,\n"
    "time and speed (--json: the result object).\n"
    "\n"
    "Examples:\n"
    "  rq encode photo.jpg photo.symbols\n"
    "  rq encode --redundancy 2 --memory-budget 64 backup.tar backup.symbols\n"
    "  rq encode --block-size 256M --symbol-size 1024 --json big.img big.symbols\n"
    "\n" CLI_FILE_EXIT_CODES_HELP;

static rq_status run(rq_session *session, const cli_file_args *args, rq_file_result *result)
{
    return rq_encode_file(session, args->positional[0], args->positional[1], result);
}

static void summary(const cli_file_args *args, const rq_file_result *r)
{
    printf("input     %s, %llu bytes\n", args->positional[0], (unsigned long long)r->file_size);
    printf("chunks    %u\n", r->blocks);
    printf("symbols   %llu source + %llu repair = %llu files\n",
           (unsigned long long)r->source_symbols, (unsigned long long)r->repair_symbols,
           (unsigned long long)(r->source_symbols + r->repair_symbols));
    printf("output    %s/block_*/, layout %s/%s\n", args->positional[1], args->positional[1],
           RQ_LAYOUT_FILE_NAME);
    printf("time      %.3f s, %.1f MB/s\n", r->seconds,
           cli_megabytes_per_second(r->file_size, r->seconds));
}

static const cli_file_command command = {
    .name = "encode",
    .help = cmd_encode_help,
    .positionals = 2,
    .usage = "INPUT OUT_DIR",
    .takes_layout = 0,
    .counts_bytes = 1,
    .run = run,
    .summary = summary,
};

int cmd_encode(int argc, char **argv)
{
    return cli_file_command_main(&command, argc, argv);
}

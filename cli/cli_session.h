/*
 * A file command (encode, decode, metadata, verify, repair, reencode) from its command line to
 * its result: the arguments they share (positional paths, --layout, one
 * option per session setting), the librq session made from them, the job
 * run with progress, and the result printed or the failure reported. Each
 * cmd_*.c only supplies its help text, the library call and its summary.
 *
 * Conventions as in cli_args.h: a function returns an exit code (CLI_EXIT_*)
 * and has already printed a message naming the option or file involved.
 */
#ifndef RQ_CLI_CLI_SESSION_H
#define RQ_CLI_CLI_SESSION_H

#include <stdint.h>

#include "rq/rq_file.h"

/* Help text of the session options, for the commands' --help. */
#define CLI_SESSION_OPTIONS_HELP                                                         \
    "Session options (the same for every file command):\n"                             \
    "  --symbol-size BYTES   largest symbol P', 1..65535 (default 65535); from 64\n"  \
    "                        up symbols are P' rounded down to a multiple of 8\n"    \
    "  --redundancy R        encoded size / source size, >= 1, may be fractional\n"    \
    "                        (default 1.5): a chunk of S bytes gets\n"                \
    "                        ceil(S*(R-1)/T) repair symbols (R if S <= T)\n"          \
    "  --memory-budget MIB   memory the job may use for buffers, plans and\n"        \
    "                        matrices, in MiB, >= 8 (default 256); never more than\n" \
    "                        half the machine's RAM (the process budget)\n"           \
    "  --concurrency N       jobs the session runs at once, 1..1024 (default 4)\n"     \
    "  --threads N           worker threads, 0 = one per core (default 0); the\n"    \
    "                        output is the same for every thread count\n"           \
    "  --placement POLICY    where workers run: compact (fill NUMA node by node,\n"   \
    "                        one per core first), spread (round-robin over nodes)\n" \
    "                        or none (unbound) (default compact)\n"                 \
    "  --fail-fast           fail at once (exit 3 or 6) instead of waiting when\n"   \
    "                        the budget or the concurrency limit is taken\n"        \
    "  --block-size BYTES    chunk size; suffix K, M or G for KiB, MiB, GiB;\n"        \
    "                        0 = recommended for the file and budget (default 0)\n"   \
    "  --backend NAME        kernel backend: scalar, avx2, avx512, neon, cuda or\n"   \
    "                        auto (default: RQ_BACKEND if set, else auto)\n"         \
    "  --force               replace existing outputs\n"                             \
    "  --json                print the result as one JSON object on stdout\n"        \
    "  --quiet               no progress bar and no summary (errors still shown)\n"    \
    "  -h, --help            show this text\n"                                       \
    "A progress bar (bytes, percent, MB/s, ETA) is drawn on stderr when it is a\n"     \
    "terminal. Ctrl-C stops a job cleanly: nothing half-written keeps a final name.\n"

/* The --format option of encode and metadata, for their --help. */
#define CLI_FORMAT_OPTION_HELP                                                        \
    "  --format NAME         whose rules to follow: librq (default) or rq-library\n"  \
    "                        (byte for byte what rq-library writes for the same\n"   \
    "                        settings: symbol files, layout form, chunk sizes)\n"

/* Exit codes of the file commands, for their --help. */
#define CLI_FILE_EXIT_CODES_HELP                                                          \
    "Exit codes:\n"                                                                      \
    "  0  success\n"                                                                     \
    "  1  internal error (out of memory, library failure)\n"                             \
    "  2  bad usage (unknown option, missing argument, malformed number)\n"              \
    "  3  bad input: a setting out of range, a malformed or unsafe layout, a job\n"      \
    "     that cannot run within --memory-budget, decoded data not matching its hash\n"  \
    "  4  not enough good symbols to rebuild some block\n"                               \
    "  5  I/O error, or the output exists and --force was not given\n"                  \
    "  6  interrupted (Ctrl-C, SIGTERM) or busy\n"

/* A session setting an option gives (applied in cli_session_open). */
typedef struct cli_setting {
    rq_session_param param;
    int is_double; /* RQ_SESSION_REDUNDANCY */
    int64_t value;
    double real;
} cli_setting;

typedef struct cli_file_args {
    cli_setting settings[RQ_SESSION_FORMAT]; /* one per setting given, the last value */
    size_t n_settings;
    const char *backend;       /* NULL: the library's choice */
    const char *layout;        /* --layout, NULL when not given */
    const char *positional[2];
    int json;
    int quiet;
} cli_file_args;

/* A file command: its command line, the library call and its summary. */
typedef struct cli_file_command {
    const char *name;    /* "decode" */
    const char *help;
    int positionals;     /* 1 or 2 */
    const char *usage;   /* "SYMBOLS_DIR OUTPUT", for messages */
    int takes_layout;    /* accepts --layout FILE */
    int counts_bytes;    /* the job's progress counts bytes (else blocks) */
    rq_status (*run)(rq_session *session, const cli_file_args *args, rq_file_result *result);
    /* The human summary on stdout (not with --json or --quiet). */
    void (*summary)(const cli_file_args *args, const rq_file_result *result);
} cli_file_command;

/*
 * The whole command: parse argv (argv[0] is the command's name), make the
 * session, run the job with a progress bar, print the result (JSON or the
 * summary; also when the job failed but still produced one, as verify does
 * for blocks that cannot be decoded), then the error. Returns the exit code.
 */
int cli_file_command_main(const cli_file_command *cmd, int argc, char **argv);

/*
 * Parses the command line of cmd. Returns CLI_EXIT_OK, an error code, or -1
 * after printing the help text.
 */
int cli_file_args_parse(const cli_file_command *cmd, int argc, char **argv, cli_file_args *out);

/* --backend NAME for the default context; the message lists the usable ones. */
int cli_select_backend(const char *name);

/*
 * Selects the backend (if one was asked for) and makes a session with the
 * settings; the library's message names a rejected one.
 */
int cli_session_open(const cli_file_args *args, rq_session **out);

/*
 * Reports a failed job: "rq: error: <what>: <session's message>" and the exit
 * code for the status.
 */
int cli_session_fail(rq_session *session, rq_status status, const char *what);

/* Rate in MB (10^6 bytes) per second; 0 when seconds is 0. */
double cli_megabytes_per_second(uint64_t bytes, double seconds);

#endif /* RQ_CLI_CLI_SESSION_H */

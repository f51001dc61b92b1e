/*
 * Helpers shared by the `rq` subcommands: option scanning, number / list /
 * hex parsing, messages, and the few file operations every command needs
 * (whole-file reads, buffered writes, outputs published by rename).
 *
 * Conventions: a function that can fail returns an exit code (CLI_EXIT_*),
 * 0 meaning success, and has already printed a message that names the
 * option or file involved. The caller only has to pass the code on.
 */
#ifndef RQ_CLI_ARGS_H
#define RQ_CLI_ARGS_H

#include "runtime/temp_file.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rq/rq.h"

/* Exit codes of the `rq` command (documented in `rq --help` and README.md). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_INTERNAL = 1,   /* out of memory, library invariant, anything unexpected */
    CLI_EXIT_USAGE = 2,      /* unknown command or option, missing or malformed argument */
    CLI_EXIT_INPUT = 3,      /* a value or an input the codec rejects */
    CLI_EXIT_NEED_MORE = 4,  /* the packets did not determine the object */
    CLI_EXIT_IO = 5,         /* a file could not be read, written or replaced */
    CLI_EXIT_INTERRUPTED = 6 /* a job was cancelled (Ctrl-C) or the session was busy */
};

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* "rq: error: ..." and "rq: warning: ..." on stderr, newline added. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
void cli_warn(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Error message plus "Try 'rq CMD --help'." hint; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) CLI_PRINTF(2, 3);
/*
 * Exit code that fits a library status (input errors -> 3, no memory -> 1,
 * ...). For RQ_ERR_BACKEND_UNAVAILABLE it also prints the library's detail
 * (which backend was asked for, which are available).
 */
int cli_exit_for_status(rq_status status);

/* ---- option scanning ---------------------------------------------------- */

typedef struct cli_option {
    const char *long_name;  /* "--size" */
    const char *short_name; /* "-o", or NULL */
    int takes_value;
} cli_option;

typedef struct cli_parser {
    const char *command; /* for messages: "packets" */
    int argc;
    char **argv;
    int next;            /* index of the next argument to look at */
    int only_positional; /* set after "--" */
} cli_parser;

enum {
    CLI_OPT_END = -1,        /* no arguments left */
    CLI_OPT_POSITIONAL = -2, /* *value is a positional argument */
    CLI_OPT_BAD = -3         /* unknown option or missing value; message printed */
};

/* Starts after argv[0] (the subcommand's own name). */
void cli_parser_init(cli_parser *parser, const char *command, int argc, char **argv);
/*
 * Next option: its index in opts (with *value set for options that take one,
 * accepting both "--name VALUE" and "--name=VALUE"), or one of CLI_OPT_*.
 */
int cli_next_option(cli_parser *parser, const cli_option *opts, size_t count, const char **value);

/* ---- values -------------------------------------------------------------- */

/*
 * Parses a decimal number for option `what` and checks 0 <= n <= max.
 * Not a number -> CLI_EXIT_USAGE; a number above max -> CLI_EXIT_INPUT.
 */
int cli_parse_u64(const char *what, const char *text, uint64_t max, uint64_t *out);
int cli_parse_u32(const char *what, const char *text, uint32_t max, uint32_t *out);

/* Exactly 2*out_len hex digits (either case) into out_len bytes. */
int cli_parse_hex(const char *what, const char *text, uint8_t *out, size_t out_len);
/* The --oti argument: hex, then rq_oti_parse. */
int cli_parse_oti(const char *text, rq_oti *out);
/* Lower-case hex of len bytes into out (2*len+1 chars). */
void cli_format_hex(const uint8_t *bytes, size_t len, char *out);

/* ESI lists such as "0-9,100,65536-65539": inclusive ranges, in the given order. */
typedef struct cli_esi_range {
    uint32_t first;
    uint32_t last;
} cli_esi_range;

typedef struct cli_esi_list {
    cli_esi_range *ranges;
    size_t count;
} cli_esi_list;

int cli_parse_esi_list(const char *what, const char *text, cli_esi_list *out);
void cli_esi_list_free(cli_esi_list *list);

/* Writes s as a JSON string literal (quotes and escapes included). */
void cli_json_string(FILE *out, const char *s);

/* ---- files ----------------------------------------------------------------- */

/*
 * Reads a whole file ("-" = standard input) that must hold exactly `expected`
 * bytes; a different size is reported as CLI_EXIT_INPUT.
 */
int cli_read_exact(const char *path, uint64_t expected, uint8_t **data_out);

/*
 * An output file that appears under its final name only when complete:
 * written to a temporary file beside PATH (unnamed where the file system
 * allows, runtime/temp_file.h), then named PATH by cli_output_commit.
 */
typedef struct cli_output {
    const char *path;
    rq_temp_file temp;
    FILE *file;
    int force;
} cli_output;

/*
 * Fails early (CLI_EXIT_IO) when path exists and force is 0, or exists and
 * is not a regular file (the library's one rule, rq_output_check).
 */
int cli_output_check(const char *path, int force);
int cli_output_open(cli_output *output, const char *path, int force);
/* Flushes, closes and renames; the temporary file is removed on failure. */
int cli_output_commit(cli_output *output);
/* Removes the temporary file without publishing it. */
void cli_output_abort(cli_output *output);

/* fwrite with an error message naming `name` on failure (CLI_EXIT_IO). */
int cli_write(FILE *file, const char *name, const void *data, size_t len);

/* Seconds from a monotonic clock. */
double cli_now(void);

#endif /* RQ_CLI_ARGS_H */

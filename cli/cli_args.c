/*
 * Shared helpers of the `rq` command: see cli_args.h for the conventions.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli/cli_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- messages -------------------------------------------------------------- */

static void vmessage(const char *kind, const char *fmt, va_list args)
{
    fprintf(stderr, "rq: %s: ", kind);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vmessage("error", fmt, args);
    va_end(args);
}

void cli_warn(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vmessage("warning", fmt, args);
    va_end(args);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vmessage("error", fmt, args);
    va_end(args);
    if (command != NULL)
        fprintf(stderr, "Try 'rq %s --help'.\n", command);
    else
        fprintf(stderr, "Try 'rq --help'.\n");
    return CLI_EXIT_USAGE;
}

int cli_exit_for_status(rq_status status)
{
    switch (status) {
    case RQ_OK:
    case RQ_DUPLICATE:
    case RQ_ALREADY_DECODED:
    case RQ_NOT_KEPT:
        return CLI_EXIT_OK;
    case RQ_ERR_BACKEND_UNAVAILABLE: {
        /* The status alone does not say which backend or what is available. */
        char why[256] = "";
        rq_context *ctx = NULL;
        if (rq_context_default(&ctx) == RQ_OK && rq_context_last_error(ctx, why, sizeof why) == RQ_OK &&
            why[0] != '\0')
            cli_error("%s", why);
        return CLI_EXIT_INTERNAL;
    }
    case RQ_ERR_NO_MEMORY:
    case RQ_ERR_INTERNAL:
    case RQ_ERR_INVALID_ARGUMENT: /* the command passed something wrong: our bug */
    case RQ_ERR_BUFFER_SIZE:
        return CLI_EXIT_INTERNAL;
    case RQ_ERR_NEED_MORE_SYMBOLS:
    case RQ_ERR_NOT_DECODED:
    case RQ_ERR_UNDECODABLE:
        return CLI_EXIT_NEED_MORE;
    case RQ_ERR_IO:
    case RQ_ERR_EXISTS:
        return CLI_EXIT_IO;
    case RQ_ERR_CANCELLED:
    case RQ_ERR_BUSY:
        return CLI_EXIT_INTERRUPTED;
    default: /* RQ_ERR_CONFIG, RQ_ERR_LAYOUT, RQ_ERR_MEMORY_BUDGET, RQ_ERR_CORRUPT, OTI errors */
        return CLI_EXIT_INPUT;
    }
}

/* ---- option scanning ------------------------------------------------------- */

void cli_parser_init(cli_parser *parser, const char *command, int argc, char **argv)
{
    parser->command = command;
    parser->argc = argc;
    parser->argv = argv;
    parser->next = 1;
    parser->only_positional = 0;
}

/* Length of the option name in arg: up to '=' for "--name=value". */
static size_t name_length(const char *arg)
{
    const char *eq = strchr(arg, '=');
    return eq != NULL && arg[1] == '-' ? (size_t)(eq - arg) : strlen(arg);
}

static int option_matches(const cli_option *opt, const char *arg, size_t len)
{
    if (strlen(opt->long_name) == len && strncmp(opt->long_name, arg, len) == 0)
        return 1;
    return opt->short_name != NULL && strlen(opt->short_name) == len &&
           strncmp(opt->short_name, arg, len) == 0;
}

int cli_next_option(cli_parser *parser, const cli_option *opts, size_t count, const char **value)
{
    *value = NULL;
    if (parser->next >= parser->argc)
        return CLI_OPT_END;
    const char *arg = parser->argv[parser->next++];

    /* "-" alone is a positional (standard input); "--" ends the options. */
    if (parser->only_positional || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return CLI_OPT_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        parser->only_positional = 1;
        return cli_next_option(parser, opts, count, value);
    }

    size_t len = name_length(arg);
    for (size_t i = 0; i < count; i++) {
        if (!option_matches(&opts[i], arg, len))
            continue;
        int inline_value = arg[len] == '=';
        if (!opts[i].takes_value) {
            if (inline_value) {
                cli_usage_error(parser->command, "option %s takes no value", opts[i].long_name);
                return CLI_OPT_BAD;
            }
            return (int)i;
        }
        if (inline_value) {
            *value = arg + len + 1;
        } else if (parser->next < parser->argc) {
            *value = parser->argv[parser->next++];
        } else {
            cli_usage_error(parser->command, "option %s needs a value", opts[i].long_name);
            return CLI_OPT_BAD;
        }
        return (int)i;
    }
    cli_usage_error(parser->command, "unknown option '%.*s'", (int)len, arg);
    return CLI_OPT_BAD;
}

/* ---- numbers ---------------------------------------------------------------- */

/* Decimal digits only: strtoull would accept "-1", " 7" and "0x10". */
static int scan_u64(const char *text, uint64_t *out, int *overflow)
{
    uint64_t n = 0;
    *overflow = 0;
    if (*text == '\0')
        return 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        unsigned digit = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - digit) / 10)
            *overflow = 1;
        else
            n = n * 10 + digit;
    }
    *out = n;
    return 1;
}

int cli_parse_u64(const char *what, const char *text, uint64_t max, uint64_t *out)
{
    uint64_t n = 0;
    int overflow = 0;
    if (!scan_u64(text, &n, &overflow)) {
        cli_error("%s: '%s' is not a non-negative decimal number", what, text);
        return CLI_EXIT_USAGE;
    }
    if (overflow || n > max) {
        cli_error("%s: %s is out of range (at most %llu)", what, text, (unsigned long long)max);
        return CLI_EXIT_INPUT;
    }
    *out = n;
    return CLI_EXIT_OK;
}

int cli_parse_u32(const char *what, const char *text, uint32_t max, uint32_t *out)
{
    uint64_t n = 0;
    int rc = cli_parse_u64(what, text, max, &n);
    if (rc == CLI_EXIT_OK)
        *out = (uint32_t)n;
    return rc;
}

/* ---- hex and OTI -------------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int cli_parse_hex(const char *what, const char *text, uint8_t *out, size_t out_len)
{
    size_t len = strlen(text);
    if (len != 2 * out_len) {
        cli_error("%s: expected %zu hex digits (%zu bytes), got %zu characters", what, 2 * out_len,
                  out_len, len);
        return CLI_EXIT_INPUT;
    }
    for (size_t i = 0; i < out_len; i++) {
        int hi = hex_value(text[2 * i]);
        int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            size_t at = hi < 0 ? 2 * i : 2 * i + 1;
            cli_error("%s: '%c' at position %zu is not a hex digit", what, text[at], at + 1);
            return CLI_EXIT_INPUT;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return CLI_EXIT_OK;
}

int cli_parse_oti(const char *text, rq_oti *out)
{
    uint8_t wire[RQ_OTI_SIZE];
    int rc = cli_parse_hex("--oti", text, wire, sizeof wire);
    if (rc != CLI_EXIT_OK)
        return rc;
    rq_status st = rq_oti_parse(wire, sizeof wire, out);
    if (st != RQ_OK) {
        cli_error("--oti %s: invalid OTI: %s", text, rq_strerror(st));
        return cli_exit_for_status(st);
    }
    return CLI_EXIT_OK;
}

void cli_format_hex(const uint8_t *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}

/* ---- ESI lists ------------------------------------------------------------------ */

/* One ESI of a list item; `item` is the whole item for the message. */
static int parse_esi(const char *what, const char *start, size_t len, const char *item,
                     uint32_t *out)
{
    char digits[32];
    uint64_t n = 0;
    int overflow = 0;
    if (len == 0 || len >= sizeof digits) {
        if (len == 0) {
            cli_error("%s: '%s' is not an ESI or a range FIRST-LAST", what, item);
            return CLI_EXIT_USAGE;
        }
        overflow = 1;
    } else {
        memcpy(digits, start, len);
        digits[len] = '\0';
        if (!scan_u64(digits, &n, &overflow)) {
            cli_error("%s: '%s' is not an ESI or a range FIRST-LAST", what, item);
            return CLI_EXIT_USAGE;
        }
    }
    if (overflow || n > RQ_MAX_ESI) {
        cli_error("%s: ESI %.*s in '%s' is too large: ESIs are 24 bits (at most %u)", what,
                  (int)len, start, item, RQ_MAX_ESI);
        return CLI_EXIT_INPUT;
    }
    *out = (uint32_t)n;
    return CLI_EXIT_OK;
}

static int parse_esi_item(const char *what, const char *item, cli_esi_range *out)
{
    const char *dash = strchr(item, '-');
    int rc;
    if (dash == NULL) {
        rc = parse_esi(what, item, strlen(item), item, &out->first);
        out->last = out->first;
        return rc;
    }
    rc = parse_esi(what, item, (size_t)(dash - item), item, &out->first);
    if (rc == CLI_EXIT_OK)
        rc = parse_esi(what, dash + 1, strlen(dash + 1), item, &out->last);
    if (rc == CLI_EXIT_OK && out->last < out->first) {
        cli_error("%s: range '%s' is reversed (write it FIRST-LAST with FIRST <= LAST)", what,
                  item);
        return CLI_EXIT_USAGE;
    }
    return rc;
}

int cli_parse_esi_list(const char *what, const char *text, cli_esi_list *out)
{
    out->ranges = NULL;
    out->count = 0;
    if (*text == '\0') {
        cli_error("%s: the ESI list is empty", what);
        return CLI_EXIT_USAGE;
    }
    size_t items = 1;
    for (const char *p = text; *p != '\0'; p++)
        items += *p == ',';

    char *copy = malloc(strlen(text) + 1);
    cli_esi_range *ranges = calloc(items, sizeof *ranges);
    if (copy == NULL || ranges == NULL) {
        free(copy);
        free(ranges);
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    strcpy(copy, text);

    /* Split by hand: strtok would silently skip empty items such as "1,,2". */
    int rc = CLI_EXIT_OK;
    char *item = copy;
    for (size_t i = 0; i < items && rc == CLI_EXIT_OK; i++) {
        char *comma = strchr(item, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*item == '\0') {
            cli_error("%s: empty item in ESI list '%s'", what, text);
            rc = CLI_EXIT_USAGE;
        } else {
            rc = parse_esi_item(what, item, &ranges[i]);
        }
        item = comma != NULL ? comma + 1 : item;
    }
    free(copy);
    if (rc != CLI_EXIT_OK) {
        free(ranges);
        return rc;
    }
    out->ranges = ranges;
    out->count = items;
    return CLI_EXIT_OK;
}

void cli_esi_list_free(cli_esi_list *list)
{
    free(list->ranges);
    list->ranges = NULL;
    list->count = 0;
}

/* ---- JSON ---------------------------------------------------------------------- */

void cli_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* ---- files --------------------------------------------------------------------- */

/* Reads until EOF or until more than `expected` bytes have arrived. */
static int read_stream(FILE *in, const char *name, uint64_t expected, uint8_t *buffer,
                       uint64_t *got)
{
    uint64_t total = 0;
    uint8_t extra;
    while (total < expected) {
        size_t want = expected - total > (1u << 24) ? (1u << 24) : (size_t)(expected - total);
        size_t n = fread(buffer + total, 1, want, in);
        total += n;
        if (n < want)
            break;
    }
    if (total == expected && fread(&extra, 1, 1, in) == 1)
        total++; /* one byte past F is enough to say the size is wrong */
    if (ferror(in)) {
        cli_error("%s: read failed: %s", name, strerror(errno));
        return CLI_EXIT_IO;
    }
    *got = total;
    return CLI_EXIT_OK;
}

int cli_read_exact(const char *path, uint64_t expected, uint8_t **data_out)
{
    int use_stdin = strcmp(path, "-") == 0;
    const char *name = use_stdin ? "standard input" : path;
    if (expected > SIZE_MAX - 1) {
        cli_error("%s: %llu bytes do not fit in memory here", name, (unsigned long long)expected);
        return CLI_EXIT_INPUT;
    }
    FILE *in = use_stdin ? stdin : fopen(path, "rb");
    if (in == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }

    /* For a regular file the size is known before reading a byte. */
    struct stat st;
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) && !use_stdin &&
        (uint64_t)st.st_size != expected) {
        cli_error("%s is %llu bytes, but the OTI says the object has F = %llu bytes", path,
                  (unsigned long long)st.st_size, (unsigned long long)expected);
        fclose(in);
        return CLI_EXIT_INPUT;
    }

    uint8_t *data = malloc(expected > 0 ? (size_t)expected : 1);
    if (data == NULL) {
        cli_error("out of memory reading %s (%llu bytes)", name, (unsigned long long)expected);
        if (!use_stdin)
            fclose(in);
        return CLI_EXIT_INTERNAL;
    }
    uint64_t got = 0;
    int rc = read_stream(in, name, expected, data, &got);
    if (!use_stdin)
        fclose(in);
    if (rc == CLI_EXIT_OK && got != expected) {
        if (got > expected)
            cli_error("%s holds more than the F = %llu bytes the OTI says", name,
                      (unsigned long long)expected);
        else
            cli_error("%s is %llu bytes, but the OTI says the object has F = %llu bytes", name,
                      (unsigned long long)got, (unsigned long long)expected);
        rc = CLI_EXIT_INPUT;
    }
    if (rc != CLI_EXIT_OK) {
        free(data);
        return rc;
    }
    *data_out = data;
    return CLI_EXIT_OK;
}

int cli_output_check(const char *path, int force)
{
    switch (rq_output_check(path, force)) {
    case RQ_OUTPUT_EXISTS:
        cli_error("%s already exists; use --force to replace it", path);
        return CLI_EXIT_IO;
    case RQ_OUTPUT_NOT_REGULAR:
        /* A rename would put a plain file in place of a device, pipe or link. */
        cli_error("%s exists and is not a regular file; not replacing it (write to standard "
                  "output and redirect instead)", path);
        return CLI_EXIT_IO;
    default:
        return CLI_EXIT_OK;
    }
}

int cli_output_open(cli_output *output, const char *path, int force)
{
    output->path = path;
    output->temp.fd = -1;
    output->temp.path[0] = '\0';
    output->file = NULL;
    output->force = force;
    int rc = cli_output_check(path, force);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (rq_temp_file_open(&output->temp, path, 0644) != 0) {
        cli_error("%s: cannot create a file beside it: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    /* The stream has a descriptor of its own: the temporary file's is kept to name it. */
    int fd = dup(output->temp.fd);
    output->file = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (output->file == NULL) {
        cli_error("%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        rq_temp_file_discard(&output->temp);
        return CLI_EXIT_IO;
    }
    /* Large writes: packets are small, the stdio default buffer is 4 KiB. */
    setvbuf(output->file, NULL, _IOFBF, (size_t)1 << 20);
    return CLI_EXIT_OK;
}

int cli_output_commit(cli_output *output)
{
    int failed = fflush(output->file) != 0 || ferror(output->file);
    int saved = errno;
    if (fclose(output->file) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    output->file = NULL;
    if (failed) {
        cli_error("%s: write failed: %s", output->path, strerror(saved));
        rq_temp_file_discard(&output->temp);
        return CLI_EXIT_IO;
    }
    int r = rq_temp_file_commit(&output->temp, output->path, output->force);
    if (r == -2) {
        cli_error("%s appeared while writing; use --force to replace it", output->path);
        return CLI_EXIT_IO;
    }
    if (r != 0) {
        cli_error("%s: cannot name the written file so: %s", output->path, strerror(errno));
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}

void cli_output_abort(cli_output *output)
{
    if (output->file != NULL)
        fclose(output->file);
    output->file = NULL;
    rq_temp_file_discard(&output->temp);
}

int cli_write(FILE *file, const char *name, const void *data, size_t len)
{
    if (len > 0 && fwrite(data, 1, len, file) != len) {
        cli_error("%s: write failed: %s", name, strerror(errno));
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * The command line shared by the file commands and the session made from
 * it; see cli_session.h.
 */
#include "cli/cli_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_args.h"
#include "cli/cli_progress.h"
#include "runtime/units.h"


enum {
    OPT_SYMBOL_SIZE,
    OPT_REDUNDANCY,
    OPT_MEMORY_BUDGET,
    OPT_CONCURRENCY,
    OPT_THREADS,
    OPT_PLACEMENT,
    OPT_FAIL_FAST,
    OPT_BLOCK_SIZE,
    OPT_FORMAT,
    OPT_BACKEND,
    OPT_FORCE,
    OPT_JSON,
    OPT_QUIET,
    OPT_HELP,
    OPT_LAYOUT /* last: left out of the table for commands without it */
};

static const cli_option options[] = {
    [OPT_SYMBOL_SIZE] = {"--symbol-size", NULL, 1},
    [OPT_REDUNDANCY] = {"--redundancy", NULL, 1},
    [OPT_MEMORY_BUDGET] = {"--memory-budget", NULL, 1},
    [OPT_CONCURRENCY] = {"--concurrency", NULL, 1},
    [OPT_THREADS] = {"--threads", NULL, 1},
    [OPT_PLACEMENT] = {"--placement", NULL, 1},
    [OPT_FAIL_FAST] = {"--fail-fast", NULL, 0},
    [OPT_BLOCK_SIZE] = {"--block-size", NULL, 1},
    [OPT_FORMAT] = {"--format", NULL, 1},
    [OPT_BACKEND] = {"--backend", NULL, 1},
    [OPT_FORCE] = {"--force", NULL, 0},
    [OPT_JSON] = {"--json", NULL, 0},
    [OPT_QUIET] = {"--quiet", "-q", 0},
    [OPT_HELP] = {"--help", "-h", 0},
    [OPT_LAYOUT] = {"--layout", NULL, 1},
};

/* A redundancy factor: digits with at most one '.', nothing else (no sign, exponent, "inf"). */
static int parse_redundancy(const char *text, double *out)
{
    size_t digits = 0, dots = 0, other = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '.')
            dots++;
        else
            other++;
    }
    if (digits == 0 || dots > 1 || other > 0) {
        cli_error("--redundancy: '%s' is not a decimal number such as 1.5", text);
        return CLI_EXIT_USAGE;
    }
    *out = strtod(text, NULL);
    return CLI_EXIT_OK;
}

/* BYTES with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *what, const char *text, uint64_t *out)
{
    size_t len = strlen(text);
    unsigned shift = 0;
    char last = len > 0 ? text[len - 1] : '\0';
    if (last == 'K' || last == 'k')
        shift = 10;
    else if (last == 'M' || last == 'm')
        shift = 20;
    else if (last == 'G' || last == 'g')
        shift = 30;
    size_t n = shift ? len - 1 : len;
    int digits_only = n > 0;
    for (size_t i = 0; i < n; i++)
        digits_only &= text[i] >= '0' && text[i] <= '9';
    if (!digits_only) {
        cli_error("%s: '%s' is not a size such as 1048576, 64K, 16M or 1G", what, text);
        return CLI_EXIT_USAGE;
    }
    char digits[32];
    if (n >= sizeof digits) {
        cli_error("%s: %s is out of range", what, text);
        return CLI_EXIT_INPUT;
    }
    memcpy(digits, text, n);
    digits[n] = '\0';
    uint64_t value = 0;
    int rc = cli_parse_u64(what, digits, UINT64_MAX >> shift, &value);
    *out = value << shift;
    return rc;
}

/* One of a few names, as its index; the message lists them all. */
static int parse_choice(const char *option, const char *text, const char *const *names, int n,
                        int *out)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return CLI_EXIT_OK;
        }
    }
    char list[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    cli_error("%s: '%s' is not one of %s", option, text, list);
    return CLI_EXIT_USAGE;
}

/* Records a setting; a repeated option's last value wins. */
static void add_setting(cli_file_args *out, rq_session_param p, int64_t value, double real)
{
    size_t i = 0;
    while (i < out->n_settings && out->settings[i].param != p)
        i++;
    if (i == out->n_settings)
        out->n_settings++;
    out->settings[i] = (cli_setting){p, p == RQ_SESSION_REDUNDANCY, value, real};
}

/* Sets what the options gave on the session, in their order; the first refusal. */
static rq_status apply_settings(rq_session *s, const cli_file_args *args)
{
    rq_status st = RQ_OK;
    for (size_t i = 0; st == RQ_OK && i < args->n_settings; i++) {
        const cli_setting *c = &args->settings[i];
        st = c->is_double ? rq_session_set_double(s, c->param, c->real)
                          : rq_session_set(s, c->param, c->value);
    }
    return st;
}

/* A whole-number option into the setting p. */
static int number_option(cli_file_args *out, rq_session_param p, const char *what,
                         const char *value, uint64_t max, uint64_t unit)
{
    uint64_t v = 0;
    int rc = cli_parse_u64(what, value, max, &v);
    if (rc == CLI_EXIT_OK)
        add_setting(out, p, v * unit > INT64_MAX ? INT64_MAX : (int64_t)(v * unit), 0);
    return rc;
}

/* One session option into out; CLI_EXIT_OK or the error's exit code. */
static int session_option(int opt, const char *value, cli_file_args *out)
{
    int rc = CLI_EXIT_OK;
    double r = 0;
    uint64_t size = 0;
    /* In enum order: the index is the setting's value. */
    static const char *const placements[] = {"compact", "spread", "none"};
    static const char *const formats[] = {"librq", "rq-library"};
    int choice = 0;
    switch (opt) {
    case OPT_SYMBOL_SIZE:
        return number_option(out, RQ_SESSION_SYMBOL_SIZE, "--symbol-size", value, UINT32_MAX, 1);
    case OPT_REDUNDANCY:
        if ((rc = parse_redundancy(value, &r)) == CLI_EXIT_OK)
            add_setting(out, RQ_SESSION_REDUNDANCY, 0, r);
        return rc;
    case OPT_MEMORY_BUDGET:
        return number_option(out, RQ_SESSION_MEMORY_BUDGET, "--memory-budget", value,
                             UINT64_MAX / RQ_MIB, RQ_MIB);
    case OPT_CONCURRENCY:
        return number_option(out, RQ_SESSION_CONCURRENCY_LIMIT, "--concurrency", value, UINT32_MAX, 1);
    case OPT_THREADS:
        return number_option(out, RQ_SESSION_THREADS, "--threads", value, UINT32_MAX, 1);
    case OPT_PLACEMENT:
        if ((rc = parse_choice("--placement", value, placements, 3, &choice)) == CLI_EXIT_OK)
            add_setting(out, RQ_SESSION_PLACEMENT, choice, 0);
        return rc;
    case OPT_FORMAT:
        if ((rc = parse_choice("--format", value, formats, 2, &choice)) == CLI_EXIT_OK)
            add_setting(out, RQ_SESSION_FORMAT, choice, 0);
        return rc;
    case OPT_FAIL_FAST: add_setting(out, RQ_SESSION_FAIL_FAST, 1, 0); return CLI_EXIT_OK;
    case OPT_BLOCK_SIZE:
        if ((rc = parse_size("--block-size", value, &size)) == CLI_EXIT_OK)
            add_setting(out, RQ_SESSION_BLOCK_SIZE, size > INT64_MAX ? INT64_MAX : (int64_t)size, 0);
        return rc;
    case OPT_BACKEND: out->backend = value; return CLI_EXIT_OK;
    case OPT_FORCE: add_setting(out, RQ_SESSION_OVERWRITE, 1, 0); return CLI_EXIT_OK;
    case OPT_JSON: out->json = 1; return CLI_EXIT_OK;
    case OPT_QUIET: out->quiet = 1; return CLI_EXIT_OK;
    case OPT_LAYOUT: out->layout = value; return CLI_EXIT_OK;
    default: return CLI_EXIT_INTERNAL;
    }
}

int cli_file_args_parse(const cli_file_command *cmd, int argc, char **argv, cli_file_args *out)
{
    memset(out, 0, sizeof *out);
    cli_parser parser;
    cli_parser_init(&parser, cmd->name, argc, argv);
    size_t count = cmd->takes_layout ? OPT_LAYOUT + 1 : OPT_LAYOUT;
    int positionals = 0;
    for (;;) {
        const char *value;
        int opt = cli_next_option(&parser, options, count, &value);
        if (opt == CLI_OPT_END)
            break;
        if (opt == CLI_OPT_BAD)
            return CLI_EXIT_USAGE;
        if (opt == OPT_HELP) {
            fputs(cmd->help, stdout);
            return -1;
        }
        if (opt == CLI_OPT_POSITIONAL) {
            if (positionals == cmd->positionals)
                return cli_usage_error(cmd->name, "unexpected argument '%s' (usage: rq %s %s)",
                                       value, cmd->name, cmd->usage);
            out->positional[positionals++] = value;
            continue;
        }
        int rc = session_option(opt, value, out);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    if (positionals < cmd->positionals)
        return cli_usage_error(cmd->name, "missing arguments (usage: rq %s %s)", cmd->name,
                               cmd->usage);
    for (int i = 0; i < positionals; i++)
        if (out->positional[i][0] == '\0')
            return cli_usage_error(cmd->name, "an empty path was given");
    return CLI_EXIT_OK;
}

/* "scalar, avx2" style list of the usable backends into buf. */
static void usable_backends(char *buf, size_t len)
{
    size_t count = 0, used = 0;
    buf[0] = '\0';
    rq_backend_count(&count);
    for (size_t i = 0; i < count; i++) {
        rq_backend_info info;
        if (rq_backend_describe(i, &info) != RQ_OK || !info.usable)
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", info.name);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
}

int cli_select_backend(const char *name)
{
    rq_context *ctx = NULL;
    rq_backend_id id;
    if (rq_context_default(&ctx) == RQ_OK && rq_backend_lookup(name, &id) == RQ_OK &&
        rq_context_set(ctx, RQ_PARAM_BACKEND, id) == RQ_OK)
        return CLI_EXIT_OK;
    char list[256];
    usable_backends(list, sizeof list);
    size_t count = 0;
    rq_backend_count(&count);
    for (size_t i = 0; i < count; i++) {
        rq_backend_info info;
        if (rq_backend_describe(i, &info) == RQ_OK && strcmp(info.name, name) == 0) {
            cli_error("--backend %s: not usable here (%s); usable: %s, auto", name,
                      info.reason[0] ? info.reason : "unavailable", list);
            return CLI_EXIT_INPUT;
        }
    }
    cli_error("--backend %s: no such backend; usable here: %s, auto", name, list);
    return CLI_EXIT_USAGE;
}

int cli_session_open(const cli_file_args *args, rq_session **out)
{
    *out = NULL;
    if (args->backend != NULL) {
        int rc = cli_select_backend(args->backend);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    /* Created with defaults, then configured: only a session can say which setting is bad. */
    rq_session *session = NULL;
    rq_status st = rq_session_create(&session);
    if (st != RQ_OK) {
        cli_error("cannot create a session: %s", rq_strerror(st));
        return cli_exit_for_status(st);
    }
    st = apply_settings(session, args);
    if (st != RQ_OK) {
        int rc = cli_session_fail(session, st, "invalid setting");
        rq_session_destroy(session);
        return rc;
    }
    *out = session;
    return CLI_EXIT_OK;
}

int cli_session_fail(rq_session *session, rq_status status, const char *what)
{
    const char *message = "";
    if (status == RQ_ERR_CANCELLED)
        message = "interrupted; nothing unfinished was left under a final name";
    else if (session == NULL || rq_session_last_error(session, &message) != RQ_OK ||
             *message == '\0')
        message = rq_strerror(status);
    cli_error("%s: %s", what, message);
    if (status == RQ_ERR_EXISTS)
        fprintf(stderr, "Use --force to replace it.\n");
    return cli_exit_for_status(status);
}

double cli_megabytes_per_second(uint64_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes / seconds / 1e6 : 0.0;
}

int cli_file_command_main(const cli_file_command *cmd, int argc, char **argv)
{
    cli_file_args args;
    int rc = cli_file_args_parse(cmd, argc, argv, &args);
    if (rc != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;
    rq_session *session = NULL;
    rc = cli_session_open(&args, &session);
    if (rc != CLI_EXIT_OK)
        return rc;
    cli_progress progress;
    cli_progress_attach(&progress, session, !args.quiet, cmd->counts_bytes);
    rq_file_result result;
    memset(&result, 0, sizeof result);
    rq_status st = cmd->run(session, &args, &result);
    cli_progress_finish(&progress);
    if (result.json != NULL && args.json)
        printf("%s\n", result.json);
    else if (result.json != NULL && !args.quiet)
        cmd->summary(&args, &result);
    rc = st == RQ_OK ? CLI_EXIT_OK : cli_session_fail(session, st, cmd->name);
    rq_file_result_free(&result);
    rq_session_destroy(session);
    return rc;
}

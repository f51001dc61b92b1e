/* Reading the manifest of `rq batch` (see batch_manifest.h). */
#define _GNU_SOURCE
#include "cli/batch_manifest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_args.h"

static const char *const OP_NAMES[] = {"encode", "decode", "verify", "repair", "reencode"};
/* Settings a job may carry; the others are the batch's own (budget, concurrency, threads). */
static const rq_session_param JOB_PARAMS[] = {RQ_SESSION_SYMBOL_SIZE, RQ_SESSION_REDUNDANCY,
                                              RQ_SESSION_BLOCK_SIZE, RQ_SESSION_FORMAT,
                                              RQ_SESSION_OVERWRITE};

const char *batch_op_name(rq_job_op op)
{
    return OP_NAMES[op];
}

static int bad_line(const char *path, size_t line, const char *what)
{
    cli_error("%s:%zu: %s", path, line, what);
    return CLI_EXIT_INPUT;
}

static int job_string(const cJSON *item, char **out)
{
    if (!cJSON_IsString(item) || !item->valuestring[0])
        return -1;
    *out = strdup(item->valuestring);
    return *out ? 0 : -1;
}

/* A setting's value: numbers as they are, format by name, overwrite as a boolean. */
static int setting_value(rq_session_param p, const cJSON *item, double *out)
{
    if (p == RQ_SESSION_FORMAT && cJSON_IsString(item)) {
        int rq_library = strcmp(item->valuestring, "rq-library") == 0;
        if (!rq_library && strcmp(item->valuestring, "librq") != 0)
            return -1;
        *out = rq_library ? RQ_FORMAT_RQ_LIBRARY : RQ_FORMAT_LIBRQ;
        return 0;
    }
    if (p == RQ_SESSION_OVERWRITE && cJSON_IsBool(item)) {
        *out = cJSON_IsTrue(item);
        return 0;
    }
    if (!cJSON_IsNumber(item) || p == RQ_SESSION_FORMAT || p == RQ_SESSION_OVERWRITE)
        return -1;
    *out = item->valuedouble;
    return 0;
}

/* One member of a job object into job; a message in why when it is not one a job has. */
static int job_member(const cJSON *item, batch_job *job, char *why, size_t len)
{
    const char *key = item->string;
    if (strcmp(key, "op") == 0)
        return 0; /* read before the others */
    char **slot = strcmp(key, "input") == 0    ? &job->input
                  : strcmp(key, "output") == 0 ? &job->output
                  : strcmp(key, "layout") == 0 ? &job->layout
                                               : NULL;
    if (slot) {
        if (!*slot && job_string(item, slot) == 0)
            return 0;
        snprintf(why, len, "\"%s\" must be a non-empty string, given once", key);
        return -1;
    }
    for (size_t i = 0; i < sizeof JOB_PARAMS / sizeof *JOB_PARAMS; i++) {
        const char *name = NULL;
        rq_session_param_name(JOB_PARAMS[i], &name);
        if (strcmp(key, name) != 0)
            continue;
        if (setting_value(JOB_PARAMS[i], item, &job->settings[job->n_settings].value) != 0) {
            snprintf(why, len, "\"%s\" has a value of the wrong kind", key);
            return -1;
        }
        job->settings[job->n_settings++].param = JOB_PARAMS[i];
        return 0;
    }
    snprintf(why, len, "unknown key \"%s\" (a job has op, input, output, layout, symbol_size, redundancy, "
                       "block_size, format, overwrite)", key);
    return -1;
}

/* What makes a job large: the input file's size, or the size a symbol directory's layout states. */
static uint64_t job_bytes(const batch_job *job)
{
    struct stat st;
    if (job->op == RQ_JOB_ENCODE)
        return stat(job->input, &st) == 0 ? (uint64_t)st.st_size : 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", job->input, RQ_LAYOUT_FILE_NAME);
    const char *layout = job->layout ? job->layout : path;
    if (stat(layout, &st) != 0)
        return 0; /* the job will say what is wrong */
    if (st.st_size > (16 << 20))
        return UINT64_MAX; /* a layout this large describes a large file */
    uint8_t *text = NULL;
    if (cli_read_exact(layout, (uint64_t)st.st_size, &text) != 0)
        return 0;
    cJSON *root = cJSON_ParseWithLength((const char *)text, (size_t)st.st_size);
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(root, "file_size");
    uint64_t bytes = cJSON_IsNumber(size) && size->valuedouble > 0 ? (uint64_t)size->valuedouble : 0;
    cJSON_Delete(root);
    free(text);
    return bytes;
}

static int parse_job(const char *path, size_t line, const char *text, batch_job *job)
{
    char why[256] = "";
    cJSON *root = cJSON_Parse(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return bad_line(path, line, "not a JSON object");
    }
    memset(job, 0, sizeof *job);
    job->line = line;
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "op");
    int found = -1;
    for (int i = 0; cJSON_IsString(op) && i < (int)(sizeof OP_NAMES / sizeof *OP_NAMES); i++)
        if (strcmp(op->valuestring, OP_NAMES[i]) == 0)
            found = i;
    if (found < 0)
        snprintf(why, sizeof why, "\"op\" must be encode, decode, verify, repair or reencode");
    job->op = (rq_job_op)(found < 0 ? 0 : found);
    const cJSON *item;
    cJSON_ArrayForEach(item, root)
    {
        if (!why[0] && job_member(item, job, why, sizeof why) != 0)
            break;
    }
    cJSON_Delete(root);
    int wants_output = job->op == RQ_JOB_ENCODE || job->op == RQ_JOB_DECODE || job->op == RQ_JOB_REENCODE;
    if (!why[0] && !job->input)
        snprintf(why, sizeof why, "\"input\" is missing");
    if (!why[0] && wants_output != (job->output != NULL))
        snprintf(why, sizeof why, wants_output ? "\"output\" is missing" : "%s takes no \"output\"",
                 OP_NAMES[job->op]);
    if (why[0]) {
        free(job->input);
        free(job->output);
        free(job->layout);
        return bad_line(path, line, why);
    }
    job->bytes = job_bytes(job);
    return 0;
}

static int read_all(const char *path, char **text)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        cli_error("cannot open the manifest %s", path);
        return CLI_EXIT_IO;
    }
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf)
        return CLI_EXIT_INTERNAL;
    buf[len] = '\0';
    *text = buf;
    return 0;
}

int batch_manifest_read(const char *path, batch_manifest *out)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    int rc = read_all(path, &text);
    size_t cap = 0, line = 0;
    for (char *p = text, *next; rc == 0 && p && *p; p = next) {
        next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        line++;
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p || *p == '#')
            continue;
        if (out->n_jobs == cap) {
            batch_job *grown = realloc(out->jobs, (cap = cap ? cap * 2 : 64) * sizeof *grown);
            if (!grown) {
                rc = CLI_EXIT_INTERNAL;
                break;
            }
            out->jobs = grown;
        }
        rc = parse_job(path, line, p, &out->jobs[out->n_jobs]);
        if (rc == 0)
            out->n_jobs++;
    }
    free(text);
    if (rc == 0 && out->n_jobs == 0) {
        cli_error("%s: no jobs", path);
        rc = CLI_EXIT_INPUT;
    }
    if (rc != 0)
        batch_manifest_free(out);
    return rc;
}

void batch_manifest_free(batch_manifest *m)
{
    for (size_t i = 0; i < m->n_jobs; i++) {
        free(m->jobs[i].input);
        free(m->jobs[i].output);
        free(m->jobs[i].layout);
    }
    free(m->jobs);
    memset(m, 0, sizeof *m);
}

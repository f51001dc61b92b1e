/*
 * `rq batch MANIFEST`: many file jobs under one memory budget and one
 * concurrency limit, run by rq_run_file_jobs (include/rq/rq_batch.h): jobs
 * start in manifest order on --concurrency threads, each in a session of
 * its own (one thread each); a large job (its file at least --large MiB)
 * waits until nothing else runs and then runs alone with every core. A
 * failed job is reported and the others go on (--fail-fast: no new job
 * starts after a failure). One result line per job as it ends; a summary
 * line last.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/batch_manifest.h"
#include "cli/cli_args.h"
#include "cli/commands.h"

const char cmd_batch_help[] =
    "Usage: rq batch [OPTIONS] MANIFEST\n"
    "\n"
    "Runs the jobs MANIFEST lists (\"-\": standard input), one JSON object per\n"
    "line:\n"
    "  {\"op\": \"encode\", \"input\": \"a.bin\", \"output\": \"a.symbols\", \"redundancy\": 2}\n"
    "  {\"op\": \"decode\", \"input\": \"b.symbols\", \"output\": \"b.bin\"}\n"
    "  {\"op\": \"repair\", \"input\": \"c.symbols\"}\n"
    "  {\"op\": \"reencode\", \"input\": \"d.symbols\", \"output\": \"d.new\", \"symbol_size\": 1400}\n"
    "  {\"op\": \"verify\", \"input\": \"e.symbols\", \"layout\": \"saved/e.json\"}\n"
    "op: encode, decode, verify, repair or reencode (as the rq commands of\n"
    "those names); input: the file (encode) or the symbol directory; output:\n"
    "the symbol directory (encode, reencode) or the file (decode); layout: a\n"
    "layout outside the symbol directory. A job may set symbol_size,\n"
    "redundancy, block_size (bytes), format (\"librq\" or \"rq-library\") and\n"
    "overwrite (true: replace existing outputs). Blank lines and lines\n"
    "starting with # are skipped; any other line that is not such a job stops\n"
    "the batch before it starts, naming the line.\n"
    "\n"
    "All jobs share one memory budget (a job waits for memory rather than\n"
    "fail) and run --concurrency at a time, one worker thread each; a job\n"
    "whose file is --large MiB or more waits until nothing else runs and then\n"
    "gets every core. A failed job is reported and the others go on. Jobs run\n"
    "side by side: one must not need another's output in the same batch.\n"
    "\n"
    "Options:\n"
    "  --memory-budget MIB   memory all jobs together may use for buffers, plans\n"
    "                        and matrices, >= 8 (default 256)\n"
    "  --concurrency N       small jobs at once, 1..1024 (default: the cores)\n"
    "  --large MIB           a job with a file this large runs alone (default 64)\n"
    "  --fail-fast           start no new job after one fails\n"
    "  --json                one JSON object per job as it ends, then a summary\n"
    "                        object (jobs, failed, seconds, peak_rss_kib)\n"
    "  --quiet               only the failures and the summary\n"
    "  -h, --help            show this text\n"
    "Progress (jobs done, running, failed) is drawn on stderr when it is a\n"
    "terminal. Ctrl-C cancels the running jobs and starts no more.\n"
    "\n"
    "Examples:\n"
    "  rq batch jobs.jsonl\n"
    "  find data -name '*.bin' | sed 's/.*/{\"op\":\"encode\",\"input\":\"&\",\"output\":\"&.rq\"}/' |\n"
    "    rq batch --memory-budget 64 --json -\n"
    "\n"
    "Exit codes: 0 when every job succeeded; 2 bad usage; 3 a malformed\n"
    "manifest (nothing ran); otherwise the exit code `rq` gives for the first\n"
    "failed job in manifest order (3 bad input, 4 not enough symbols, 5 I/O,\n"
    "6 interrupted).\n";

typedef struct batch_options {
    uint64_t budget_mib, large_mib;
    uint32_t concurrency;
    int fail_fast, json, quiet;
} batch_options;

/* The run as the display sees it; done() is called one job at a time. */
typedef struct batch_run {
    const batch_manifest *m;
    const batch_options *opt;
    const rq_file_job_outcome *outcomes;
    size_t ended, failed;
    int draw;
} batch_run;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int cancel_when_interrupted(void *user, uint64_t done, uint64_t total)
{
    (void)user, (void)done, (void)total;
    return interrupted;
}

static int exit_code_of(const rq_file_job_outcome *o)
{
    return cli_exit_for_status(o->status);
}

static void print_json_outcome(const batch_job *job, const rq_file_job_outcome *o)
{
    printf("{\"line\": %zu, \"op\": \"%s\", \"input\": ", job->line, batch_op_name(job->op));
    cli_json_string(stdout, job->input);
    printf(", \"output\": ");
    if (job->output)
        cli_json_string(stdout, job->output);
    else
        printf("null");
    const char *name = rq_status_name(o->status);
    printf(", \"ran\": %s, \"ok\": %s, \"exit_code\": %d, \"status\": \"%s\", \"error\": ",
           o->ran ? "true" : "false", o->ran && o->status == RQ_OK ? "true" : "false",
           o->ran ? exit_code_of(o) : CLI_EXIT_OK, o->ran ? name : "RQ_OK");
    cli_json_string(stdout, o->ran ? o->message : "not run: an earlier job failed (--fail-fast) or the batch was interrupted");
    printf(", \"seconds\": %.3f, \"result\": ", o->seconds);
    /* The job's own result object, on one line. */
    cJSON *result = o->result.json ? cJSON_Parse(o->result.json) : NULL;
    char *flat = result ? cJSON_PrintUnformatted(result) : NULL;
    printf("%s}\n", flat ? flat : "null");
    cJSON_free(flat);
    cJSON_Delete(result);
}

static void print_outcome(const batch_run *b, size_t i)
{
    const batch_job *job = &b->m->jobs[i];
    const rq_file_job_outcome *o = &b->outcomes[i];
    if (b->draw)
        fputs("\r\033[K", stderr);
    if (b->opt->json) {
        print_json_outcome(job, o);
    } else if (!o->ran) {
        printf("skip  %-8s %s (line %zu)\n", batch_op_name(job->op), job->input, job->line);
    } else if (o->status != RQ_OK) {
        printf("FAIL  %-8s %s (line %zu, exit %d): %s\n", batch_op_name(job->op), job->input, job->line,
               exit_code_of(o), o->message);
    } else if (!b->opt->quiet) {
        printf("ok    %-8s %s%s%s (%.2f s)\n", batch_op_name(job->op), job->input, job->output ? " -> " : "",
               job->output ? job->output : "", o->seconds);
    }
    fflush(stdout);
}

/* A job ended: its line, then the progress line. */
static void job_done(void *user, size_t i, const rq_file_job_outcome *o)
{
    batch_run *b = user;
    b->ended++;
    b->failed += o->status != RQ_OK;
    print_outcome(b, i);
    if (b->draw)
        fprintf(stderr, "\r\033[Kbatch: %zu of %zu done, %zu failed", b->ended, b->m->n_jobs, b->failed);
}

/* 0 when every job ran and succeeded, else the first failure's exit code (6 if interrupted first). */
static int batch_exit_code(const batch_run *b)
{
    for (size_t i = 0; i < b->m->n_jobs; i++) {
        const rq_file_job_outcome *o = &b->outcomes[i];
        if (o->ran && o->status != RQ_OK)
            return exit_code_of(o);
        if (!o->ran)
            return interrupted ? CLI_EXIT_INTERRUPTED : CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_OK;
}

/* This process's own peak RSS in KiB. ru_maxrss is not: a child started by vfork or posix_spawn shares its
   parent's memory until exec, and Linux carries that memory's high-water mark over into the child's. VmHWM
   is the peak of the memory rq runs in since exec. */
static long peak_rss_kib(void)
{
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    while (f && kib < 0 && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) != 1)
            kib = -1;
    if (f)
        fclose(f);
    if (kib < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kib = ru.ru_maxrss;
    }
    return kib;
}

static void print_summary(const batch_run *b, double seconds)
{
    const long peak_kib = peak_rss_kib();
    size_t ran = 0;
    for (size_t i = 0; i < b->m->n_jobs; i++)
        ran += b->outcomes[i].ran ? 1u : 0u;
    if (b->opt->json)
        printf("{\"summary\": true, \"jobs\": %zu, \"succeeded\": %zu, \"failed\": %zu, \"not_run\": %zu, "
               "\"seconds\": %.3f, \"peak_rss_kib\": %ld}\n",
               b->m->n_jobs, ran - b->failed, b->failed, b->m->n_jobs - ran, seconds, peak_kib);
    else
        printf("batch     %zu jobs: %zu succeeded, %zu failed, %zu not run; %.2f s; peak RSS %ld MiB\n",
               b->m->n_jobs, ran - b->failed, b->failed, b->m->n_jobs - ran, seconds, peak_kib / 1024);
}

/* The library's view of the manifest's jobs (strings and settings stay the manifest's). */
static rq_file_job *library_jobs(const batch_manifest *m)
{
    rq_file_job *jobs = calloc(m->n_jobs ? m->n_jobs : 1, sizeof *jobs);
    for (size_t i = 0; jobs && i < m->n_jobs; i++) {
        const batch_job *j = &m->jobs[i];
        jobs[i] = (rq_file_job){.op = j->op, .input = j->input, .output = j->output, .layout = j->layout,
                                .settings = j->settings, .n_settings = j->n_settings, .bytes = j->bytes};
    }
    return jobs;
}

/* One session for the whole batch: every job inherits its budget; Ctrl-C cancels through it. */
static rq_session *batch_session(const batch_options *opt)
{
    rq_session *s = NULL;
    if (rq_session_create(&s) != RQ_OK)
        return NULL;
    if (rq_session_set(s, RQ_SESSION_MEMORY_BUDGET, (int64_t)(opt->budget_mib << 20)) != RQ_OK ||
        rq_session_set_progress(s, cancel_when_interrupted, NULL) != RQ_OK) {
        rq_session_destroy(s);
        return NULL;
    }
    return s;
}

static int run_batch(const batch_manifest *m, const batch_options *opt)
{
    rq_status st = rq_process_set_memory_budget(opt->budget_mib << 20);
    if (st != RQ_OK) {
        cli_error("--memory-budget %llu: %s", (unsigned long long)opt->budget_mib, rq_strerror(st));
        return cli_exit_for_status(st);
    }
    rq_file_job_outcome *outcomes = calloc(m->n_jobs ? m->n_jobs : 1, sizeof *outcomes);
    rq_file_job *jobs = library_jobs(m);
    rq_session *session = batch_session(opt);
    if (!outcomes || !jobs || !session) {
        free(outcomes);
        free(jobs);
        rq_session_destroy(session);
        return CLI_EXIT_INTERNAL;
    }
    batch_run b = {.m = m, .opt = opt, .outcomes = outcomes, .draw = isatty(STDERR_FILENO) && !opt->quiet};
    rq_jobs_options o = {.concurrency = opt->concurrency, .large_bytes = opt->large_mib << 20,
                         .fail_fast = opt->fail_fast, .done = job_done, .user = &b};
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    double t0 = cli_now();
    rq_run_file_jobs(session, jobs, m->n_jobs, &o, outcomes);
    if (b.draw)
        fputs("\r\033[K", stderr);
    for (size_t i = 0; i < m->n_jobs; i++)
        if (!outcomes[i].ran)
            print_outcome(&b, i);
    print_summary(&b, cli_now() - t0);
    int rc = batch_exit_code(&b);
    for (size_t i = 0; i < m->n_jobs; i++)
        rq_file_result_free(&outcomes[i].result);
    free(outcomes);
    free(jobs);
    rq_session_destroy(session);
    return rc;
}

enum { OPT_BUDGET, OPT_CONCURRENCY, OPT_LARGE, OPT_FAIL_FAST, OPT_JSON, OPT_QUIET, OPT_HELP };

static const cli_option options[] = {
    [OPT_BUDGET] = {"--memory-budget", NULL, 1}, [OPT_CONCURRENCY] = {"--concurrency", NULL, 1},
    [OPT_LARGE] = {"--large", NULL, 1},          [OPT_FAIL_FAST] = {"--fail-fast", NULL, 0},
    [OPT_JSON] = {"--json", NULL, 0},            [OPT_QUIET] = {"--quiet", NULL, 0},
    [OPT_HELP] = {"--help", "-h", 0},
};

int cmd_batch(int argc, char **argv)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    batch_options opt = {.budget_mib = 256, .large_mib = 64, .concurrency = cores > 0 ? (uint32_t)cores : 1};
    const char *manifest = NULL, *value = NULL;
    cli_parser p;
    cli_parser_init(&p, "batch", argc, argv);
    int o, rc = CLI_EXIT_OK;
    while (rc == CLI_EXIT_OK && (o = cli_next_option(&p, options, sizeof options / sizeof *options, &value)) != CLI_OPT_END) {
        if (o == CLI_OPT_BAD)
            return CLI_EXIT_USAGE;
        if (o == CLI_OPT_POSITIONAL) {
            if (manifest)
                return cli_usage_error("batch", "one MANIFEST only (got %s and %s)", manifest, value);
            manifest = value;
        } else if (o == OPT_HELP) {
            fputs(cmd_batch_help, stdout);
            return CLI_EXIT_OK;
        } else if (o == OPT_BUDGET) {
            rc = cli_parse_u64("--memory-budget", value, 1ull << 40, &opt.budget_mib);
            if (rc == CLI_EXIT_OK && opt.budget_mib < RQ_MIN_MEMORY_BUDGET >> 20)
                rc = cli_usage_error("batch", "--memory-budget must be at least %llu MiB",
                                     (unsigned long long)(RQ_MIN_MEMORY_BUDGET >> 20));
        } else if (o == OPT_CONCURRENCY) {
            rc = cli_parse_u32("--concurrency", value, 1024, &opt.concurrency);
            if (rc == CLI_EXIT_OK && opt.concurrency == 0)
                rc = cli_usage_error("batch", "--concurrency must be 1..1024");
        } else if (o == OPT_LARGE) {
            rc = cli_parse_u64("--large", value, 1ull << 30, &opt.large_mib);
        } else {
            *(o == OPT_FAIL_FAST ? &opt.fail_fast : o == OPT_JSON ? &opt.json : &opt.quiet) = 1;
        }
    }
    if (rc != CLI_EXIT_OK)
        return rc;
    if (!manifest)
        return cli_usage_error("batch", "a MANIFEST is needed (rq batch --help)");
    batch_manifest m;
    if ((rc = batch_manifest_read(manifest, &m)) != 0)
        return rc;
    rc = run_batch(&m, &opt);
    batch_manifest_free(&m);
    return rc;
}

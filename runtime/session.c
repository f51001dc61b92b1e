/*
 * Sessions: validated run-time configuration, shared by the jobs started on
 * them, with the last failure's message kept for the caller.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "runtime/default_context.h"
#include "runtime/session_internal.h"
#include "runtime/units.h"


static void settings_default(rq_session_settings *out)
{
    memset(out, 0, sizeof *out);
    out->symbol_size = 65535;
    out->redundancy = 1.5;
    out->memory_budget = 256 * RQ_MIB;
    out->concurrency_limit = 4;
    out->threads = 0;
    out->placement = RQ_PLACEMENT_COMPACT;
    out->fail_fast = 0;
    out->block_size = 0;
    out->overwrite = 0;
    out->format = RQ_FORMAT_LIBRQ;
}

typedef struct setting_spec {
    const char *name;
    double min, max;
    int is_double;
} setting_spec;

#define LAST_SETTING RQ_SESSION_FORMAT

static const setting_spec specs[LAST_SETTING + 1] = {
    [RQ_SESSION_SYMBOL_SIZE] = {"symbol_size", 1, RQ_MAX_SYMBOL_SIZE, 0},
    [RQ_SESSION_REDUNDANCY] = {"redundancy", 1, 1000, 1},
    [RQ_SESSION_MEMORY_BUDGET] = {"memory_budget", (double)RQ_MIN_MEMORY_BUDGET, 0x1p63, 0},
    [RQ_SESSION_CONCURRENCY_LIMIT] = {"concurrency_limit", 1, 1024, 0},
    [RQ_SESSION_THREADS] = {"threads", 0, 4096, 0},
    [RQ_SESSION_PLACEMENT] = {"placement", RQ_PLACEMENT_COMPACT, RQ_PLACEMENT_NONE, 0},
    [RQ_SESSION_FAIL_FAST] = {"fail_fast", 0, 1, 0},
    [RQ_SESSION_BLOCK_SIZE] = {"block_size", 0, (double)RQ_MAX_TRANSFER_LENGTH, 0},
    [RQ_SESSION_OVERWRITE] = {"overwrite", 0, 1, 0},
    [RQ_SESSION_FORMAT] = {"format", RQ_FORMAT_LIBRQ, RQ_FORMAT_RQ_LIBRARY, 0},
};

static int known(rq_session_param p)
{
    return p >= RQ_SESSION_SYMBOL_SIZE && p <= LAST_SETTING;
}

/* The setting's value, as a double (every whole-number setting fits one exactly). */
static double setting_value(const rq_session_settings *c, rq_session_param p)
{
    switch (p) {
    case RQ_SESSION_SYMBOL_SIZE: return c->symbol_size;
    case RQ_SESSION_REDUNDANCY: return c->redundancy;
    case RQ_SESSION_MEMORY_BUDGET: return (double)c->memory_budget;
    case RQ_SESSION_CONCURRENCY_LIMIT: return c->concurrency_limit;
    case RQ_SESSION_THREADS: return c->threads;
    case RQ_SESSION_PLACEMENT: return c->placement;
    case RQ_SESSION_FAIL_FAST: return c->fail_fast;
    case RQ_SESSION_BLOCK_SIZE: return (double)c->block_size;
    case RQ_SESSION_FORMAT: return c->format;
    default: return c->overwrite;
    }
}

/* Stores a value already checked against the setting's range. */
static void store(rq_session_settings *c, rq_session_param p, int64_t i, double d)
{
    switch (p) {
    case RQ_SESSION_SYMBOL_SIZE: c->symbol_size = (uint32_t)i; break;
    case RQ_SESSION_REDUNDANCY: c->redundancy = d; break;
    case RQ_SESSION_MEMORY_BUDGET: c->memory_budget = (uint64_t)i; break;
    case RQ_SESSION_CONCURRENCY_LIMIT: c->concurrency_limit = (uint32_t)i; break;
    case RQ_SESSION_THREADS: c->threads = (uint32_t)i; break;
    case RQ_SESSION_PLACEMENT: c->placement = (rq_placement)i; break;
    case RQ_SESSION_FAIL_FAST: c->fail_fast = (int)i; break;
    case RQ_SESSION_BLOCK_SIZE: c->block_size = (uint64_t)i; break;
    case RQ_SESSION_FORMAT: c->format = (rq_format)i; break;
    default: c->overwrite = (int)i; break;
    }
}

/* Why a value is refused, in words that name the setting; NULL when it is in range. */
static const char *range_error(rq_session_param p, int64_t i, double d, char *msg, size_t len)
{
    switch (p) {
    case RQ_SESSION_SYMBOL_SIZE:
        snprintf(msg, len, "symbol_size %lld is out of range 1..65535", (long long)i);
        return i < 1 || i > RQ_MAX_SYMBOL_SIZE ? msg : NULL;
    case RQ_SESSION_REDUNDANCY:
        snprintf(msg, len, "redundancy %g is out of range 1..1000", d);
        return !isfinite(d) || d < 1.0 || d > 1000.0 ? msg : NULL;
    case RQ_SESSION_MEMORY_BUDGET:
        snprintf(msg, len, "memory_budget %lld bytes is below the minimum of 8 MiB", (long long)i);
        return i < (int64_t)RQ_MIN_MEMORY_BUDGET ? msg : NULL;
    case RQ_SESSION_CONCURRENCY_LIMIT:
        snprintf(msg, len, "concurrency_limit %lld is out of range 1..1024", (long long)i);
        return i < 1 || i > 1024 ? msg : NULL;
    case RQ_SESSION_THREADS:
        snprintf(msg, len, "threads %lld is out of range 0..4096 (0 = one per core)", (long long)i);
        return i < 0 || i > 4096 ? msg : NULL;
    case RQ_SESSION_PLACEMENT:
        snprintf(msg, len, "placement %lld is not one of compact (0), spread (1), none (2)",
                 (long long)i);
        return i < 0 || i > 2 ? msg : NULL;
    case RQ_SESSION_FAIL_FAST:
        snprintf(msg, len, "fail_fast %lld is neither 0 (wait) nor 1 (fail at once)", (long long)i);
        return i != 0 && i != 1 ? msg : NULL;
    case RQ_SESSION_BLOCK_SIZE:
        snprintf(msg, len, "block_size %lld is outside 0..%llu (the RaptorQ object limit)",
                 (long long)i, (unsigned long long)RQ_MAX_TRANSFER_LENGTH);
        return i < 0 || (uint64_t)i > RQ_MAX_TRANSFER_LENGTH ? msg : NULL;
    case RQ_SESSION_FORMAT:
        snprintf(msg, len, "format %lld is not one of librq (0), rq-library (1)", (long long)i);
        return i != RQ_FORMAT_LIBRQ && i != RQ_FORMAT_RQ_LIBRARY ? msg : NULL;
    default:
        snprintf(msg, len, "overwrite %lld is neither 0 nor 1", (long long)i);
        return i != 0 && i != 1 ? msg : NULL;
    }
}

rq_status rq_session_param_bounds(rq_session_param p, double *min, double *max, double *def)
{
    if (!known(p))
        return RQ_ERR_CONFIG;
    rq_session_settings d;
    settings_default(&d);
    if (min)
        *min = specs[p].min;
    if (max)
        *max = specs[p].max;
    if (def)
        *def = setting_value(&d, p);
    return RQ_OK;
}

rq_status rq_session_param_name(rq_session_param p, const char **name)
{
    if (!name)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!known(p))
        return RQ_ERR_CONFIG;
    *name = specs[p].name;
    return RQ_OK;
}

rq_status rq_session_create_in(rq_context *ctx, rq_session **out)
{
    if (!ctx || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_session *s = calloc(1, sizeof *s);
    if (!s)
        return RQ_ERR_NO_MEMORY;
    settings_default(&s->config);
    s->ctx = ctx;
    rq_context_hold(ctx);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->slot_freed, NULL);
    atomic_init(&s->cancel_generation, 0);
    rq_budget_init(&s->budget, s->config.memory_budget);
    *out = s;
    return RQ_OK;
}

rq_status rq_session_create(rq_session **out)
{
    return rq_session_create_in(rq_default_context(), out);
}

/* Checks and stores one setting; is_double says which setter was called. */
static rq_status set_setting(rq_session *s, rq_session_param p, int64_t i, double d, int is_double)
{
    if (!s)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!known(p))
        return rq_session_fail(s, RQ_ERR_CONFIG, "setting %d is not one rq_session_set knows", (int)p);
    if (is_double != specs[p].is_double)
        return rq_session_fail(s, RQ_ERR_CONFIG, "%s takes %s", specs[p].name,
                               specs[p].is_double ? "a double (rq_session_set_double)"
                                                  : "a whole number (rq_session_set)");
    char msg[256];
    if (range_error(p, i, d, msg, sizeof msg))
        return rq_session_fail(s, RQ_ERR_CONFIG, "%s", msg);
    pthread_mutex_lock(&s->lock);
    store(&s->config, p, i, d);
    s->last_error[0] = '\0';
    pthread_cond_broadcast(&s->slot_freed); /* a higher concurrency limit lets waiters in */
    uint64_t budget = s->config.memory_budget;
    pthread_mutex_unlock(&s->lock);
    if (p == RQ_SESSION_MEMORY_BUDGET)
        rq_budget_set_limit(&s->budget, budget);
    return RQ_OK;
}

rq_status rq_session_set(rq_session *s, rq_session_param p, int64_t value)
{
    return set_setting(s, p, value, 0, 0);
}

rq_status rq_session_set_double(rq_session *s, rq_session_param p, double value)
{
    return set_setting(s, p, 0, value, 1);
}

void rq_session_settings_get(const rq_session *s, rq_session_settings *out)
{
    pthread_mutex_lock((pthread_mutex_t *)&s->lock);
    *out = s->config;
    pthread_mutex_unlock((pthread_mutex_t *)&s->lock);
}

/* One setting's value; is_double says which getter was called. */
static rq_status get_setting(const rq_session *s, rq_session_param p, int is_double, double *out)
{
    if (!s || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!known(p) || is_double != specs[p].is_double)
        return RQ_ERR_CONFIG;
    rq_session_settings c;
    rq_session_settings_get(s, &c);
    *out = setting_value(&c, p);
    return RQ_OK;
}

rq_status rq_session_get(const rq_session *s, rq_session_param p, int64_t *value)
{
    double v = 0;
    rq_status st = value ? get_setting(s, p, 0, &v) : RQ_ERR_INVALID_ARGUMENT;
    if (st == RQ_OK)
        *value = (int64_t)v;
    return st;
}

rq_status rq_session_get_double(const rq_session *s, rq_session_param p, double *value)
{
    return get_setting(s, p, 1, value);
}

rq_status rq_session_set_progress(rq_session *s, rq_progress_fn fn, void *user)
{
    if (!s)
        return RQ_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&s->lock);
    s->progress = fn;
    s->progress_user = user;
    pthread_mutex_unlock(&s->lock);
    return RQ_OK;
}

rq_status rq_session_last_error(const rq_session *s, const char **message)
{
    if (!s || !message)
        return RQ_ERR_INVALID_ARGUMENT;
    *message = s->last_error;
    return RQ_OK;
}

rq_status rq_session_destroy(rq_session *s)
{
    if (s) {
        rq_budget_destroy(&s->budget);
        rq_context_unhold(s->ctx);
        pthread_cond_destroy(&s->slot_freed);
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
    return RQ_OK;
}

rq_status rq_session_fail(rq_session *s, rq_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&s->lock);
    vsnprintf(s->last_error, sizeof s->last_error, fmt, ap);
    pthread_mutex_unlock(&s->lock);
    va_end(ap);
    return status;
}

void rq_session_clear_error(rq_session *s)
{
    pthread_mutex_lock(&s->lock);
    s->last_error[0] = '\0';
    pthread_mutex_unlock(&s->lock);
}

rq_status rq_session_memory(const rq_session *s, rq_memory_usage *out)
{
    if (!s || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_budget_read((rq_budget *)&s->budget, &out->limit, &out->charged, &out->peak);
    return RQ_OK;
}

rq_status rq_session_cancel(rq_session *s)
{
    if (!s)
        return RQ_ERR_INVALID_ARGUMENT;
    atomic_fetch_add(&s->cancel_generation, 1);
    pthread_mutex_lock(&s->lock);
    pthread_cond_broadcast(&s->slot_freed); /* jobs waiting for a slot give up too */
    pthread_mutex_unlock(&s->lock);
    return RQ_OK;
}

uint32_t rq_session_alignment(const rq_session_settings *c)
{
    return c->symbol_size >= 64 ? 8 : 1;
}

uint32_t rq_session_symbol_size(const rq_session_settings *c)
{
    uint32_t al = rq_session_alignment(c);
    return c->symbol_size - c->symbol_size % al;
}

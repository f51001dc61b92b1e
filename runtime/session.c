/*
 * Sessions: validated run-time configuration, shared by the jobs started on
 * them, with the last failure's message kept for the caller.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/session_internal.h"

#define MIB (1024ull * 1024ull)

rq_status rq_session_config_default(rq_session_config *out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->symbol_size = 65535;
    out->redundancy = 1.5;
    out->memory_budget = 256 * MIB;
    out->concurrency_limit = 4;
    out->threads = 0;
    out->placement = RQ_PLACEMENT_COMPACT;
    out->fail_fast = 0;
    out->block_size = 0;
    out->overwrite = 0;
    return RQ_OK;
}

/* Names the first bad field in msg; RQ_OK when all are in range. */
static rq_status check_config(const rq_session_config *c, char *msg, size_t len)
{
    if (c->symbol_size == 0 || c->symbol_size > RQ_MAX_SYMBOL_SIZE) {
        snprintf(msg, len, "symbol_size %u is out of range 1..65535", c->symbol_size);
        return RQ_ERR_CONFIG;
    }
    if (!isfinite(c->redundancy) || c->redundancy < 1.0 || c->redundancy > 1000.0) {
        snprintf(msg, len, "redundancy %g is out of range 1..1000", c->redundancy);
        return RQ_ERR_CONFIG;
    }
    if (c->memory_budget < RQ_MIN_MEMORY_BUDGET) {
        snprintf(msg, len, "memory_budget %llu bytes is below the minimum of 8 MiB",
                 (unsigned long long)c->memory_budget);
        return RQ_ERR_CONFIG;
    }
    if (c->concurrency_limit == 0 || c->concurrency_limit > 1024) {
        snprintf(msg, len, "concurrency_limit %u is out of range 1..1024", c->concurrency_limit);
        return RQ_ERR_CONFIG;
    }
    if (c->threads > 4096) {
        snprintf(msg, len, "threads %u is out of range 0..4096 (0 = one per core)", c->threads);
        return RQ_ERR_CONFIG;
    }
    if (c->placement != RQ_PLACEMENT_COMPACT && c->placement != RQ_PLACEMENT_SPREAD &&
        c->placement != RQ_PLACEMENT_NONE) {
        snprintf(msg, len, "placement %d is not one of compact (0), spread (1), none (2)",
                 (int)c->placement);
        return RQ_ERR_CONFIG;
    }
    if (c->fail_fast != 0 && c->fail_fast != 1) {
        snprintf(msg, len, "fail_fast %d is neither 0 (wait) nor 1 (fail at once)", c->fail_fast);
        return RQ_ERR_CONFIG;
    }
    if (c->block_size > RQ_MAX_TRANSFER_LENGTH) {
        snprintf(msg, len, "block_size %llu is above the RaptorQ object limit %llu",
                 (unsigned long long)c->block_size, (unsigned long long)RQ_MAX_TRANSFER_LENGTH);
        return RQ_ERR_CONFIG;
    }
    return RQ_OK;
}

rq_status rq_session_config_check(const rq_session_config *config, char *msg, size_t msg_len)
{
    if (!config)
        return RQ_ERR_INVALID_ARGUMENT;
    char local[256];
    rq_status st = check_config(config, local, sizeof local);
    if (st != RQ_OK && msg && msg_len)
        snprintf(msg, msg_len, "%s", local);
    return st;
}

rq_status rq_session_create(const rq_session_config *config, rq_session **out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_session_config def;
    if (!config) {
        rq_session_config_default(&def);
        config = &def;
    }
    char msg[256];
    if (check_config(config, msg, sizeof msg) != RQ_OK)
        return RQ_ERR_CONFIG;
    rq_session *s = calloc(1, sizeof *s);
    if (!s)
        return RQ_ERR_NO_MEMORY;
    s->config = *config;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->slot_freed, NULL);
    atomic_init(&s->cancel_generation, 0);
    rq_budget_init(&s->budget, config->memory_budget);
    *out = s;
    return RQ_OK;
}

rq_status rq_session_configure(rq_session *s, const rq_session_config *config)
{
    if (!s || !config)
        return RQ_ERR_INVALID_ARGUMENT;
    char msg[256];
    rq_status st = check_config(config, msg, sizeof msg);
    if (st != RQ_OK)
        return rq_session_fail(s, st, "%s", msg);
    pthread_mutex_lock(&s->lock);
    s->config = *config;
    s->last_error[0] = '\0';
    pthread_cond_broadcast(&s->slot_freed); /* a higher concurrency limit lets waiters in */
    pthread_mutex_unlock(&s->lock);
    rq_budget_set_limit(&s->budget, config->memory_budget);
    return RQ_OK;
}

rq_status rq_session_get_config(const rq_session *s, rq_session_config *out)
{
    if (!s || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock((pthread_mutex_t *)&s->lock);
    *out = s->config;
    pthread_mutex_unlock((pthread_mutex_t *)&s->lock);
    return RQ_OK;
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

uint32_t rq_session_alignment(const rq_session_config *c)
{
    return c->symbol_size >= 64 ? 8 : 1;
}

uint32_t rq_session_symbol_size(const rq_session_config *c)
{
    uint32_t al = rq_session_alignment(c);
    return c->symbol_size - c->symbol_size % al;
}

/* Chunks: their OTI, repair count and recommended size (see chunk_policy.h). */
#include "runtime/chunk_policy.h"

#include <math.h>

#include "core/params.h"
#include "runtime/job_memory.h"
#include "runtime/session_internal.h"
#include "runtime/units.h"

#define WS_DEFAULT (10ull * RQ_MIB)

rq_status rq_chunk_oti(const rq_session_settings *cfg, uint64_t size, rq_oti *oti)
{
    if (cfg->format == RQ_FORMAT_RQ_LIBRARY)
        return rq_oti_with_defaults(size, cfg->symbol_size, oti);
    /* The usual 10 MiB receiver working memory, less when the budget is small:
     * a sub-block then still fits one pass (rows + pass buffer ~ 2.1x). */
    uint64_t ws = cfg->memory_budget / 3 < WS_DEFAULT ? cfg->memory_budget / 3 : WS_DEFAULT;
    uint32_t al = rq_session_alignment(cfg);
    return rq_oti_derive(size, cfg->symbol_size, ws, al, al, oti);
}

/* rq-library's rule, in its own arithmetic (doubles, then ceil), so every count agrees. */
static uint64_t rq_library_repairs(const rq_session_settings *cfg, uint64_t size)
{
    if (size <= cfg->symbol_size)
        return (uint64_t)ceil(cfg->redundancy);
    double n = ceil((double)size * (cfg->redundancy - 1.0) / (double)cfg->symbol_size);
    return n > 0 ? (uint64_t)n : 0;
}

uint64_t rq_chunk_repair_count(const rq_session_settings *cfg, uint64_t size, uint32_t T)
{
    if (cfg->format == RQ_FORMAT_RQ_LIBRARY)
        return rq_library_repairs(cfg, size);
    /* The rule of existing deployments: R repair symbols for a one-symbol
     * block, else enough to carry times the block. */
    if (size <= T)
        return (uint64_t)ceil(cfg->redundancy);
    return (uint64_t)ceil((double)size * (cfg->redundancy - 1.0) / (double)T - 1e-9);
}

/* Whether a chunk of `bytes` is coded (and decoded) in one pass per block within the budget. */
static int chunk_fits(const rq_session_settings *cfg, uint64_t bytes)
{
    rq_oti oti;
    if (rq_chunk_oti(cfg, bytes, &oti) != RQ_OK)
        return 0;
    rq_block_layout bl;
    rq_block_constants c;
    rq_oti_block_layout(&oti, 0, &bl); /* the first blocks are the largest */
    if (rq_params_for(bl.source_symbols, &c) != RQ_OK)
        return 0;
    /* Decoding reads a few symbols more than K; 1 MiB is left for the rest of the job.
     * With the default parameters: the layout must not depend on tuning. */
    uint64_t need = rq_job_single_pass_bytes(NULL, &c, oti.symbol_size, RQ_RECOMMEND_WORKERS,
                                             c.K_prime + RQ_DECODE_EXTRA_SYMBOLS);
    return need + RQ_MIB <= cfg->memory_budget;
}

uint64_t rq_chunk_recommended(const rq_session_settings *cfg)
{
    uint64_t T = rq_session_symbol_size(cfg);
    uint64_t lo = 1, hi = (1ull << 30) / T;
    if (hi < 1)
        hi = 1;
    while (lo < hi) { /* the most symbols that fit; the need grows with the chunk */
        uint64_t mid = (lo + hi + 1) / 2;
        if (chunk_fits(cfg, mid * T))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo * T;
}

/* rq-library's rule: the whole file below budget / 1.5, else a quarter of that in whole symbols. */
static uint64_t rq_library_chunk_size(const rq_session_settings *cfg, uint64_t file_size)
{
    uint64_t safe = (uint64_t)((double)cfg->memory_budget / 1.5);
    if (file_size < safe)
        return file_size ? file_size : 1;
    uint64_t symbols = safe / 4 / cfg->symbol_size;
    return (symbols ? symbols : 1) * cfg->symbol_size;
}

uint64_t rq_chunk_size_for(const rq_session_settings *cfg, uint64_t file_size)
{
    if (cfg->format == RQ_FORMAT_RQ_LIBRARY)
        return rq_library_chunk_size(cfg, file_size);
    uint64_t chunk = rq_chunk_recommended(cfg);
    return file_size < chunk ? (file_size ? file_size : chunk) : chunk;
}

rq_status rq_recommended_block_size(const rq_session *s, uint64_t file_size, uint64_t *out)
{
    if (!s || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_session_settings cfg;
    rq_session_settings_get(s, &cfg);
    *out = rq_chunk_size_for(&cfg, file_size);
    return RQ_OK;
}

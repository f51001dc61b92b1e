/* The default context, and the plain constructors that code in it. */
#include "runtime/default_context.h"

#include <pthread.h>

#include "core/context.h"
#include "rq/rq_ec.h"
#include "runtime/dispatch.h"
#include "runtime/topology.h"

static rq_context default_ctx;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void make_default(void)
{
    const rq_kernels *k = NULL;
    const char *why;
    rq_dispatch_kernels(RQ_BACKEND_AUTO, &k, &why); /* scalar always passes */
    rq_context_init(&default_ctx, k);
    default_ctx.is_default = 1;
    default_ctx.llc_bytes = rq_topology_last_cache_bytes(rq_topology_system());
}

rq_context *rq_default_context(void)
{
    pthread_once(&default_once, make_default);
    return &default_ctx;
}

const rq_kernels *rq_default_context_kernels(void)
{
    return rq_context_kernels(rq_default_context());
}

rq_status rq_context_default(rq_context **out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    *out = rq_default_context();
    return RQ_OK;
}

rq_status rq_encoder_create(rq_encoder **out, uint32_t source_symbols, size_t symbol_size,
                            const uint8_t *source, size_t source_len)
{
    return rq_encoder_create_in(rq_default_context(), out, source_symbols, symbol_size, source,
                                source_len);
}

rq_status rq_decoder_create(rq_decoder **out, uint32_t source_symbols, size_t symbol_size)
{
    return rq_decoder_create_in(rq_default_context(), out, source_symbols, symbol_size);
}

rq_status rq_ec_coder_create(rq_ec_coder **out, uint32_t k, uint32_t m, rq_ec_scheme scheme)
{
    return rq_ec_coder_create_in(rq_default_context(), out, k, m, scheme);
}

rq_status rq_object_encoder_create(rq_object_encoder **out, const rq_oti *oti,
                                   const uint8_t *data, size_t data_len)
{
    return rq_object_encoder_create_in(rq_default_context(), out, oti, data, data_len);
}

rq_status rq_object_decoder_create(rq_object_decoder **out, const rq_oti *oti)
{
    return rq_object_decoder_create_in(rq_default_context(), out, oti);
}

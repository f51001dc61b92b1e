/* Packets of a whole object held in memory, one source block at a time. */
#include <stdlib.h>

#include "core/context.h"
#include "core/sub_blocks.h"
#include "rq/rq.h"

struct rq_object_encoder {
    rq_context *ctx;
    rq_oti oti;
    const uint8_t *data;
    rq_encoder *block;  /* encoder of source block block_sbn, or NULL */
    uint32_t block_sbn;
};

rq_status rq_object_encoder_create_in(rq_context *ctx, rq_object_encoder **out,
                                      const rq_oti *oti, const uint8_t *data, size_t data_len)
{
    if (!ctx || !out || !oti || !data)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!rq_context_kernels(ctx))
        return RQ_ERR_BACKEND_UNAVAILABLE;
    rq_status st = rq_oti_validate(oti);
    if (st != RQ_OK)
        return st;
    if (data_len != oti->transfer_length)
        return RQ_ERR_BUFFER_SIZE;
    rq_object_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return RQ_ERR_NO_MEMORY;
    e->ctx = ctx;
    rq_context_hold(ctx);
    e->oti = *oti;
    e->data = data;
    *out = e;
    return RQ_OK;
}

static rq_status load_block(rq_object_encoder *e, uint32_t sbn)
{
    rq_block_layout block;
    rq_status st = rq_oti_block_layout(&e->oti, sbn, &block);
    if (st != RQ_OK)
        return st;
    size_t T = e->oti.symbol_size;
    uint8_t *symbols = malloc((size_t)block.source_symbols * T);
    if (!symbols)
        return RQ_ERR_NO_MEMORY;
    rq_block_gather(&e->oti, &block, e->data, symbols);
    rq_encoder *enc;
    st = rq_encoder_create_in(e->ctx, &enc, block.source_symbols, T, symbols,
                           (size_t)block.source_symbols * T);
    free(symbols);
    if (st != RQ_OK)
        return st;
    rq_encoder_destroy(e->block);
    e->block = enc;
    e->block_sbn = sbn;
    return RQ_OK;
}

rq_status rq_object_encoder_packet(rq_object_encoder *e, uint32_t sbn, uint32_t esi,
                                   uint8_t *packet, size_t packet_len)
{
    if (!e || !packet)
        return RQ_ERR_INVALID_ARGUMENT;
    if (sbn >= e->oti.source_blocks)
        return RQ_ERR_SBN;
    if (esi > RQ_MAX_ESI)
        return RQ_ERR_ESI;
    if (packet_len != RQ_PAYLOAD_ID_SIZE + (size_t)e->oti.symbol_size)
        return RQ_ERR_BUFFER_SIZE;
    if (!e->block || e->block_sbn != sbn) {
        rq_status st = load_block(e, sbn);
        if (st != RQ_OK)
            return st;
    }
    rq_payload_id_write(sbn, esi, packet, RQ_PAYLOAD_ID_SIZE);
    return rq_encoder_symbol(e->block, esi, packet + RQ_PAYLOAD_ID_SIZE, e->oti.symbol_size);
}

rq_status rq_object_encoder_destroy(rq_object_encoder *e)
{
    if (e) {
        rq_encoder_destroy(e->block);
        rq_context_unhold(e->ctx);
        free(e);
    }
    return RQ_OK;
}

/* Reassembles an object from packets of all its source blocks, in any order. */
#include <stdlib.h>

#include "core/context.h"
#include "core/sub_blocks.h"
#include "rq/rq.h"

struct rq_object_decoder {
    rq_context *ctx;
    rq_oti oti;
    rq_decoder **blocks; /* created on a block's first packet */
    uint8_t *decoded;
};

rq_status rq_object_decoder_create_in(rq_context *ctx, rq_object_decoder **out, const rq_oti *oti)
{
    if (!ctx || !out || !oti)
        return RQ_ERR_INVALID_ARGUMENT;
    if (!rq_context_kernels(ctx))
        return RQ_ERR_BACKEND_UNAVAILABLE;
    rq_status st = rq_oti_validate(oti);
    if (st != RQ_OK)
        return st;
    rq_object_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return RQ_ERR_NO_MEMORY;
    d->ctx = ctx;
    rq_context_hold(ctx);
    d->oti = *oti;
    d->blocks = calloc(oti->source_blocks, sizeof *d->blocks);
    d->decoded = calloc(oti->source_blocks, 1);
    if (!d->blocks || !d->decoded) {
        rq_object_decoder_destroy(d);
        return RQ_ERR_NO_MEMORY;
    }
    *out = d;
    return RQ_OK;
}

rq_status rq_object_decoder_add_packet(rq_object_decoder *d, const uint8_t *packet,
                                       size_t packet_len)
{
    if (!d || !packet)
        return RQ_ERR_INVALID_ARGUMENT;
    size_t T = d->oti.symbol_size;
    if (packet_len != RQ_PAYLOAD_ID_SIZE + T)
        return RQ_ERR_PACKET_SIZE;
    uint32_t sbn, esi;
    rq_payload_id_read(packet, packet_len, &sbn, &esi);
    if (sbn >= d->oti.source_blocks)
        return RQ_ERR_SBN;
    if (d->decoded[sbn])
        return RQ_ALREADY_DECODED;
    if (!d->blocks[sbn]) {
        rq_block_layout block;
        rq_status st = rq_oti_block_layout(&d->oti, sbn, &block);
        if (st == RQ_OK)
            st = rq_decoder_create_in(d->ctx, &d->blocks[sbn], block.source_symbols, T);
        if (st != RQ_OK)
            return st;
    }
    rq_status st = rq_decoder_add_symbol(d->blocks[sbn], esi, packet + RQ_PAYLOAD_ID_SIZE, T);
    if (st != RQ_OK)
        return st;
    uint32_t needed;
    rq_decoder_symbols_needed(d->blocks[sbn], &needed);
    if (needed == 0) {
        rq_status ds = rq_decoder_decode(d->blocks[sbn]);
        if (ds == RQ_OK)
            d->decoded[sbn] = 1;
        else if (ds != RQ_ERR_NEED_MORE_SYMBOLS)
            return ds;
    }
    return RQ_OK;
}

rq_status rq_object_decoder_block_status(const rq_object_decoder *d, uint32_t sbn,
                                         rq_block_status *out)
{
    if (!d || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_block_layout block;
    rq_status st = rq_oti_block_layout(&d->oti, sbn, &block);
    if (st != RQ_OK)
        return st;
    out->source_symbols = block.source_symbols;
    out->decoded = d->decoded[sbn];
    out->held = 0;
    out->needed = block.source_symbols;
    if (d->blocks[sbn]) {
        rq_decoder_symbols_held(d->blocks[sbn], &out->held);
        rq_decoder_symbols_needed(d->blocks[sbn], &out->needed);
    }
    return RQ_OK;
}

rq_status rq_object_decoder_complete(const rq_object_decoder *d, int *complete)
{
    if (!d || !complete)
        return RQ_ERR_INVALID_ARGUMENT;
    *complete = 1;
    for (uint32_t b = 0; b < d->oti.source_blocks; b++)
        if (!d->decoded[b])
            *complete = 0;
    return RQ_OK;
}

rq_status rq_object_decoder_data(const rq_object_decoder *d, uint8_t *out, size_t out_len)
{
    if (!d || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    int complete;
    rq_object_decoder_complete(d, &complete);
    if (!complete)
        return RQ_ERR_NOT_DECODED;
    if (out_len != d->oti.transfer_length)
        return RQ_ERR_BUFFER_SIZE;
    size_t T = d->oti.symbol_size;
    for (uint32_t b = 0; b < d->oti.source_blocks; b++) {
        rq_block_layout block;
        rq_oti_block_layout(&d->oti, b, &block);
        size_t n = (size_t)block.source_symbols * T;
        uint8_t *symbols = malloc(n);
        if (!symbols)
            return RQ_ERR_NO_MEMORY;
        rq_decoder_source(d->blocks[b], symbols, n);
        rq_block_scatter(&d->oti, &block, symbols, out);
        free(symbols);
    }
    return RQ_OK;
}

rq_status rq_object_decoder_destroy(rq_object_decoder *d)
{
    if (d) {
        if (d->blocks)
            for (uint32_t b = 0; b < d->oti.source_blocks; b++)
                rq_decoder_destroy(d->blocks[b]);
        free(d->blocks);
        free(d->decoded);
        if (d->ctx)
            rq_context_unhold(d->ctx);
        free(d);
    }
    return RQ_OK;
}

/* Object Transmission Information: wire form, validation, derivation, layout. */
#include <string.h>

#include "core/params.h"
#include "rq/rq.h"

#define WS_DEFAULT (10u * 1024u * 1024u)

static uint64_t symbols_of(const rq_oti *oti)
{
    return (oti->transfer_length + oti->symbol_size - 1) / oti->symbol_size;
}

rq_status rq_oti_validate(const rq_oti *oti)
{
    if (!oti)
        return RQ_ERR_INVALID_ARGUMENT;
    if (oti->transfer_length == 0 || oti->transfer_length > RQ_MAX_TRANSFER_LENGTH)
        return RQ_ERR_TRANSFER_LENGTH;
    if (oti->symbol_size == 0 || oti->symbol_size > RQ_MAX_SYMBOL_SIZE)
        return RQ_ERR_SYMBOL_SIZE;
    if (oti->alignment == 0 || oti->alignment > 255 || oti->symbol_size % oti->alignment != 0)
        return RQ_ERR_ALIGNMENT;
    uint64_t kt = symbols_of(oti);
    if (oti->source_blocks == 0 || oti->source_blocks > RQ_MAX_SOURCE_BLOCKS ||
        oti->source_blocks > kt)
        return RQ_ERR_SOURCE_BLOCKS;
    if (oti->sub_blocks == 0 || oti->sub_blocks > oti->symbol_size / oti->alignment)
        return RQ_ERR_SUB_BLOCKS;
    if (rq_partition_of(kt, oti->source_blocks).il > RQ_MAX_SOURCE_SYMBOLS)
        return RQ_ERR_BLOCK_TOO_LARGE;
    return RQ_OK;
}

rq_status rq_oti_serialize(const rq_oti *oti, uint8_t *out, size_t out_len)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_status st = rq_oti_validate(oti);
    if (st != RQ_OK)
        return st;
    if (out_len != RQ_OTI_SIZE)
        return RQ_ERR_BUFFER_SIZE;
    uint64_t f = oti->transfer_length;
    for (int i = 0; i < 5; i++)
        out[i] = (uint8_t)(f >> (8 * (4 - i)));
    out[5] = 0;
    out[6] = (uint8_t)(oti->symbol_size >> 8);
    out[7] = (uint8_t)oti->symbol_size;
    out[8] = (uint8_t)oti->source_blocks;
    out[9] = (uint8_t)(oti->sub_blocks >> 8);
    out[10] = (uint8_t)oti->sub_blocks;
    out[11] = (uint8_t)oti->alignment;
    return RQ_OK;
}

rq_status rq_oti_parse(const uint8_t *in, size_t in_len, rq_oti *out)
{
    if (!in || !out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (in_len != RQ_OTI_SIZE)
        return RQ_ERR_OTI_LENGTH;
    rq_oti oti;
    oti.transfer_length = 0;
    for (int i = 0; i < 5; i++)
        oti.transfer_length = (oti.transfer_length << 8) | in[i];
    oti.symbol_size = (uint32_t)in[6] << 8 | in[7];
    oti.source_blocks = in[8];
    oti.sub_blocks = (uint32_t)in[9] << 8 | in[10];
    oti.alignment = in[11];
    /* F is checked first so that a wholly wrong buffer reports its first field. */
    if (oti.transfer_length == 0 || oti.transfer_length > RQ_MAX_TRANSFER_LENGTH)
        return RQ_ERR_TRANSFER_LENGTH;
    if (in[5] != 0)
        return RQ_ERR_OTI_RESERVED;
    rq_status st = rq_oti_validate(&oti);
    if (st != RQ_OK)
        return st;
    *out = oti;
    return RQ_OK;
}

/* KL(n) of RFC 6330 §4.3: largest K' with K' <= WS / (Al * ceil(T / (Al*n))). */
static uint32_t largest_block(uint64_t ws, uint32_t al, uint32_t t, uint32_t n)
{
    uint64_t sub_symbol_units = (t + (uint64_t)al * n - 1) / ((uint64_t)al * n);
    return rq_params_k_prime_at_most(ws / ((uint64_t)al * sub_symbol_units));
}

rq_status rq_oti_derive(uint64_t transfer_length, uint32_t max_payload, uint64_t working_memory,
                        uint32_t alignment, uint32_t min_sub_symbols, rq_oti *out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (transfer_length == 0 || transfer_length > RQ_MAX_TRANSFER_LENGTH)
        return RQ_ERR_TRANSFER_LENGTH;
    if (alignment == 0 || alignment > 255)
        return RQ_ERR_ALIGNMENT;
    if (max_payload > RQ_MAX_SYMBOL_SIZE)
        max_payload = RQ_MAX_SYMBOL_SIZE;
    uint32_t t = max_payload - max_payload % alignment;
    if (t == 0)
        return RQ_ERR_SYMBOL_SIZE;
    if (min_sub_symbols == 0)
        return RQ_ERR_PARAMETERS;
    uint64_t kt = (transfer_length + t - 1) / t;
    /* In 64 bits: min_sub_symbols * alignment wraps to 0 in 32 for hostile values. */
    uint64_t sub_symbol_min = (uint64_t)min_sub_symbols * alignment;
    uint32_t n_max = (uint32_t)(t / sub_symbol_min);
    if (n_max == 0)
        return RQ_ERR_PARAMETERS;
    uint32_t kl_max = largest_block(working_memory, alignment, t, n_max);
    if (kl_max == 0)
        return RQ_ERR_PARAMETERS;
    uint64_t z = (kt + kl_max - 1) / kl_max;
    if (z > RQ_MAX_SOURCE_BLOCKS)
        return RQ_ERR_PARAMETERS;
    uint64_t per_block = (kt + z - 1) / z;
    uint32_t n = n_max;
    for (uint32_t cand = 1; cand <= n_max; cand++) {
        if (per_block <= largest_block(working_memory, alignment, t, cand)) {
            n = cand;
            break;
        }
    }
    rq_oti oti = {transfer_length, t, (uint32_t)z, n, alignment};
    rq_status st = rq_oti_validate(&oti);
    if (st != RQ_OK)
        return st;
    *out = oti;
    return RQ_OK;
}

rq_status rq_oti_with_defaults(uint64_t transfer_length, uint32_t max_payload, rq_oti *out)
{
    uint32_t al = max_payload >= 64 ? 8 : 1;
    return rq_oti_derive(transfer_length, max_payload, WS_DEFAULT, al, al, out);
}

rq_status rq_oti_object_layout(const rq_oti *oti, rq_object_layout *out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_status st = rq_oti_validate(oti);
    if (st != RQ_OK)
        return st;
    uint64_t kt = symbols_of(oti);
    rq_partition blocks = rq_partition_of(kt, oti->source_blocks);
    rq_partition subs = rq_partition_of(oti->symbol_size / oti->alignment, oti->sub_blocks);
    out->symbols = kt;
    out->large_block_symbols = (uint32_t)blocks.il;
    out->small_block_symbols = (uint32_t)blocks.is;
    out->large_blocks = (uint32_t)blocks.jl;
    out->small_blocks = (uint32_t)blocks.js;
    out->large_sub_symbol_size = (uint32_t)subs.il * oti->alignment;
    out->small_sub_symbol_size = (uint32_t)subs.is * oti->alignment;
    out->large_sub_blocks = (uint32_t)subs.jl;
    out->small_sub_blocks = (uint32_t)subs.js;
    return RQ_OK;
}

rq_status rq_oti_block_layout(const rq_oti *oti, uint32_t sbn, rq_block_layout *out)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    rq_object_layout lay;
    rq_status st = rq_oti_object_layout(oti, &lay);
    if (st != RQ_OK)
        return st;
    if (sbn >= oti->source_blocks)
        return RQ_ERR_SBN;
    uint64_t first_symbol;
    uint32_t k;
    if (sbn < lay.large_blocks) {
        k = lay.large_block_symbols;
        first_symbol = (uint64_t)sbn * k;
    } else {
        k = lay.small_block_symbols;
        first_symbol = (uint64_t)lay.large_blocks * lay.large_block_symbols +
                       (uint64_t)(sbn - lay.large_blocks) * k;
    }
    out->source_symbols = k;
    out->padded_symbols = rq_params_k_prime(k);
    out->offset = first_symbol * oti->symbol_size;
    uint64_t full = (uint64_t)k * oti->symbol_size;
    uint64_t left = oti->transfer_length - out->offset;
    out->length = left < full ? left : full;
    return RQ_OK;
}

rq_status rq_payload_id_write(uint32_t sbn, uint32_t esi, uint8_t *out, size_t out_len)
{
    if (!out)
        return RQ_ERR_INVALID_ARGUMENT;
    if (sbn > 255)
        return RQ_ERR_SBN;
    if (esi > RQ_MAX_ESI)
        return RQ_ERR_ESI;
    if (out_len < RQ_PAYLOAD_ID_SIZE)
        return RQ_ERR_BUFFER_SIZE;
    out[0] = (uint8_t)sbn;
    out[1] = (uint8_t)(esi >> 16);
    out[2] = (uint8_t)(esi >> 8);
    out[3] = (uint8_t)esi;
    return RQ_OK;
}

rq_status rq_payload_id_read(const uint8_t *in, size_t in_len, uint32_t *sbn, uint32_t *esi)
{
    if (!in || !sbn || !esi)
        return RQ_ERR_INVALID_ARGUMENT;
    if (in_len < RQ_PAYLOAD_ID_SIZE)
        return RQ_ERR_PACKET_SIZE;
    *sbn = in[0];
    *esi = (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
    return RQ_OK;
}

/* Interleaving between a block's bytes and its symbols. */
#include "core/sub_blocks.h"

#include <string.h>

#include "core/params.h"

typedef void (*move_fn)(uint8_t *symbols, size_t sym_off, uint8_t *object, uint64_t obj_off,
                        size_t n, uint64_t obj_end);

/* Bytes of the block past the object's end are zero padding. */
static void gather_piece(uint8_t *symbols, size_t sym_off, uint8_t *object, uint64_t obj_off,
                         size_t n, uint64_t obj_end)
{
    size_t real = obj_off >= obj_end ? 0 : (size_t)(obj_end - obj_off < n ? obj_end - obj_off : n);
    memcpy(symbols + sym_off, object + obj_off, real);
    memset(symbols + sym_off + real, 0, n - real);
}

static void scatter_piece(uint8_t *symbols, size_t sym_off, uint8_t *object, uint64_t obj_off,
                          size_t n, uint64_t obj_end)
{
    size_t real = obj_off >= obj_end ? 0 : (size_t)(obj_end - obj_off < n ? obj_end - obj_off : n);
    memcpy(object + obj_off, symbols + sym_off, real);
}

static void walk(const rq_oti *oti, const rq_block_layout *block, uint8_t *symbols,
                 uint8_t *object, move_fn move)
{
    uint32_t K = block->source_symbols;
    size_t T = oti->symbol_size;
    rq_partition subs = rq_partition_of(oti->symbol_size / oti->alignment, oti->sub_blocks);
    uint64_t obj_end = block->offset + block->length;
    uint64_t sub_block_start = block->offset;
    size_t in_symbol = 0;
    for (uint32_t j = 0; j < oti->sub_blocks; j++) {
        size_t sub = (size_t)(j < subs.jl ? subs.il : subs.is) * oti->alignment;
        for (uint32_t i = 0; i < K; i++)
            move(symbols, (size_t)i * T + in_symbol, object, sub_block_start + (uint64_t)i * sub,
                 sub, obj_end);
        sub_block_start += (uint64_t)K * sub;
        in_symbol += sub;
    }
}

void rq_block_gather(const rq_oti *oti, const rq_block_layout *block, const uint8_t *object,
                     uint8_t *symbols)
{
    /* walk() is shared by both directions; gather only reads the object. */
    walk(oti, block, symbols, (uint8_t *)(uintptr_t)object, gather_piece);
}

void rq_block_scatter(const rq_oti *oti, const rq_block_layout *block, const uint8_t *symbols,
                      uint8_t *object)
{
    walk(oti, block, (uint8_t *)(uintptr_t)symbols, object, scatter_piece);
}

/* Pass planning and the byte shuffles between a pass buffer and symbol rows. */
#include "runtime/block_passes.h"

#include <string.h>

#include "core/params.h"
#include "core/plan.h"

void rq_sub_block_span(const rq_oti *oti, uint32_t j, size_t *offset, size_t *width)
{
    rq_partition p = rq_partition_of(oti->symbol_size / oti->alignment, oti->sub_blocks);
    size_t large = (size_t)p.il * oti->alignment, small = (size_t)p.is * oti->alignment;
    if (j < p.jl) {
        *offset = (size_t)j * large;
        *width = large;
    } else {
        *offset = (size_t)p.jl * large + (size_t)(j - p.jl) * small;
        *width = small;
    }
}

static uint64_t pass_bytes(size_t w, uint64_t bytes_per_width, uint32_t strided_rows)
{
    return (uint64_t)w * bytes_per_width + (uint64_t)strided_rows * (rq_row_stride(w) - w);
}

size_t rq_plan_passes(const rq_oti *oti, uint64_t bytes_per_width, uint32_t strided_rows,
                      uint64_t budget, rq_pass *out, uint64_t *need)
{
    size_t n = 0;
    uint32_t j = 0;
    while (j < oti->sub_blocks) {
        size_t off, w;
        rq_sub_block_span(oti, j, &off, &w);
        if (pass_bytes(w, bytes_per_width, strided_rows) > budget) {
            *need = pass_bytes(w, bytes_per_width, strided_rows);
            return 0;
        }
        rq_pass p = {j, j + 1, off, w};
        for (j++; j < oti->sub_blocks; j++) {
            size_t off2, w2;
            rq_sub_block_span(oti, j, &off2, &w2);
            if (pass_bytes(p.width + w2, bytes_per_width, strided_rows) > budget)
                break;
            p.width += w2;
            p.end_sub = j + 1;
        }
        out[n++] = p;
    }
    return n;
}

void rq_row_to_pass(const rq_oti *oti, const rq_pass *pass, uint32_t k, uint32_t i,
                    const uint8_t *row, uint8_t *buf)
{
    for (uint32_t j = pass->first_sub; j < pass->end_sub; j++) {
        size_t off, w;
        rq_sub_block_span(oti, j, &off, &w);
        memcpy(buf + (size_t)k * (off - pass->w0) + (size_t)i * w, row + (off - pass->w0), w);
    }
}

/* Copies (or zeroes) one run of a symbol's bytes. */
static void put_run(uint8_t *dst, const uint8_t *src, size_t len)
{
    if (src)
        memcpy(dst, src, len);
    else
        memset(dst, 0, len);
}

void rq_pass_range_to_rows(const rq_oti *oti, const rq_pass *pass, uint32_t k, size_t from,
                           const uint8_t *src, size_t len, uint8_t *rows, size_t row_stride,
                           const rq_plan *plan)
{
    size_t end = from + len;
    for (uint32_t j = pass->first_sub; j < pass->end_sub && from < end; j++) {
        size_t off, w;
        rq_sub_block_span(oti, j, &off, &w);
        size_t base = (size_t)k * (off - pass->w0), top = base + (size_t)k * w;
        for (size_t at = from > base ? from : base; at < end && at < top;) {
            size_t i = (at - base) / w, in = (at - base) % w;
            size_t run = w - in < end - at ? w - in : end - at;
            uint8_t *row = rows + (size_t)rq_plan_input_row(plan, (uint32_t)i) * row_stride;
            put_run(row + (off - pass->w0) + in, src ? src + (at - from) : NULL, run);
            at += run;
        }
    }
}

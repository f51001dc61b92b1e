/*
 * Layering check: this program links only the core and backend objects (no
 * runtime: no dispatch, no default context, no files). It makes a context on
 * the scalar kernels, encodes a block, decodes it from a mix of source and
 * repair symbols, and exits 0 if the bytes come back. If core called into
 * runtime, it would not link.
 */
#include <stdio.h>
#include <string.h>

#include "backends/kernels.h"
#include "core/context.h"

enum { K = 50, T = 64 };

int main(void)
{
    static uint8_t source[K * T], decoded[K * T], symbol[T];
    for (size_t i = 0; i < sizeof source; i++)
        source[i] = (uint8_t)(i * 131u + 7u);
    rq_context *ctx = NULL;
    rq_encoder *enc = NULL;
    rq_decoder *dec = NULL;
    if (rq_context_create_with(rq_kernels_scalar(), &ctx) != RQ_OK ||
        rq_encoder_create_in(ctx, &enc, K, T, source, sizeof source) != RQ_OK ||
        rq_decoder_create_in(ctx, &dec, K, T) != RQ_OK) {
        fprintf(stderr, "layering: could not create the coders\n");
        return 1;
    }
    /* Every fourth source symbol lost; repair symbols instead. */
    for (uint32_t esi = 0; esi < K + K / 4 + 2; esi++) {
        if (esi < K && esi % 4 == 0)
            continue;
        if (rq_encoder_symbol(enc, esi, symbol, T) != RQ_OK ||
            rq_decoder_add_symbol(dec, esi, symbol, T) != RQ_OK) {
            fprintf(stderr, "layering: symbol %u\n", esi);
            return 1;
        }
    }
    int ok = rq_decoder_decode(dec) == RQ_OK &&
             rq_decoder_source(dec, decoded, sizeof decoded) == RQ_OK &&
             memcmp(decoded, source, sizeof source) == 0;
    rq_decoder_destroy(dec);
    rq_encoder_destroy(enc);
    if (rq_context_free(ctx) != RQ_OK)
        ok = 0;
    printf("layering: core + backends %s\n", ok ? "encode and decode a block" : "FAILED");
    return ok ? 0 : 1;
}

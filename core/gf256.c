/* GF(256) tables, built once from the field polynomial (RFC 6330 §5.7). */
#include "core/gf256.h"

#include <pthread.h>

static uint8_t exp_table[510];
static uint8_t log_table[256];
static uint8_t mul_table[256][256];

const uint8_t *const rq_gf_exp = exp_table;
const uint8_t *const rq_gf_log = log_table;
const uint8_t (*const rq_gf_mul_table)[256] = (const uint8_t (*)[256])mul_table;

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    unsigned x = 1;
    for (unsigned i = 0; i < 255; i++) {
        exp_table[i] = (uint8_t)x;
        exp_table[i + 255] = (uint8_t)x;
        log_table[x] = (uint8_t)i;
        x <<= 1;
        if (x & 0x100)
            x ^= 0x11D;
    }
    for (unsigned a = 1; a < 256; a++)
        for (unsigned b = 1; b < 256; b++)
            mul_table[a][b] = exp_table[log_table[a] + log_table[b]];
}

void rq_gf_init(void)
{
    pthread_once(&tables_once, build_tables);
}

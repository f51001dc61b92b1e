/* Split-nibble product tables, built once from the GF(256) product table. */
#include "backends/nibble_tables.h"

#include <pthread.h>

#include "core/gf256.h"

uint8_t rq_nibble_table[256][32];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build(void)
{
    rq_gf_init();
    for (unsigned c = 0; c < 256; c++)
        for (unsigned i = 0; i < 16; i++) {
            rq_nibble_table[c][i] = rq_gf_mul((uint8_t)c, (uint8_t)i);
            rq_nibble_table[c][16 + i] = rq_gf_mul((uint8_t)c, (uint8_t)(i << 4));
        }
}

void rq_nibble_tables_init(void)
{
    pthread_once(&tables_once, build);
}

/* Which symbol each layout entry is, and rebuilt symbols written under their names (see the header). */
#define _GNU_SOURCE
#include "runtime/symbol_repair.h"

#include <errno.h>
#include <string.h>

#include "core/params.h"
#include "runtime/fs_util.h"
#include "runtime/symbol_files.h"

/* How an encode shared a chunk's repairs between its source blocks. */
typedef enum repair_share { SHARE_BY_K = 0, SHARE_EQUAL = 1 } repair_share;

/* Repairs of block sbn under share, given the chunk's total and what is left of it. */
static uint64_t block_share(repair_share share, uint32_t sbn, uint32_t blocks, uint32_t K,
                            uint64_t source_total, uint64_t repair_total, uint64_t *left)
{
    uint64_t r = share == SHARE_EQUAL ? repair_total / blocks
                 : sbn + 1 == blocks  ? *left
                                      : (repair_total * K + source_total - 1) / source_total;
    r = r < *left ? r : *left;
    *left -= r;
    return r;
}

/* The slots under one way of sharing; 0 when the layout's entry count fits it. */
static int fill_slots(const rq_layout_block *lb, repair_share share, rq_symbol_slot *slots)
{
    rq_object_layout ol;
    if (rq_oti_object_layout(&lb->oti, &ol) != RQ_OK || lb->n_symbols < ol.symbols)
        return -1;
    uint32_t Z = lb->oti.source_blocks;
    uint64_t repairs = lb->n_symbols - ol.symbols;
    if (share == SHARE_EQUAL && repairs % Z != 0)
        return -1;
    uint64_t left = repairs;
    size_t at = 0;
    for (uint32_t sbn = 0; sbn < Z; sbn++) {
        rq_block_layout bl;
        rq_oti_block_layout(&lb->oti, sbn, &bl);
        uint64_t r = block_share(share, sbn, Z, bl.source_symbols, ol.symbols, repairs, &left);
        if ((uint64_t)bl.source_symbols + r > RQ_MAX_ESI + 1ull)
            return -1;
        for (uint64_t esi = 0; esi < bl.source_symbols + r; esi++)
            slots[at++] = (rq_symbol_slot){sbn, (uint32_t)esi};
    }
    return at == lb->n_symbols ? 0 : -1;
}

static int agrees(const rq_symbol_slot *slots, const size_t *known_index, const rq_symbol_slot *known,
                  size_t n_known)
{
    for (size_t i = 0; i < n_known; i++) {
        const rq_symbol_slot *s = &slots[known_index[i]];
        if (s->sbn != known[i].sbn || s->esi != known[i].esi)
            return 0;
    }
    return 1;
}

rq_status rq_layout_symbol_slots(const rq_layout_block *lb, const size_t *known_index,
                                 const rq_symbol_slot *known, size_t n_known, rq_symbol_slot *slots)
{
    for (int share = SHARE_BY_K; share <= SHARE_EQUAL; share++)
        if (fill_slots(lb, (repair_share)share, slots) == 0 && agrees(slots, known_index, known, n_known))
            return RQ_OK;
    return RQ_ERR_LAYOUT;
}

int rq_symbol_rebuild_open(rq_symbol_rebuild *r, const char *scratch_dir)
{
    return rq_temp_file_scratch(&r->staging, scratch_dir, "repair");
}

int rq_symbol_rebuild_put(const rq_symbol_rebuild *r, size_t m, const uint8_t *slice, size_t w0,
                          size_t width)
{
    return rq_pwrite_full(r->staging.fd, slice, width, (uint64_t)m * r->T + w0);
}

/* The staged symbol m into buf, and the name its packet hashes to. */
static int staged(const rq_symbol_rebuild *r, size_t m, uint8_t *buf, uint8_t payload_id[4],
                  char id[RQ_SYMBOL_ID_MAX])
{
    if (rq_pread_full(r->staging.fd, buf, r->T, (uint64_t)m * r->T) != 0)
        return -1;
    rq_payload_id_write(r->sbn, r->esis[m], payload_id, 4);
    rq_symbol_id_of_parts(r->blake3, payload_id, buf, r->T, id);
    return 0;
}

rq_rebuild_outcome rq_symbol_rebuild_commit(rq_symbol_rebuild *r, uint8_t *buf, size_t *which)
{
    uint8_t payload_id[4];
    char id[RQ_SYMBOL_ID_MAX];
    for (size_t m = 0; m < r->n; m++) {
        *which = m;
        if (staged(r, m, buf, payload_id, id) != 0)
            return RQ_REBUILD_IO;
        if (strcmp(id, r->ids[m]) != 0)
            return RQ_REBUILD_MISMATCH;
    }
    for (size_t m = 0; m < r->n; m++) {
        *which = m;
        if (staged(r, m, buf, payload_id, id) != 0 ||
            rq_symbol_file_write(r->blake3, r->dirs[m], payload_id, buf, r->T, id, 1) != 0)
            return RQ_REBUILD_IO;
    }
    return RQ_REBUILD_WRITTEN;
}

void rq_symbol_rebuild_discard(rq_symbol_rebuild *r)
{
    rq_temp_file_discard(&r->staging);
}

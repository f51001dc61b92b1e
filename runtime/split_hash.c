/* A BLAKE3 update in parallel pieces (see split_hash.h). */
#include "runtime/split_hash.h"

#include <stdlib.h>

rq_status rq_split_hash_begin(rq_split_hash *sh, rq_blake3 *h, const uint8_t *data, size_t len)
{
    sh->h = h;
    sh->data = data;
    sh->len = len;
    rq_blake3_split_update(h, len, &sh->split);
    sh->cvs = malloc((sh->split.subtrees + 1) * sizeof *sh->cvs);
    if (!sh->cvs)
        return RQ_ERR_NO_MEMORY;
    rq_blake3_update(h, data, sh->split.prefix);
    return RQ_OK;
}

size_t rq_split_hash_items(const rq_split_hash *sh)
{
    return sh->split.subtrees;
}

void rq_split_hash_item(rq_split_hash *sh, size_t i)
{
    rq_blake3_subtree(sh->h->impl, sh->data + sh->split.prefix + i * RQ_BLAKE3_SUBTREE_LEN, &sh->split, i,
                      sh->cvs[i]);
}

void rq_split_hash_end(rq_split_hash *sh)
{
    rq_blake3_push_subtrees(sh->h, &sh->split, (const uint32_t(*)[8])sh->cvs);
    size_t used = sh->split.prefix + sh->split.subtrees * RQ_BLAKE3_SUBTREE_LEN;
    rq_blake3_update(sh->h, sh->data + used, sh->len - used);
    rq_split_hash_abandon(sh);
}

void rq_split_hash_abandon(rq_split_hash *sh)
{
    free(sh->cvs);
    sh->cvs = NULL;
}

/* Repairing a chunk's symbol files (see chunk_repair.h). */
#define _GNU_SOURCE
#include "runtime/chunk_repair.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/block_rebuild.h"
#include "runtime/fs_util.h"
#include "runtime/symbol_repair.h"

/* The symbol files of chunk lb a repair writes, block by block (folders as in scan). */
typedef struct chunk_repair {
    rq_symbol_slot *slots;
    uint32_t *esis;
    const char **ids, **dirs;
    char folders[RQ_CHUNK_DIRS + 1][RQ_PATH_CAP]; /* scan's, then where missing files go */
    const char *missing_folder;                /* that one's name in the symbols dir */
} chunk_repair;

/*
 * The folder a chunk's missing files go into, relative to the symbols dir:
 * where its good files are, else the one the layout names, else
 * block_<index>, where encodes put them.
 */
static const char *chunk_folder_name(const rq_layout_block *lb, const rq_chunk_scan *scan)
{
    for (int d = 0; scan->n_held && d < scan->n_dirs; d++)
        if (scan->dirs[d] == scan->held[0].dir_fd)
            return scan->dir_names[d];
    return lb->dir[0] ? lb->dir : scan->alt;
}

/* Makes folder name (path: its full path) inside the symbols dir if absent; never a symbolic link. */
static rq_status make_chunk_folder(rq_decode_job *job, const char *name, const char *path)
{
    rq_session *s = job->job.s;
    struct stat st;
    if (!name[0])
        return RQ_OK;
    if (fstatat(job->sym_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && rq_make_dirs(path) != 0)
        return rq_session_fail(s, RQ_ERR_IO, "creating %s: %s", path, strerror(errno));
    if (fstatat(job->sym_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
        return rq_session_fail(s, RQ_ERR_IO, "%s is not a folder (a symbolic link is not written through)",
                               path);
    return RQ_OK;
}

/* Checks the staged symbols against their names and writes them. */
static rq_status commit_rebuild(rq_decode_job *job, const rq_layout_block *lb, rq_symbol_rebuild *rb)
{
    size_t which = 0;
    switch (rq_symbol_rebuild_commit(rb, job->mem.scratch, &which)) {
    case RQ_REBUILD_WRITTEN:
        return RQ_OK;
    case RQ_REBUILD_MISMATCH:
        return rq_session_fail(job->job.s, RQ_ERR_CORRUPT,
                               "block %s: symbol %u of source block %u was rebuilt to bytes that do not "
                               "hash to its name %s; nothing of that source block was written",
                               lb->block_id, rb->esis[which], rb->sbn, rb->ids[which]);
    default:
        return rq_session_fail(job->job.s, RQ_ERR_IO, "writing symbol file %s/%s: %s", rb->dirs[which],
                               rb->ids[which], strerror(errno));
    }
}

/* The (SBN, ESI) of every layout entry of the chunk, from the order its good files agree with. */
static rq_status chunk_slots(rq_decode_job *job, const rq_layout_block *lb, const rq_chunk_scan *scan,
                             rq_symbol_slot *slots)
{
    size_t *index = malloc((scan->n_held + 1) * sizeof *index);
    rq_symbol_slot *known = malloc((scan->n_held + 1) * sizeof *known);
    rq_status st = index && known ? RQ_OK : RQ_ERR_NO_MEMORY;
    for (size_t i = 0; st == RQ_OK && i < scan->n_held; i++) {
        index[i] = scan->held[i].index;
        known[i] = (rq_symbol_slot){scan->held[i].sbn, scan->held[i].esi};
    }
    if (st == RQ_OK && rq_layout_symbol_slots(lb, index, known, scan->n_held, slots) != RQ_OK)
        st = rq_session_fail(job->job.s, RQ_ERR_LAYOUT,
                             "block %s: cannot tell which symbols its missing and damaged files are: "
                             "the payload IDs of its good files fit neither librq's nor rq-library's "
                             "order of the layout's %zu entries", rq_chunk_name(lb), lb->n_symbols);
    free(index);
    free(known);
    return st;
}

/* The missing and damaged entries of source block sbn into rb: each damaged one where it was found. */
static void block_rebuild_list(const rq_layout_block *lb, const rq_chunk_scan *scan, chunk_repair *cr,
                               uint32_t sbn, rq_symbol_rebuild *rb)
{
    rb->n = 0;
    rb->sbn = sbn;
    rb->esis = cr->esis;
    rb->ids = cr->ids;
    rb->dirs = cr->dirs;
    for (size_t i = 0; i < lb->n_symbols; i++) {
        if (cr->slots[i].sbn != sbn || scan->state[i] == RQ_SYMBOL_GOOD)
            continue;
        cr->esis[rb->n] = cr->slots[i].esi;
        cr->ids[rb->n] = lb->symbols[i];
        cr->dirs[rb->n] = scan->state[i] == RQ_SYMBOL_CORRUPT ? cr->folders[scan->found_in[i]]
                                                              : cr->folders[RQ_CHUNK_DIRS];
        rb->n++;
    }
}

/* Stages source block sbn's lost symbols, then writes them under their names. */
static rq_status repair_block(rq_decode_job *job, const rq_layout_block *lb, uint32_t sbn,
                              rq_chunk_scan *scan, rq_blake3 *hash, const chunk_repair *cr,
                              rq_symbol_rebuild *rb, rq_chunk_report *report)
{
    int staged = 0;
    rq_status st = rq_block_process(job, lb, sbn, RQ_CHUNK_REPAIR, scan, hash, rb, &staged, report);
    if (st != RQ_OK || !staged)
        return st;
    /* The folder for missing files is made only once they are ready to be written. */
    int writes_missing = 0;
    for (size_t m = 0; m < rb->n; m++)
        writes_missing |= rb->dirs[m] == cr->folders[RQ_CHUNK_DIRS];
    if (writes_missing)
        st = make_chunk_folder(job, cr->missing_folder, cr->folders[RQ_CHUNK_DIRS]);
    if (st == RQ_OK)
        st = commit_rebuild(job, lb, rb);
    rq_symbol_rebuild_discard(rb);
    if (st == RQ_OK)
        report->rewritten += rb->n;
    return st;
}

rq_status rq_chunk_repair(rq_decode_job *job, const rq_layout_block *lb, rq_chunk_scan *scan,
                          rq_blake3 *hash, rq_chunk_report *report)
{
    uint64_t done_before = job->done;
    if (report->corrupt + report->missing == 0) {
        job->done += lb->size;
        return RQ_OK;
    }
    chunk_repair *cr = calloc(1, sizeof *cr);
    size_t n = lb->n_symbols + 1;
    rq_status st = cr ? RQ_OK : RQ_ERR_NO_MEMORY;
    if (st == RQ_OK) {
        cr->slots = malloc(n * sizeof *cr->slots);
        cr->esis = malloc(n * sizeof *cr->esis);
        cr->ids = malloc(n * sizeof *cr->ids);
        cr->dirs = malloc(n * sizeof *cr->dirs);
        st = cr->slots && cr->esis && cr->ids && cr->dirs ? RQ_OK : RQ_ERR_NO_MEMORY;
    }
    for (int d = 0; st == RQ_OK && d < scan->n_dirs; d++)
        if (rq_path_join(cr->folders[d], RQ_PATH_CAP, job->symbols_dir, scan->dir_names[d]) != 0)
            st = rq_session_fail(job->job.s, RQ_ERR_IO, "path too long: %s", job->symbols_dir);
    if (st == RQ_OK) {
        cr->missing_folder = chunk_folder_name(lb, scan);
        if (rq_path_join(cr->folders[RQ_CHUNK_DIRS], RQ_PATH_CAP, job->symbols_dir, cr->missing_folder) != 0)
            st = rq_session_fail(job->job.s, RQ_ERR_IO, "path too long: %s", job->symbols_dir);
    }
    if (st == RQ_OK)
        st = chunk_slots(job, lb, scan, cr->slots);
    for (uint32_t sbn = 0; st == RQ_OK && sbn < lb->oti.source_blocks; sbn++) {
        rq_symbol_rebuild rb = {.blake3 = job->job.blake3, .T = lb->oti.symbol_size};
        block_rebuild_list(lb, scan, cr, sbn, &rb);
        if (rb.n)
            st = repair_block(job, lb, sbn, scan, hash, cr, &rb, report);
    }
    job->done = done_before + lb->size;
    if (cr) {
        free(cr->slots);
        free(cr->esis);
        free(cr->ids);
        free(cr->dirs);
    }
    free(cr);
    return st;
}

/*
 * librq file level: encode a file into symbol files plus a layout file, and
 * rebuild the file from whatever symbol files survive, in bounded memory.
 *
 * Output of rq_encode_file(session, input, out_dir):
 *   out_dir/_raptorq_layout.json        how the file was cut (see README)
 *   out_dir/block_<n>/<id>              one file per encoding packet of chunk n:
 *                                       4-byte payload ID + T symbol bytes,
 *                                       named id = base58(BLAKE3(file content))
 * A file is cut into chunks of block_size bytes (independent RaptorQ objects);
 * each chunk gets ceil(size*(R-1)/T) repair symbols (R when it fits in one
 * symbol), R being the session's redundancy factor.
 *
 * Every output gets its final name only when complete (an unnamed file
 * linked under it, or a temporary name renamed), so a failed or interrupted
 * run leaves nothing under a final name; a failed or cancelled encode into
 * an empty directory also removes the symbol files it finished. Inputs
 * are never modified. On failure rq_session_last_error() says what went wrong.
 */
#ifndef RQ_RQ_FILE_H
#define RQ_RQ_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "rq/rq.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RQ_LAYOUT_FILE_NAME "_raptorq_layout.json"

/* Where a job's worker threads run (and so where their buffers live). */
typedef enum rq_placement {
    RQ_PLACEMENT_COMPACT = 0, /* fill NUMA node by node: one worker per core, SMT siblings last */
    RQ_PLACEMENT_SPREAD = 1,  /* deal workers round-robin over the NUMA nodes */
    RQ_PLACEMENT_NONE = 2     /* leave workers unbound; the OS places them */
} rq_placement;

/*
 * A session's settings, each set on its own through rq_session_set (whole
 * numbers) or rq_session_set_double (RQ_SESSION_REDUNDANCY), checked when
 * set; a refused value leaves the old one and rq_session_last_error names
 * the setting. Jobs take a copy of the settings when they start.
 */
typedef enum rq_session_param {
    /* Largest symbol in bytes (P'); symbols are P' rounded down to a multiple
     * of 8 (of 1 below 64). 1..65535, default 65535, i.e. T = 65528. */
    RQ_SESSION_SYMBOL_SIZE = 1,
    /* Redundancy factor R (a double, fractional allowed). 1..1000, default 1.5. */
    RQ_SESSION_REDUNDANCY = 2,
    /* Bytes of buffers, plans and matrices the session's running jobs may
     * hold together (each job also charges the process budget, see
     * rq_process_set_memory_budget). >= RQ_MIN_MEMORY_BUDGET, default 256 MiB. */
    RQ_SESSION_MEMORY_BUDGET = 3,
    /* Jobs this session runs at once. 1..1024, default 4. */
    RQ_SESSION_CONCURRENCY_LIMIT = 4,
    /* Worker threads per job; 0 = one per core. 0..4096, default 0. */
    RQ_SESSION_THREADS = 5,
    /* Where workers run: an rq_placement. Default RQ_PLACEMENT_COMPACT. */
    RQ_SESSION_PLACEMENT = 6,
    /* When a job finds no free slot (concurrency limit) or not enough of the
     * memory budget (session's or process's): 0 = wait until another job
     * returns them, 1 = fail at once with RQ_ERR_BUSY / RQ_ERR_MEMORY_BUDGET.
     * A job that could never fit fails at once either way. Default 0. */
    RQ_SESSION_FAIL_FAST = 7,
    /* Chunk size in bytes; 0 = rq_recommended_block_size(). Default 0. */
    RQ_SESSION_BLOCK_SIZE = 8,
    /* 1: replace existing outputs (symbol directory contents, output files). Default 0. */
    RQ_SESSION_OVERWRITE = 9,
    /* Whose rules an encode follows: an rq_format. Default RQ_FORMAT_LIBRQ. */
    RQ_SESSION_FORMAT = 10
} rq_session_param;

/*
 * What an encode writes and how it cuts the file. Decoding reads both.
 * RQ_FORMAT_RQ_LIBRARY gives exactly what rq-library (the library librq
 * replaces) writes for the same settings, byte for byte in every symbol
 * file: its OTI rule (the RFC's derivation with 10 MiB of receiver working
 * memory whatever the budget), its repair count (R symbols for a chunk of
 * at most symbol_size bytes, else ceil(size * (R-1) / symbol_size), with
 * symbol_size as set, not T; every source block of a chunk gets that many),
 * its chunk size when RQ_SESSION_BLOCK_SIZE is 0 (the whole file when it
 * is smaller than budget / 1.5, else floor(budget / 1.5 / 4 / symbol_size)
 * symbols of symbol_size bytes), and its layout form ({"blocks": [...]}
 * only, numeric block_id, even for one chunk).
 */
typedef enum rq_format {
    RQ_FORMAT_LIBRQ = 0,
    RQ_FORMAT_RQ_LIBRARY = 1
} rq_format;

typedef struct rq_session rq_session;

#define RQ_MIN_MEMORY_BUDGET (8ull * 1024 * 1024)

/* Memory budgets report an rq_memory_usage (rq.h): limit, what running jobs hold, their peak. */

/*
 * The process-wide memory budget every job of every session charges besides
 * its session's. bytes 0 restores the default (half the machine's RAM);
 * otherwise >= RQ_MIN_MEMORY_BUDGET (else RQ_ERR_CONFIG). Lowering it below
 * what running jobs hold makes new charges wait; nothing is taken back.
 */
RQ_API rq_status rq_process_set_memory_budget(uint64_t bytes);
RQ_API rq_status rq_process_memory(rq_memory_usage *out);

/*
 * Called from the job's thread with work done and total: bytes of the file
 * for encode, metadata and decode, chunks for verify. Return nonzero to
 * cancel the job (it then fails with RQ_ERR_CANCELLED and removes its
 * temporary files).
 */
typedef int (*rq_progress_fn)(void *user, uint64_t done, uint64_t total);

/* A session with every setting at its default, coding in the default context. */
RQ_API rq_status rq_session_create(rq_session **out);
/* The same in ctx (its backend, caches and parameters); ctx must outlive the session. */
RQ_API rq_status rq_session_create_in(rq_context *ctx, rq_session **out);
/*
 * Sets one setting. RQ_ERR_CONFIG for an unknown one, a value out of range
 * or the wrong type (RQ_SESSION_REDUNDANCY takes rq_session_set_double, the
 * others rq_session_set); the old value stays and rq_session_last_error
 * says which setting and why. Jobs already running keep their copy.
 */
RQ_API rq_status rq_session_set(rq_session *session, rq_session_param param, int64_t value);
RQ_API rq_status rq_session_set_double(rq_session *session, rq_session_param param, double value);
RQ_API rq_status rq_session_get(const rq_session *session, rq_session_param param, int64_t *value);
RQ_API rq_status rq_session_get_double(const rq_session *session, rq_session_param param,
                                       double *value);
/* A setting's range and default (as doubles: every whole-number setting fits); RQ_ERR_CONFIG if unknown. */
RQ_API rq_status rq_session_param_bounds(rq_session_param param, double *min, double *max,
                                         double *def);
/* The setting's name ("memory_budget", as messages call it); RQ_ERR_CONFIG if unknown. */
RQ_API rq_status rq_session_param_name(rq_session_param param, const char **name);
RQ_API rq_status rq_session_set_progress(rq_session *session, rq_progress_fn fn, void *user);
/* The session's own budget (limit = RQ_SESSION_MEMORY_BUDGET). */
RQ_API rq_status rq_session_memory(const rq_session *session, rq_memory_usage *out);
/*
 * Cancels every job running on the session now, from any thread: each stops
 * within a few milliseconds of work, removes its temporary files, returns
 * its budget and fails with RQ_ERR_CANCELLED. Jobs started afterwards run
 * normally.
 */
RQ_API rq_status rq_session_cancel(rq_session *session);
/*
 * The detailed message of the session's last failure ("" after success).
 * With several jobs running on one session at once it is the most recent
 * failure among them: give each thread its own session (they can share the
 * process budget) when messages must be told apart.
 */
RQ_API rq_status rq_session_last_error(const rq_session *session, const char **message);
RQ_API rq_status rq_session_destroy(rq_session *session);

/* Result of a file job; json is the whole result as JSON text (owned). */
typedef struct rq_file_result {
    uint64_t file_size;
    uint32_t blocks;          /* chunks */
    uint64_t source_symbols;
    uint64_t repair_symbols;
    uint64_t symbols_good;    /* decode/verify: symbol files that matched their names */
    uint64_t symbols_corrupt; /* decode/verify: present but damaged or foreign (skipped) */
    uint64_t symbols_missing; /* decode/verify: named in the layout, not found */
    double seconds;
    char *json;
    uint64_t symbols_rewritten; /* repair: symbol files written again (missing or damaged before) */
} rq_file_result;

RQ_API rq_status rq_file_result_free(rq_file_result *result);

/* Chunk size used when RQ_SESSION_BLOCK_SIZE is 0, for this file size and the session's budget. */
RQ_API rq_status rq_recommended_block_size(const rq_session *session, uint64_t file_size,
                                           uint64_t *out);
/*
 * Encodes input into out_dir (created if missing; must be empty unless
 * overwrite). With overwrite, files of an earlier encode that the new
 * layout does not name are left in place: they are never read, but remove
 * the directory first if it should hold only this encode.
 */
RQ_API rq_status rq_encode_file(rq_session *session, const char *input, const char *out_dir,
                                rq_file_result *result);
/* Writes only the layout file (symbol IDs included), no symbol files. */
RQ_API rq_status rq_create_metadata(rq_session *session, const char *input,
                                    const char *layout_path, rq_file_result *result);
/*
 * Rebuilds the file from symbols_dir. layout_path NULL means
 * symbols_dir/_raptorq_layout.json. Reads layouts written by librq and by
 * rq-library deployments. Damaged symbol files are skipped and counted; if
 * a chunk lacks symbols, RQ_ERR_NEED_MORE_SYMBOLS and the message says how
 * many more which chunk needs.
 */
RQ_API rq_status rq_decode_symbols(rq_session *session, const char *symbols_dir,
                                   const char *output, const char *layout_path,
                                   rq_file_result *result);
/* Checks every symbol file of every chunk and whether each chunk can be decoded. */
RQ_API rq_status rq_verify_symbols(rq_session *session, const char *symbols_dir,
                                   const char *layout_path, rq_file_result *result);
/*
 * Writes the missing and damaged symbol files of symbols_dir again, each
 * under its name with the very bytes the encode wrote (the layout is not
 * changed, and good files are not touched). Each source block that lost
 * symbols is solved once from the good ones and its lost symbols rebuilt
 * pass by pass within the memory budget, staged in an unnamed file and
 * written only when every one of them hashes to its layout name; a damaged
 * file is replaced where it was found, a missing one goes into its chunk's
 * folder. A source block that cannot be decoded gets nothing written and
 * the others are still repaired: then RQ_ERR_NEED_MORE_SYMBOLS, and the
 * result's JSON says per block how many more it needs. The result counts
 * what was found (symbols_good, _corrupt, _missing: before the repair) and
 * symbols_rewritten. Killing a repair leaves no partial file under a final
 * name.
 */
RQ_API rq_status rq_repair_symbols(rq_session *session, const char *symbols_dir,
                                   const char *layout_path, rq_file_result *result);
/*
 * Encodes the file symbols_dir holds into out_dir with the session's
 * settings (symbol size, redundancy, block size, format), straight from
 * its symbols: out_dir gets exactly what rq_encode_file of the original
 * file would write. The file is never written out whole: each old chunk is
 * decoded into an unnamed scratch file beside out_dir just before the new
 * chunks that need it are encoded, and the bytes behind them are released
 * again (where the file system can punch holes), so the scratch holds
 * about one old and one new chunk. Decoding and encoding share the
 * session's memory budget in turns. A chunk short of symbols fails the
 * job as rq_decode_symbols does (RQ_ERR_NEED_MORE_SYMBOLS), and out_dir is
 * then left as a failed encode leaves it. out_dir may not be symbols_dir
 * or inside it.
 */
RQ_API rq_status rq_reencode_symbols(rq_session *session, const char *symbols_dir,
                                     const char *layout_path, const char *out_dir,
                                     rq_file_result *result);

#ifdef __cplusplus
}
#endif

#endif /* RQ_RQ_FILE_H */

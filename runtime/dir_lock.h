/*
 * An exclusive claim on an output directory while a job writes into it.
 *
 * The claim is an flock on "<dir>/.rq-lock": the kernel drops it when the
 * holder exits, however it exits, so a killed run never leaves the
 * directory claimed (only, at worst, an unlocked lock file that the next
 * claim takes over). Two encodes into one directory can then never both
 * decide that it is empty and write into it at once.
 */
#ifndef RQ_RUNTIME_DIR_LOCK_H
#define RQ_RUNTIME_DIR_LOCK_H

#include "runtime/temp_file.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RQ_DIR_LOCK_NAME ".rq-lock"

typedef struct rq_dir_lock {
    int fd; /* -1 when not held */
    char path[RQ_PATH_CAP];
} rq_dir_lock;

/* Claims dir (which must exist): 0; -2 when another process holds it; -1 with errno. */
int rq_dir_lock_take(rq_dir_lock *lock, const char *dir);
/* Removes the lock file and lets go; harmless when not held. */
void rq_dir_lock_drop(rq_dir_lock *lock);
/*
 * Whether dir holds anything but its lock file and the temporary names of
 * runs that no longer run (which it removes): call with the lock held.
 */
int rq_dir_lock_has_entries(const char *dir);

#ifdef __cplusplus
}
#endif

#endif

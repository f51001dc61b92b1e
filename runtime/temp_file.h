/*
 * Outputs that only ever appear complete under their final names.
 *
 * An output is written into a temporary file beside its final name and
 * given that name when it is complete. Where the file system can, the
 * temporary file has no name at all (O_TMPFILE): a process killed while
 * writing leaves nothing behind. Elsewhere it is "<dir>/.<base>.rq-tmp.<pid>.<n>",
 * a name no final name has (symbol IDs and layouts never start with '.'),
 * which a later run removes once that process is gone (rq_temp_clean_stale).
 *
 * Which existing paths may be replaced is decided in one place,
 * rq_output_check: only a regular file, and only when replacing was asked
 * for; a device, pipe, socket, directory or symbolic link never is.
 */
#ifndef RQ_RUNTIME_TEMP_FILE_H
#define RQ_RUNTIME_TEMP_FILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RQ_PATH_CAP 4096

typedef enum rq_output_state {
    RQ_OUTPUT_ABSENT = 0,      /* nothing has the name */
    RQ_OUTPUT_REPLACEABLE = 1, /* a regular file has it, and replace was asked for */
    RQ_OUTPUT_EXISTS = -2,     /* something has it, and replace was not asked for */
    RQ_OUTPUT_NOT_REGULAR = -3 /* a non-regular file has it: never replaced */
} rq_output_state;

/* What may happen to path as an output (lstat: a symbolic link is not a regular file). */
rq_output_state rq_output_check(const char *path, int replace);

typedef struct rq_temp_file {
    int fd;                  /* open for reading and writing; -1 when none */
    char path[RQ_PATH_CAP];  /* the temporary name; "" for an unnamed file */
} rq_temp_file;

/*
 * Creates a temporary file beside final_path (mode 0644 less the umask, or
 * mode). 0, or -1 with errno; t->fd is -1 after a failure.
 */
int rq_temp_file_open(rq_temp_file *t, const char *final_path, unsigned mode);
/*
 * Creates a scratch file in dir that is never published: unnamed where the
 * file system can, else a temporary name that rq_temp_file_discard removes.
 */
int rq_temp_file_scratch(rq_temp_file *t, const char *dir, const char *base);
/*
 * Gives the finished file its final name and closes it: with replace an
 * existing regular file is replaced at once (rename); without, an existing
 * name is never touched and -2 is returned. -1 with errno on failure. The
 * temporary file is gone afterwards in every case.
 */
int rq_temp_file_commit(rq_temp_file *t, const char *final_path, int replace);
/* Closes and removes the temporary file; harmless on one already committed or never opened. */
void rq_temp_file_discard(rq_temp_file *t);

/*
 * Removes the temporary names of base in dir (".<base>.rq-tmp.<pid>.<n>";
 * every base when base is NULL) whose process no longer runs on this
 * machine: the leftovers of killed runs on file systems without O_TMPFILE.
 */
void rq_temp_clean_stale(const char *dir, const char *base);

/*
 * Writes data to final_path as a temporary file then committed (above):
 * with replace == 0 an existing final_path is left alone and -2 is
 * returned. With replace, a regular file that already holds exactly data
 * is left as it is (its inode, mode and times too): a killed run then never
 * leaves a replacement's temporary name behind. 0 on success, -1 with errno
 * on I/O failure (nothing is left).
 */
int rq_write_file_atomic(const char *final_path, const void *data, size_t len, int replace);
/* The same for a file made of head (hlen bytes) then body, without joining them first. */
int rq_write_file_atomic2(const char *final_path, const void *head, size_t hlen, const void *body,
                          size_t blen, int replace);

/* "<dir>/.<base>.rq-tmp.<pid>.<n>" for final_path "<dir>/<base>"; -1 if it does not fit. */
int rq_temp_path(char *out, size_t len, const char *final_path);
/*
 * Gives a finished named temporary file its final name: rename with replace,
 * else link + unlink so that an existing final file is never clobbered (-2).
 * The temporary name is gone afterwards in every case. 0, or -1 with errno.
 */
int rq_commit_temp(const char *tmp_path, const char *final_path, int replace);

/* For tests: 0 makes every temporary file a named one, as on file systems without O_TMPFILE. */
void rq_temp_file_allow_unnamed(int allowed);

#ifdef __cplusplus
}
#endif

#endif

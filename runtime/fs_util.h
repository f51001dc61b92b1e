/* File-system helpers for the file jobs: whole reads/writes, temporary names. */
#ifndef RQ_RUNTIME_FS_UTIL_H
#define RQ_RUNTIME_FS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* pread/pwrite that retry on EINTR and short counts; 0 on success, -1 with errno. */
int rq_pread_full(int fd, void *buf, size_t len, uint64_t offset);
int rq_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);
/* Reads up to len bytes at offset; returns bytes read (short only at end of file) or -1. */
ssize_t rq_pread_upto(int fd, void *buf, size_t len, uint64_t offset);

/* "dir/name" into out; -1 if it does not fit. */
int rq_path_join(char *out, size_t len, const char *dir, const char *name);
/*
 * A temporary name beside final_path: "<dir>/.<base>.rq-tmp.<pid>.<n>". It
 * never collides with a final name (symbol IDs and layouts never start with
 * '.'), so an interrupted run leaves only temporary names behind.
 */
int rq_temp_path(char *out, size_t len, const char *final_path);

/* mkdir -p with mode 0755; 0 on success (also when it exists as a directory). */
int rq_make_dirs(const char *path);
/* 1 if path is a directory holding anything besides "." and "..". */
int rq_dir_has_entries(const char *path);

/*
 * Writes data to final_path so that the name only ever shows complete
 * content: an unnamed file (O_TMPFILE) linked under the name when written,
 * or, where the file system cannot, a temporary name and a rename. With
 * replace == 0 an existing final_path is left alone and -2 is returned.
 * 0 on success, -1 with errno on I/O failure (nothing is left behind).
 */
int rq_write_file_atomic(const char *final_path, const void *data, size_t len, int replace);
/* The same for a file made of head (hlen bytes) then body, without joining them first. */
int rq_write_file_atomic2(const char *final_path, const void *head, size_t hlen, const void *body,
                          size_t blen, int replace);

/*
 * Gives a finished temporary file its final name: rename with replace, else
 * link + unlink so that an existing final file is never clobbered (-2). The
 * temporary name is gone afterwards in every case. 0 on success, -1 with errno.
 */
int rq_commit_temp(const char *tmp_path, const char *final_path, int replace);

#endif

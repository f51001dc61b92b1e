/* File-system helpers for the file jobs: whole reads/writes, paths, directories. */
#ifndef RQ_RUNTIME_FS_UTIL_H
#define RQ_RUNTIME_FS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* pread/pwrite that retry on EINTR and short counts; 0 on success, -1 with errno. */
int rq_pread_full(int fd, void *buf, size_t len, uint64_t offset);
int rq_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);
/* Reads up to len bytes at offset; returns bytes read (short only at end of file) or -1. */
ssize_t rq_pread_upto(int fd, void *buf, size_t len, uint64_t offset);

/*
 * Opens dir_fd/path for reading, only if it is a regular file (else
 * EINVAL), without blocking (a FIFO does not wait for a writer) and, with
 * follow == 0, not through a symbolic link as its last component (ELOOP).
 * st (may be NULL) gets its fstat. The fd, or -1 with errno.
 */
int rq_open_regular(int dir_fd, const char *path, int follow, struct stat *st);

/* "dir/name" into out; -1 if it does not fit. */
int rq_path_join(char *out, size_t len, const char *dir, const char *name);
/* mkdir -p with mode 0755; 0 on success (also when it exists as a directory). */
int rq_make_dirs(const char *path);

#endif

/* File-system helpers: whole transfers, paths, directories. */
#define _GNU_SOURCE
#include "runtime/fs_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rq_pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
    ssize_t got = rq_pread_upto(fd, buf, len, offset);
    if (got < 0)
        return -1;
    if ((size_t)got != len) {
        errno = EIO; /* the file ended early */
        return -1;
    }
    return 0;
}

ssize_t rq_pread_upto(int fd, void *buf, size_t len, uint64_t offset)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

int rq_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

int rq_open_regular(int dir_fd, const char *path, int follow, struct stat *st)
{
    int fd = openat(dir_fd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return -1;
    struct stat own;
    struct stat *info = st ? st : &own;
    int e = fstat(fd, info) != 0 ? errno : !S_ISREG(info->st_mode) ? EINVAL : 0;
    if (e) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int rq_path_join(char *out, size_t len, const char *dir, const char *name)
{
    int n = (dir && *dir) ? snprintf(out, len, "%s/%s", dir, name) : snprintf(out, len, "%s", name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int rq_make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        buf[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

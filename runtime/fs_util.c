/* File-system helpers: whole transfers, temporary names, atomic replacement. */
#define _GNU_SOURCE
#include "runtime/fs_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
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

/* head then body at offset 0: one pwritev, finished with pwrite if it comes up short. */
static int write_two_parts(int fd, const void *head, size_t hlen, const void *body, size_t blen)
{
    struct iovec v[2] = {{(void *)head, hlen}, {(void *)body, blen}};
    ssize_t n;
    do
        n = pwritev(fd, v, 2, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    size_t done = (size_t)n;
    if (done < hlen && rq_pwrite_full(fd, (const char *)head + done, hlen - done, done) != 0)
        return -1;
    size_t body_done = done > hlen ? done - hlen : 0;
    return rq_pwrite_full(fd, (const char *)body + body_done, blen - body_done, hlen + body_done);
}

int rq_path_join(char *out, size_t len, const char *dir, const char *name)
{
    int n = (dir && *dir) ? snprintf(out, len, "%s/%s", dir, name) : snprintf(out, len, "%s", name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int rq_temp_path(char *out, size_t len, const char *final_path)
{
    static atomic_uint counter;
    const char *slash = strrchr(final_path, '/');
    const char *base = slash ? slash + 1 : final_path;
    int dir_len = slash ? (int)(slash - final_path) : 0;
    unsigned n = atomic_fetch_add(&counter, 1);
    int w = slash ? snprintf(out, len, "%.*s/.%s.rq-tmp.%ld.%u", dir_len, final_path, base,
                             (long)getpid(), n)
                  : snprintf(out, len, ".%s.rq-tmp.%ld.%u", base, (long)getpid(), n);
    return w < 0 || (size_t)w >= len ? -1 : 0;
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

int rq_dir_has_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL)
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

/*
 * The fast way: an unnamed file (O_TMPFILE) written, then linked under its
 * final name; one directory operation instead of a create and a rename,
 * which matters when workers write thousands of symbol files into one
 * directory (its lock serializes them). 1 when the file system cannot do it
 * (the caller takes the named-temporary way), else as rq_write_file_atomic.
 */
static int write_unnamed_then_link(const char *final_path, const void *head, size_t hlen,
                                   const void *body, size_t blen)
{
#ifdef O_TMPFILE
    char dir[4096], proc[64];
    const char *slash = strrchr(final_path, '/');
    int w = snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - final_path) : 1,
                     slash ? final_path : ".");
    if (w < 0 || (size_t)w >= sizeof dir)
        return 1;
    if (dir[0] == '\0')
        snprintf(dir, sizeof dir, "/");
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        return 1; /* EOPNOTSUPP, EISDIR on old kernels, ...: not available here */
    int failed = write_two_parts(fd, head, hlen, body, blen) != 0;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (!failed && linkat(AT_FDCWD, proc, AT_FDCWD, final_path, AT_SYMLINK_FOLLOW) != 0)
        failed = errno == EEXIST ? 2 : errno == ENOENT ? 3 : 1;
    int e = errno;
    close(fd);
    errno = e;
    if (failed == 2)
        return -2;
    if (failed == 3)
        return 1; /* no /proc: link the named way */
    return failed ? -1 : 0;
#else
    (void)final_path;
    (void)head;
    (void)hlen;
    (void)body;
    (void)blen;
    return 1;
#endif
}

int rq_write_file_atomic(const char *final_path, const void *data, size_t len, int replace)
{
    return rq_write_file_atomic2(final_path, NULL, 0, data, len, replace);
}

int rq_write_file_atomic2(const char *final_path, const void *head, size_t hlen, const void *body,
                          size_t blen, int replace)
{
    int r = write_unnamed_then_link(final_path, head, hlen, body, blen);
    if (r == 0 || r == -1 || (r == -2 && !replace))
        return r;
    /* Not available here, or an existing file is to be replaced: temporary name + rename. */
    char tmp[4096];
    if (rq_temp_path(tmp, sizeof tmp, final_path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int failed = write_two_parts(fd, head, hlen, body, blen) != 0;
    int e = errno;
    if (close(fd) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        unlink(tmp);
        errno = e;
        return -1;
    }
    return rq_commit_temp(tmp, final_path, replace);
}

int rq_commit_temp(const char *tmp_path, const char *final_path, int replace)
{
    if (replace) {
        if (rename(tmp_path, final_path) != 0) {
            int e = errno;
            unlink(tmp_path);
            errno = e;
            return -1;
        }
        return 0;
    }
    /* link() fails with EEXIST instead of replacing: no window where a final file is clobbered. */
    int r = link(tmp_path, final_path);
    int e = errno;
    unlink(tmp_path);
    if (r != 0 && e == EEXIST)
        return -2;
    errno = e;
    return r;
}

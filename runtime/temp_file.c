/* Temporary files published under their final names (see temp_file.h). */
#define _GNU_SOURCE
#include "runtime/temp_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime/fs_util.h"

static atomic_int unnamed_allowed = 1;

void rq_temp_file_allow_unnamed(int allowed)
{
    atomic_store(&unnamed_allowed, allowed);
}

rq_output_state rq_output_check(const char *path, int replace)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return RQ_OUTPUT_ABSENT;
    if (!S_ISREG(st.st_mode))
        return RQ_OUTPUT_NOT_REGULAR;
    return replace ? RQ_OUTPUT_REPLACEABLE : RQ_OUTPUT_EXISTS;
}

/* The directory part of path ("." when it has none). */
static int dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    int w = slash == path ? snprintf(out, cap, "/")
            : slash      ? snprintf(out, cap, "%.*s", (int)(slash - path), path)
                         : snprintf(out, cap, ".");
    return w < 0 || (size_t)w >= cap ? -1 : 0;
}

static int open_unnamed(const char *dir, unsigned mode)
{
#ifdef O_TMPFILE
    if (atomic_load(&unnamed_allowed))
        return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, (mode_t)mode);
#else
    (void)dir;
    (void)mode;
#endif
    errno = EOPNOTSUPP;
    return -1;
}

/* Falls back to a name only where the file system cannot make unnamed files. */
static int unnamed_unsupported(int err)
{
    return err == EOPNOTSUPP || err == EISDIR || err == EINVAL || err == ENOSYS;
}

static int open_named(rq_temp_file *t, const char *final_path, unsigned mode)
{
    if (rq_temp_path(t->path, sizeof t->path, final_path) != 0) {
        t->path[0] = '\0';
        errno = ENAMETOOLONG;
        return -1;
    }
    t->fd = open(t->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
    if (t->fd < 0)
        t->path[0] = '\0';
    return t->fd < 0 ? -1 : 0;
}

int rq_temp_file_open(rq_temp_file *t, const char *final_path, unsigned mode)
{
    char dir[RQ_PATH_CAP];
    t->fd = -1;
    t->path[0] = '\0';
    if (dir_of(final_path, dir, sizeof dir) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    t->fd = open_unnamed(dir, mode);
    if (t->fd >= 0)
        return 0;
    if (!unnamed_unsupported(errno))
        return -1;
    return open_named(t, final_path, mode);
}

int rq_temp_file_scratch(rq_temp_file *t, const char *dir, const char *base)
{
    char final[RQ_PATH_CAP];
    if (rq_path_join(final, sizeof final, dir, base) != 0) {
        t->fd = -1;
        t->path[0] = '\0';
        errno = ENAMETOOLONG;
        return -1;
    }
    return rq_temp_file_open(t, final, 0600);
}

/* An unnamed file gets a name: the final one, or (to replace) a temporary one first. */
static int link_unnamed(rq_temp_file *t, const char *final_path, int replace)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", t->fd);
    /* Most names are new: one directory operation, not a link and a rename. */
    if (linkat(AT_FDCWD, proc, AT_FDCWD, final_path, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    if (!replace)
        return -2;
    for (int attempt = 0; attempt < 8; attempt++) {
        if (rq_temp_path(t->path, sizeof t->path, final_path) != 0) {
            t->path[0] = '\0';
            errno = ENAMETOOLONG;
            return -1;
        }
        if (linkat(AT_FDCWD, proc, AT_FDCWD, t->path, AT_SYMLINK_FOLLOW) == 0)
            return rq_commit_temp(t->path, final_path, 1);
        t->path[0] = '\0';
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

int rq_temp_file_commit(rq_temp_file *t, const char *final_path, int replace)
{
    int named = t->path[0] != '\0';
    int r = named ? rq_commit_temp(t->path, final_path, replace)
                  : link_unnamed(t, final_path, replace);
    int e = errno;
    t->path[0] = '\0'; /* rq_commit_temp removed the temporary name */
    close(t->fd);
    t->fd = -1;
    errno = e;
    return r;
}

void rq_temp_file_discard(rq_temp_file *t)
{
    if (t->fd >= 0)
        close(t->fd);
    if (t->path[0])
        unlink(t->path);
    t->fd = -1;
    t->path[0] = '\0';
}

/* The pid in ".<base>.rq-tmp.<pid>.<n>", if name has that form (for base, or any base). */
static long temp_name_pid(const char *name, const char *base)
{
    if (name[0] != '.')
        return -1;
    const char *mark = strstr(name, ".rq-tmp.");
    if (!mark)
        return -1;
    if (base && ((size_t)(mark - name - 1) != strlen(base) || strncmp(name + 1, base, strlen(base)) != 0))
        return -1;
    char *end;
    long pid = strtol(mark + 8, &end, 10);
    if (pid <= 0 || *end != '.')
        return -1;
    strtoul(end + 1, &end, 10);
    return *end == '\0' ? pid : -1;
}

void rq_temp_clean_stale(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid = temp_name_pid(e->d_name, base);
        if (pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* that process (or one with its number) still runs */
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
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

/* head then body at offset 0: one pwritev, finished with pwrite if it comes up short. */
static int write_two_parts(int fd, const void *head, size_t hlen, const void *body, size_t blen)
{
#ifdef __EMSCRIPTEN__
    /* Emscripten's pwritev writes every buffer at the offset given (each over the one before). */
    if (hlen && rq_pwrite_full(fd, head, hlen, 0) != 0)
        return -1;
    return rq_pwrite_full(fd, body, blen, hlen);
#else
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
#endif
}

int rq_write_file_atomic(const char *final_path, const void *data, size_t len, int replace)
{
    return rq_write_file_atomic2(final_path, NULL, 0, data, len, replace);
}

/* Whether bytes [at, at + len) of fd are data (read in pieces, nothing kept). */
static int fd_holds(int fd, const uint8_t *data, size_t len, uint64_t at)
{
    uint8_t piece[4096];
    for (size_t done = 0; done < len; done += sizeof piece) {
        size_t n = len - done < sizeof piece ? len - done : sizeof piece;
        if (rq_pread_full(fd, piece, n, at + done) != 0 || memcmp(piece, data + done, n) != 0)
            return 0;
    }
    return 1;
}

/* Whether path is a regular file of exactly head then body. */
static int file_holds(const char *path, const void *head, size_t hlen, const void *body, size_t blen)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    int same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == hlen + blen &&
               fd_holds(fd, head, hlen, 0) && fd_holds(fd, body, blen, hlen);
    close(fd);
    return same;
}

int rq_write_file_atomic2(const char *final_path, const void *head, size_t hlen, const void *body,
                          size_t blen, int replace)
{
    /* Replacing a file by one of the same bytes would only open a moment in
     * which a killed run leaves the replacement's temporary name behind. */
    if (replace && file_holds(final_path, head, hlen, body, blen))
        return 0;
    rq_temp_file t;
    if (rq_temp_file_open(&t, final_path, 0644) != 0)
        return -1;
    if (write_two_parts(t.fd, head, hlen, body, blen) != 0) {
        int e = errno;
        rq_temp_file_discard(&t);
        errno = e;
        return -1;
    }
    return rq_temp_file_commit(&t, final_path, replace);
}

/* Claiming an output directory (see dir_lock.h). */
#define _GNU_SOURCE
#include "runtime/dir_lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/fs_util.h"

/* The lock file still has its name: a holder that just let go may have removed it. */
static int still_named(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int rq_dir_lock_take(rq_dir_lock *lock, const char *dir)
{
    lock->fd = -1;
    if (rq_path_join(lock->path, sizeof lock->path, dir, RQ_DIR_LOCK_NAME) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (int attempt = 0; attempt < 16; attempt++) {
        int fd = open(lock->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return -2;
            errno = e;
            return -1;
        }
        if (still_named(fd, lock->path)) {
            lock->fd = fd;
            return 0;
        }
        close(fd);
    }
    errno = EAGAIN;
    return -1;
}

void rq_dir_lock_drop(rq_dir_lock *lock)
{
    if (lock->fd < 0)
        return;
    /* Removed while still held, so that nobody locks a file about to lose its name. */
    unlink(lock->path);
    close(lock->fd);
    lock->fd = -1;
}

int rq_dir_lock_has_entries(const char *dir)
{
    rq_temp_clean_stale(dir, NULL);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL)
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                strcmp(e->d_name, RQ_DIR_LOCK_NAME) != 0;
    closedir(d);
    return found;
}

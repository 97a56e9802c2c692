/*
 * evict.h - drops one file from the page cache (shared by evict and timecmd).
 *
 * sync() first (an earlier copy's writeback and, with the discard mount
 * option, trimming must not run during the next timed copy), fdatasync
 * (dirty pages cannot be dropped), then
 * posix_fadvise(POSIX_FADV_DONTNEED) over the whole file; no root needed,
 * unlike /proc/sys/vm/drop_caches, and only this file loses its cache.
 * *resident and *pages then say how many of the file's pages are still in
 * memory (mincore of a read-only mapping), so callers can check it worked.
 * Returns 0, or -1 when the file cannot be opened or advised.
 */
#ifndef CF2_BENCH_EVICT_H
#define CF2_BENCH_EVICT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int evict_path(const char *path, size_t *resident, size_t *pages)
{
    *resident = *pages = 0;
    int fd = open(path, O_RDWR);
    if (fd < 0)
        fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return -1;
    }
    sync();
    (void)fdatasync(fd);
    int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (e) {
        fprintf(stderr, "%s: posix_fadvise: error %d\n", path, e);
        close(fd);
        return -1;
    }
    struct stat st;
    long page = sysconf(_SC_PAGESIZE);
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        size_t n = (size_t)((st.st_size + page - 1) / page), res = 0;
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        unsigned char *v = malloc(n);
        if (m != MAP_FAILED && v && mincore(m, (size_t)st.st_size, v) == 0)
            for (size_t k = 0; k < n; k++)
                res += v[k] & 1;
        if (m != MAP_FAILED)
            munmap(m, (size_t)st.st_size);
        free(v);
        *resident = res;
        *pages = n;
    }
    close(fd);
    return 0;
}

#endif

/*
 * evict - drops files from the page cache, as a cold-cache benchmark needs.
 *
 *   evict FILE...
 *
 * For each file: fdatasync (dirty pages cannot be dropped), then
 * posix_fadvise(POSIX_FADV_DONTNEED) over the whole file.  No root needed,
 * unlike writing to /proc/sys/vm/drop_caches, and only the named files lose
 * their cache.  Prints, per file, how many of its pages were still resident
 * afterwards (mincore of a read-only mapping), so that bench/run.sh can check
 * the eviction worked: "resident=N/M FILE" on stdout.  Built natively by
 * bench/run.sh.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDWR);
        if (fd < 0)
            fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        (void)fdatasync(fd);
        int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        if (e) {
            fprintf(stderr, "%s: posix_fadvise: error %d\n", argv[i], e);
            bad = 1;
        }
        struct stat st;
        long page = sysconf(_SC_PAGESIZE);
        if (fstat(fd, &st) == 0 && st.st_size > 0) {
            size_t pages = (size_t)((st.st_size + page - 1) / page), res = 0;
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
            unsigned char *v = malloc(pages);
            if (m != MAP_FAILED && v && mincore(m, (size_t)st.st_size, v) == 0)
                for (size_t k = 0; k < pages; k++)
                    res += v[k] & 1;
            printf("resident=%zu/%zu %s\n", res, pages, argv[i]);
            if (m != MAP_FAILED)
                munmap(m, (size_t)st.st_size);
            free(v);
        }
        close(fd);
    }
    return bad;
}

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
#include "evict.h"

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        size_t resident, pages;
        if (evict_path(argv[i], &resident, &pages) != 0) {
            bad = 1;
            continue;
        }
        if (pages > 0)
            printf("resident=%zu/%zu %s\n", resident, pages, argv[i]);
    }
    return bad;
}

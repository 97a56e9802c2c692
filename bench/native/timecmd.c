/*
 * timecmd - runs a Linux command and prints its wall time on stderr:
 * "ms=123.456" (stderr, so that the command's own stdout can be discarded).
 *
 *   timecmd [-t MB] [-e FILE] COMMAND [ARGS...]
 *
 * -t MB: before starting the clock, allocate MB MiB, write to every page and
 * free it, exactly as cf2bench --pretouch does before its timed copies: this
 * VM returns memory that stays free for ~2 s to the host (virtio-balloon free
 * page reporting), and the first touch of such memory is slow.
 * -e FILE: then drop FILE from the page cache (evict.h), right before the
 * clock starts, as cf2bench --evict does: the pages it frees are the ones
 * the copy's page cache reuses, so every contender starts from the same
 * just-freed memory (see docs/benchmarks.md, cold cache).  Prints
 * "resident=N/M" on stderr.
 *
 * bench/run.sh times `cp` with it.  A shell's `date +%s%N` pair would add two
 * extra process starts (~1-2 ms each on this machine) to every sample; here
 * only the fork/exec of the command itself is inside the timed region, which
 * is part of what a user of cp pays anyway.  Built natively by run.sh (it is
 * not matched by the bench/ *.c pattern, which the Makefile compiles as Windows programs).
 */
/* MAP_ANONYMOUS is not in POSIX 2008; glibc shows it with _DEFAULT_SOURCE. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evict.h"

static void pretouch(long mb)
{
    size_t n = (size_t)mb << 20;
    volatile unsigned char *p;

    if (mb <= 0)
        return;
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("timecmd: mmap");
        exit(2);
    }
    for (size_t i = 0; i < n; i += 4096)
        p[i] = 1;
    munmap((void *)p, n);
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    int status;
    pid_t pid;

    if (argc >= 3 && strcmp(argv[1], "-t") == 0) {
        pretouch(atol(argv[2]));
        argv += 2;
        argc -= 2;
    }
    if (argc >= 3 && strcmp(argv[1], "-e") == 0) {
        size_t resident, pages;
        if (evict_path(argv[2], &resident, &pages) != 0)
            return 2;
        fprintf(stderr, "resident=%zu/%zu\n", resident, pages);
        argv += 2;
        argc -= 2;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: timecmd [-t MB] [-e FILE] COMMAND [ARGS...]\n");
        return 2;
    }
    /* CLOCK_MONOTONIC: immune to clock adjustments during a run. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("timecmd: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("timecmd: exec");
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0) {
        perror("timecmd: waitpid");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "ms=%.3f\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

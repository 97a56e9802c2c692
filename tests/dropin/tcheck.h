/*
 * tcheck.h - the assertions of the drop-in test programs.  Each CHECK counts a
 * pass or prints the failure; t_summary() prints "NAME: N passed, M failed"
 * (the line tests/dropin/run.sh looks for) and gives the exit code.
 * stdout is unbuffered so that what was printed survives an abort.
 */
#ifndef TCHECK_H
#define TCHECK_H
#include <stdio.h>

static int t_pass, t_fail;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            t_pass++;                                                        \
        } else {                                                             \
            t_fail++;                                                        \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);           \
            printf(__VA_ARGS__);                                             \
            printf("\n");                                                    \
        }                                                                    \
    } while (0)

static void t_init(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
}

static int t_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
    return t_fail ? 1 : 0;
}
#endif

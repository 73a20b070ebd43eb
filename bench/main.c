/*
 * wsbench: timing helpers shared by the bench modules, and the driver.
 *
 *   wsbench            run every module (mask, utf8, frame)
 *   wsbench <module>   run one of them
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define BENCH_ROUNDS 5

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_time(void (*fn)(void *arg), void *arg, double min_seconds)
{
    /* One untimed call first: page faults, cold caches and lazy binding
     * belong to no round. */
    fn(arg);

    double best = -1.0;
    for (int round = 0; round < BENCH_ROUNDS; round++) {
        unsigned long calls = 0;
        double start = bench_now(), elapsed;
        do {
            fn(arg);
            calls++;
            elapsed = bench_now() - start;
        } while (elapsed < min_seconds);
        /* The fastest round is the one least disturbed by the other tenants
         * of a shared machine. */
        double per_call = elapsed / (double)calls;
        if (best < 0 || per_call < best)
            best = per_call;
    }
    return best;
}

void bench_report(const char *name, double value, const char *unit, const char *baseline,
                  double ratio)
{
    if (baseline)
        printf("BENCH name=%s value=%.3f unit=%s baseline=%s ratio=%.3f\n", name, value, unit,
               baseline, ratio);
    else
        printf("BENCH name=%s value=%.3f unit=%s\n", name, value, unit);
    /* Lines appear as they are measured even when stdout is a pipe. */
    fflush(stdout);
}

/* A volatile store cannot be removed, so neither can whatever computed v. */
static volatile uint64_t bench_sink;

void bench_consume(uint64_t v)
{
    bench_sink = bench_sink ^ v;
}

static const struct {
    const char *name;
    void (*run)(void);
} modules[] = {
    {"mask", bench_mask},
    {"utf8", bench_utf8},
    {"frame", bench_frame},
};

#define MODULE_COUNT (sizeof modules / sizeof modules[0])

int main(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: %s [mask|utf8|frame]\n", argv[0]);
        return 2;
    }
    if (argc == 2) {
        for (size_t i = 0; i < MODULE_COUNT; i++) {
            if (strcmp(argv[1], modules[i].name) == 0) {
                modules[i].run();
                return 0;
            }
        }
        fprintf(stderr, "%s: unknown module '%s' (mask, utf8 or frame)\n", argv[0], argv[1]);
        return 2;
    }
    for (size_t i = 0; i < MODULE_COUNT; i++)
        modules[i].run();
    return 0;
}

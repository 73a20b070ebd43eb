/*
 * Shared helpers of `make bench`: a monotonic clock, a loop that repeats a
 * measurement until it has run long enough, and the BENCH line format
 *   BENCH name=<id> value=<number> unit=<unit> baseline=<id> ratio=<number>
 * Each bench_*.c measures one module against its baseline on the same buffers.
 */
#ifndef WSCONFORM_BENCH_H
#define WSCONFORM_BENCH_H

#include <stddef.h>
#include <stdint.h>

double bench_now(void);

/* Runs fn(arg) repeatedly for at least min_seconds (best of 5 rounds) and
 * returns the fastest seconds per call. */
double bench_time(void (*fn)(void *arg), void *arg, double min_seconds);

/* Prints one BENCH line; baseline may be NULL (then ratio is omitted). */
void bench_report(const char *name, double value, const char *unit, const char *baseline,
                  double ratio);

/* Keeps the compiler from discarding a computed value. */
void bench_consume(uint64_t v);

/* A fixed-seed generator for benchmark inputs. */
static inline uint64_t bench_xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Each module's benchmarks. */
void bench_mask(void);
void bench_utf8(void);
void bench_frame(void);

#endif

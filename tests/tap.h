/*
 * A small TAP producer for the C tests. Each test program prints a plan at
 * the end ("1..N") and exits non-zero if any assertion failed.
 */
#ifndef WSCONFORM_TAP_H
#define WSCONFORM_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failures;

static inline int tap_result(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_count++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!pass) {
        tap_failures++;
        printf("#   Failed at %s line %d\n", file, line);
    }
    return pass;
}

static inline void tap_diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* ok(condition, "description %d", args...) */
#define ok(cond, ...) tap_result((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

/* is_int(got, expected, "description", args...): prints both on failure. */
#define is_int(got, want, ...)                                                            \
    do {                                                                                  \
        long long tap_got_ = (long long)(got), tap_want_ = (long long)(want);             \
        if (!tap_result(tap_got_ == tap_want_, __FILE__, __LINE__, __VA_ARGS__))          \
            tap_diag("     got: %lld\n#     expected: %lld", tap_got_, tap_want_);        \
    } while (0)

/* is_mem(got, got_len, want, want_len, "description", ...) */
#define is_mem(got, got_len, want, want_len, ...)                                         \
    do {                                                                                  \
        size_t tap_gl_ = (size_t)(got_len), tap_wl_ = (size_t)(want_len);                 \
        int tap_eq_ = tap_gl_ == tap_wl_ && (tap_gl_ == 0 || memcmp((got), (want), tap_gl_) == 0); \
        if (!tap_result(tap_eq_, __FILE__, __LINE__, __VA_ARGS__))                        \
            tap_diag("     got %zu bytes, expected %zu bytes", tap_gl_, tap_wl_);         \
    } while (0)

static inline int done_testing(void)
{
    printf("1..%d\n", tap_count);
    if (tap_failures)
        tap_diag("%d of %d assertions failed", tap_failures, tap_count);
    return tap_failures ? 1 : 0;
}

#endif

/*
 * Helpers shared by the fuzz targets: property checks, the input-driven
 * chunking of a byte stream, and heap windows that make any read past the
 * bytes handed to the codec an AddressSanitizer report.
 */
#ifndef WSCONFORM_FUZZ_COMMON_H
#define WSCONFORM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A violated property stops the run with abort(), which every engine and the
 * replay driver report as a crash. */
#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond))                                                                          \
            fuzz_fail(#cond, __FILE__, __LINE__);                                             \
    } while (0)

static inline void fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

/*
 * Chunk sizes for feeding a stream, chosen by one control byte: its top three
 * bits pick the largest chunk (1 means byte by byte, the last value means the
 * whole rest at once), and the whole byte seeds a small PRNG that draws each
 * size from 1..largest. Same control byte, same chunking.
 */
typedef struct fuzz_split {
    uint32_t state;
    size_t max;
} fuzz_split;

static inline void fuzz_split_init(fuzz_split *s, uint8_t control)
{
    static const size_t max_chunk[8] = { 1, 2, 3, 5, 8, 17, 64, SIZE_MAX };
    s->state = (uint32_t)control * 2654435761u + 0x9e3779b9u;
    s->max = max_chunk[control >> 5];
}

/* Size of the next chunk: 1..remaining (0 only when remaining is 0). */
static inline size_t fuzz_split_next(fuzz_split *s, size_t remaining)
{
    size_t n;
    if (s->max == SIZE_MAX) {
        n = remaining;
    } else {
        /* xorshift32: cheap, deterministic, never stuck at zero. */
        uint32_t x = s->state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        s->state = x;
        n = 1 + (size_t)(x % (uint32_t)s->max);
    }
    return n < remaining ? n : remaining;
}

/*
 * A heap buffer of a fixed capacity into whose END a chunk is copied before
 * it is handed to the code under test: a read past the chunk lands in the
 * allocation's red zone. The buffer is allocated exactly (never rounded up).
 */
typedef struct fuzz_window {
    uint8_t *buf;
    size_t cap;
} fuzz_window;

static inline void fuzz_window_init(fuzz_window *w, size_t cap)
{
    w->cap = cap;
    w->buf = malloc(cap ? cap : 1);
    if (!w->buf)
        abort();
}

static inline void fuzz_window_free(fuzz_window *w)
{
    free(w->buf);
    w->buf = NULL;
    w->cap = 0;
}

static inline const uint8_t *fuzz_window_put(fuzz_window *w, const uint8_t *src, size_t n)
{
    if (n > w->cap)
        abort();
    uint8_t *dst = w->buf + (w->cap - n);
    if (n)
        memcpy(dst, src, n);
    return dst;
}

/*
 * Records of an input that carries several messages: a 2-byte big-endian
 * length and that many bytes, the last record cut short by the end of the
 * input. Returns false when fewer than 2 bytes are left; else points *rec at
 * the next record's bytes and sets *len.
 */
static inline bool fuzz_next_record(const uint8_t *s, size_t n, size_t *pos,
                                    const uint8_t **rec, size_t *len)
{
    if (*pos + 2 > n)
        return false;
    size_t l = (size_t)s[*pos] << 8 | s[*pos + 1];
    *pos += 2;
    if (l > n - *pos)
        l = n - *pos;
    *rec = s + *pos;
    *len = l;
    *pos += l;
    return true;
}

/* FNV-1a, to compare payloads between runs without keeping them. */
static inline uint64_t fuzz_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static inline uint64_t fuzz_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* True if [p, p+n) lies inside [base, base+len). Compared as integers so that
 * unrelated pointers are not compared relationally. */
static inline int fuzz_inside(const void *p, size_t n, const void *base, size_t len)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
    return a >= b && a - b <= len && n <= len - (a - b);
}

#endif

/*
 * What the data set generators share: a fixed-seed random sequence (the same
 * on every machine: integer arithmetic only) and a byte buffer of fixed
 * capacity that a generator must fill exactly.
 */
#ifndef WSCONFORM_DATASET_BUILD_H
#define WSCONFORM_DATASET_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64: small, fast, and fully specified by its seed. */
typedef struct gen_rng {
    uint64_t state;
} gen_rng;

static inline uint64_t gen_next(gen_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. */
static inline uint32_t gen_below(gen_rng *r, uint32_t n)
{
    return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A number in [lo, hi]. */
static inline int gen_range(gen_rng *r, int lo, int hi)
{
    return lo + (int)gen_below(r, (uint32_t)(hi - lo + 1));
}

/* Draws go one per statement: the order in which a call's arguments are
 * evaluated differs between compilers, and so would the data. */
#define GEN_PICK(r, list) ((list)[gen_below((r), sizeof(list) / sizeof((list)[0]))])

/* Writes past cap are dropped and set `overflow`, so a generator can try a
 * piece and take it back (gen_buf.n = mark) when it does not fit. */
typedef struct gen_buf {
    uint8_t *p;
    size_t n, cap;
    bool overflow;
} gen_buf;

void gen_put(gen_buf *b, const void *bytes, size_t n);
void gen_puts(gen_buf *b, const char *s);
void gen_putf(gen_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* fmt with one %d: a number drawn from [lo, hi]. */
#define GEN_PUT_NUMBER(b, r, fmt, lo, hi)                                                         \
    do {                                                                                          \
        int gen_drawn_ = gen_range((r), (lo), (hi));                                              \
        gen_putf((b), (fmt), gen_drawn_);                                                         \
    } while (0)

/* Exactly n bytes of words[0..count) (ASCII) joined by spaces; the last word
 * is one of exactly the length left, or a longer one cut. */
void gen_fill_words(gen_buf *b, gen_rng *r, const char *const *words, size_t count, size_t n);

/* in[0..n) as a zlib stream (one fixed-Huffman deflate block) in out[0..cap);
 * its length, or 0 if it did not fit or memory ran out. */
size_t gen_deflate(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* At most this many bytes for n bytes deflated (9 bits a literal). */
#define GEN_DEFLATE_BOUND(n) ((n) + (n) / 8 + 64)

/* Each fills b (b->cap is the set's size) and returns true if it did so exactly. */
bool dataset_make_json(gen_buf *b);
bool dataset_make_prose(gen_buf *b);
bool dataset_make_html(gen_buf *b);
bool dataset_make_bmp(gen_buf *b);
bool dataset_make_pdf(gen_buf *b);

#endif

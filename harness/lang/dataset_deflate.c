/*
 * A small deflate encoder (RFC 1950 zlib stream, RFC 1951 fixed-Huffman
 * block, greedy LZ77) for the PDF set's FlateDecode streams. Its own, so that
 * the set is the same bytes whatever zlib build the program links.
 */
#include <stdlib.h>
#include <string.h>

#include "lang/dataset_build.h"

#define WINDOW 32768u
#define MATCH_MIN 3u
#define MATCH_MAX 258u
#define HASH_BITS 15
#define CHAIN_MAX 32 /* candidates tried per position */

typedef struct bit_writer {
    uint8_t *p;
    size_t n, cap;
    uint32_t bits; /* pending bits, the first written in bit 0 */
    int count;
    bool overflow;
} bit_writer;

static void put_bits(bit_writer *w, uint32_t value, int n)
{
    w->bits |= value << w->count;
    w->count += n;
    while (w->count >= 8) {
        if (w->n < w->cap)
            w->p[w->n++] = (uint8_t)w->bits;
        else
            w->overflow = true;
        w->bits >>= 8;
        w->count -= 8;
    }
}

/* A Huffman code goes out from its most significant bit. */
static void put_code(bit_writer *w, uint32_t code, int n)
{
    uint32_t reversed = 0;
    for (int i = 0; i < n; i++)
        reversed |= ((code >> i) & 1u) << (n - 1 - i);
    put_bits(w, reversed, n);
}

/* A literal/length symbol in the fixed code (RFC 1951 §3.2.6). */
static void put_symbol(bit_writer *w, unsigned s)
{
    if (s < 144)
        put_code(w, 0x30 + s, 8);
    else if (s < 256)
        put_code(w, 0x190 + s - 144, 9);
    else if (s < 280)
        put_code(w, s - 256, 7);
    else
        put_code(w, 0xc0 + s - 280, 8);
}

/* RFC 1951 §3.2.5: the first length and distance of each code, and its extra bits. */
static const uint16_t length_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258,
};
static const uint8_t length_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t distance_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
};
static const uint8_t distance_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};

static void put_match(bit_writer *w, unsigned length, unsigned distance)
{
    unsigned l = 28, d = 29;
    while (length_base[l] > length)
        l--;
    while (distance_base[d] > distance)
        d--;
    put_symbol(w, 257 + l);
    put_bits(w, length - length_base[l], length_extra[l]);
    put_code(w, d, 5);
    put_bits(w, distance - distance_base[d], distance_extra[d]);
}

static uint32_t hash3(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> (32 - HASH_BITS);
}

/* The longest earlier match for position i (0 if none of MATCH_MIN). */
static unsigned longest_match(const uint8_t *in, size_t n, size_t i, const int32_t *head,
                              const int32_t *prev, unsigned *distance)
{
    unsigned best = 0, limit = n - i < MATCH_MAX ? (unsigned)(n - i) : MATCH_MAX;
    int32_t at = head[hash3(in + i)];
    for (int tries = 0; at >= 0 && i - (size_t)at <= WINDOW && tries < CHAIN_MAX; tries++) {
        unsigned len = 0;
        while (len < limit && in[(size_t)at + len] == in[i + len])
            len++;
        if (len > best) {
            best = len;
            *distance = (unsigned)(i - (size_t)at);
        }
        at = prev[at];
    }
    return best >= MATCH_MIN ? best : 0;
}

static void compress_block(bit_writer *w, const uint8_t *in, size_t n, int32_t *head,
                           int32_t *prev)
{
    put_bits(w, 1, 1); /* BFINAL */
    put_bits(w, 1, 2); /* BTYPE 01: fixed Huffman codes */
    for (size_t i = 0; i < n;) {
        unsigned distance = 0;
        unsigned len = i + MATCH_MIN <= n ? longest_match(in, n, i, head, prev, &distance) : 0;
        if (len)
            put_match(w, len, distance);
        else
            put_symbol(w, in[i]);
        for (size_t end = i + (len ? len : 1); i < end; i++)
            if (i + MATCH_MIN <= n) {
                uint32_t h = hash3(in + i);
                prev[i] = head[h];
                head[h] = (int32_t)i;
            }
    }
    put_symbol(w, 256);
    put_bits(w, 0, (8 - w->count) % 8); /* to a byte boundary */
}

static uint32_t adler32_of(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return b << 16 | a;
}

size_t gen_deflate(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    int32_t *head = malloc(sizeof *head << HASH_BITS);
    int32_t *prev = malloc((n ? n : 1) * sizeof *prev);
    bit_writer w = {out, 0, cap, 0, 0, false};
    if (head && prev) {
        memset(head, 0xff, sizeof *head << HASH_BITS); /* -1: no earlier position */
        put_bits(&w, 0x78, 8);                         /* deflate, 32 KiB window */
        put_bits(&w, 0x01, 8);                         /* makes the header a multiple of 31 */
        compress_block(&w, in, n, head, prev);
        uint32_t adler = adler32_of(in, n);
        for (int shift = 24; shift >= 0; shift -= 8)
            put_bits(&w, (adler >> shift) & 0xff, 8);
    }
    bool made = head && prev && !w.overflow;
    free(head);
    free(prev);
    return made ? w.n : 0;
}

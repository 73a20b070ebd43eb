/*
 * Masking: unmasking a 1 MiB payload in place with ws_mask(), against
 * memcpy of the same size (the memory-bound ceiling) and against a plain
 * byte-at-a-time XOR loop (what a naive receiver does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "wscodec/mask.h"

#define MASK_LEN ((size_t)1 << 20)
#define MASK_MIN_SECONDS 0.15

typedef struct mask_case {
    uint8_t *data;      /* masked in place */
    const uint8_t *src; /* memcpy source */
    uint8_t *dst;       /* memcpy destination */
    size_t len;
    uint8_t key[4];
    uint64_t offset;    /* position of data[0] within the frame payload */
} mask_case;

/*
 * The reference loop: one byte per iteration. The key is read through a
 * volatile pointer so that every byte performs its own key load; the compiler
 * may then neither vectorise the loop nor widen it to words, on gcc and clang
 * alike (an optimize attribute would be gcc-only). A volatile key load is an
 * L1 hit, unlike a volatile index, which would add a store and reload per
 * byte and make the reference slower than any real byte loop.
 */
static void mask_bytewise(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset)
{
    const volatile uint8_t *k = key;
    for (size_t i = 0; i < len; i++)
        data[i] ^= k[(offset + i) & 3];
}

static void run_memcpy(void *arg)
{
    mask_case *c = arg;
    memcpy(c->dst, c->src, c->len);
    bench_consume(c->dst[c->len - 1]);
}

static void run_mask(void *arg)
{
    mask_case *c = arg;
    ws_mask(c->data, c->len, c->key, c->offset);
    bench_consume(c->data[c->len - 1]);
}

/* Unmasking from src to dst: the same memory traffic as memcpy. */
static void run_mask_copy(void *arg)
{
    mask_case *c = arg;
    ws_mask_copy(c->dst, c->src, c->len, c->key, c->offset);
    bench_consume(c->dst[c->len - 1]);
}

static void run_bytewise(void *arg)
{
    mask_case *c = arg;
    mask_bytewise(c->data, c->len, c->key, c->offset);
    bench_consume(c->data[c->len - 1]);
}

/* ws_mask() must agree with the reference loop, or its speed means nothing.
 * It runs on the measured buffer itself, so the unaligned start is checked. */
static void check_mask(const mask_case *c, uint8_t *scratch)
{
    memcpy(scratch, c->data, c->len);
    mask_bytewise(scratch, c->len, c->key, c->offset);
    ws_mask(c->data, c->len, c->key, c->offset);
    if (memcmp(scratch, c->data, c->len) != 0) {
        fprintf(stderr, "bench_mask: ws_mask disagrees with the byte loop (offset %llu)\n",
                (unsigned long long)c->offset);
        abort();
    }
    ws_mask(c->data, c->len, c->key, c->offset); /* back to the masked bytes */
}

static double gbps(size_t bytes, double seconds)
{
    return (double)bytes / seconds / 1e9;
}

void bench_mask(void)
{
    /* 64 spare bytes so the unaligned case can start 3 bytes in. */
    uint8_t *data = aligned_alloc(64, MASK_LEN + 64);
    uint8_t *src = aligned_alloc(64, MASK_LEN);
    uint8_t *dst = aligned_alloc(64, MASK_LEN);
    uint8_t *scratch = aligned_alloc(64, MASK_LEN + 64);
    if (!data || !src || !dst || !scratch) {
        fprintf(stderr, "bench_mask: out of memory\n");
        abort();
    }
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < MASK_LEN + 64; i++)
        data[i] = (uint8_t)bench_xorshift64(&seed);
    memcpy(src, data, MASK_LEN);

    mask_case aligned = {.data = data, .src = src, .dst = dst, .len = MASK_LEN,
                         .key = {0x37, 0xfa, 0x21, 0x3d}, .offset = 0};
    /* The general path: a buffer that starts off alignment, in the middle of
     * a payload whose position is not a multiple of 4. */
    mask_case unaligned = aligned;
    unaligned.data = data + 3;
    unaligned.offset = 3;

    check_mask(&aligned, scratch);
    check_mask(&unaligned, scratch);

    double t_memcpy = bench_time(run_memcpy, &aligned, MASK_MIN_SECONDS);
    double t_bytewise = bench_time(run_bytewise, &aligned, MASK_MIN_SECONDS);
    double t_mask = bench_time(run_mask, &aligned, MASK_MIN_SECONDS);
    double t_unaligned = bench_time(run_mask, &unaligned, MASK_MIN_SECONDS);
    double t_copy = bench_time(run_mask_copy, &aligned, MASK_MIN_SECONDS);

    double v_memcpy = gbps(MASK_LEN, t_memcpy);
    double v_bytewise = gbps(MASK_LEN, t_bytewise);
    double v_mask = gbps(MASK_LEN, t_mask);
    double v_unaligned = gbps(MASK_LEN, t_unaligned);
    double v_copy = gbps(MASK_LEN, t_copy);

    bench_report("memcpy", v_memcpy, "GB/s", NULL, 0);
    bench_report("mask_bytewise", v_bytewise, "GB/s", NULL, 0);
    bench_report("mask", v_mask, "GB/s", "memcpy", v_mask / v_memcpy);
    bench_report("mask_vs_bytewise", v_mask, "GB/s", "mask_bytewise", v_mask / v_bytewise);
    bench_report("mask_unaligned", v_unaligned, "GB/s", "mask", v_unaligned / v_mask);
    bench_report("mask_copy", v_copy, "GB/s", "memcpy", v_copy / v_memcpy);

    free(scratch);
    free(dst);
    free(src);
    free(data);
}

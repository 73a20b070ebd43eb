/*
 * UTF-8 validation throughput on 1 MiB, against memcpy of the same buffer:
 *   utf8_ascii  printable ASCII, the common case of text messages
 *   utf8_mixed  code points of 1, 2, 3 and 4 bytes in equal shares, drawn by a
 *               fixed-seed PRNG so the sequence lengths are not predictable
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "wscodec/error.h"
#include "wscodec/utf8.h"

#define BUF_LEN (1u << 20)
#define MIN_SECONDS 0.2

struct utf8_job {
    const uint8_t *src;
    uint8_t *dst;
    size_t len;
};

static void run_validate(void *arg)
{
    const struct utf8_job *j = arg;
    size_t off = 0;
    int rc = ws_utf8_validate(j->src, j->len, &off);
    bench_consume((uint64_t)(rc == WS_OK) + off);
}

static void run_memcpy(void *arg)
{
    const struct utf8_job *j = arg;
    memcpy(j->dst, j->src, j->len);
    bench_consume(j->dst[j->len / 2]);
}

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static size_t encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static void fill_mixed(uint8_t *buf, size_t len)
{
    uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
    size_t i = 0;

    while (len - i >= 4) {
        uint64_t r = next_rand(&x);
        uint32_t cp;
        switch (r & 3) {
        case 0:
            cp = 0x20 + (uint32_t)(r >> 8) % 0x5F;
            break;
        case 1:
            cp = 0x80 + (uint32_t)(r >> 8) % (0x800 - 0x80);
            break;
        case 2:
            do
                cp = 0x800 + (uint32_t)(next_rand(&x) >> 8) % (0x10000 - 0x800);
            while (cp >= 0xD800 && cp <= 0xDFFF);
            break;
        default:
            cp = 0x10000 + (uint32_t)(r >> 8) % (0x110000 - 0x10000);
            break;
        }
        i += encode(cp, buf + i);
    }
    while (i < len)
        buf[i++] = 'x';
}

static void measure(const char *name, struct utf8_job *j)
{
    size_t off = 0;
    if (ws_utf8_validate(j->src, j->len, &off) != WS_OK) {
        fprintf(stderr, "bench_utf8: %s input rejected at byte %zu\n", name, off);
        exit(1);
    }
    double t_utf8 = bench_time(run_validate, j, MIN_SECONDS);
    double t_copy = bench_time(run_memcpy, j, MIN_SECONDS);
    double gbps = (double)j->len / t_utf8 / 1e9;
    double copy_gbps = (double)j->len / t_copy / 1e9;
    bench_report(name, gbps, "GB/s", "memcpy", gbps / copy_gbps);
}

void bench_utf8(void)
{
    uint8_t *ascii = malloc(BUF_LEN), *mixed = malloc(BUF_LEN), *dst = malloc(BUF_LEN);
    if (ascii == NULL || mixed == NULL || dst == NULL) {
        fprintf(stderr, "bench_utf8: out of memory\n");
        exit(1);
    }

    static const char text[] = "The quick brown fox jumps over the lazy dog; 0123456789.\n";
    for (size_t i = 0; i < BUF_LEN; i++)
        ascii[i] = (uint8_t)text[i % (sizeof text - 1)];
    fill_mixed(mixed, BUF_LEN);
    memset(dst, 0, BUF_LEN);

    struct utf8_job a = { ascii, dst, BUF_LEN };
    struct utf8_job m = { mixed, dst, BUF_LEN };
    measure("utf8_ascii", &a);
    measure("utf8_mixed", &m);

    free(ascii);
    free(mixed);
    free(dst);
}

/*
 * Fuzz target: the permessage-deflate deflater against the inflater and
 * against zlib itself (wscodec/deflate.h, RFC 7692 §7.2).
 *
 * Input layout:
 *   [0]   bits 0-2 the window (8 + value), bit 3 no_context_takeover, bits
 *         4-7 the compression level (0: the default)
 *   [1]   bits 0-3 the output size of the chunked deflater, bits 4-7 that of
 *         the inflater (indexes into out_caps)
 *   [2]   chunking of the messages fed to the chunked deflater
 *   [3..] messages, each a 2-byte big-endian length and that many bytes (the
 *         last one cut short by the end of the input)
 * Each message is compressed by two deflaters with the same parameters, one
 * fed whole with room to spare, one fed in chunks with a small output
 * buffer (zlib's output may differ with the chunking, so each deflater has
 * its own readers). Properties, for both:
 *   - the payload is never empty (an empty message is 0x00);
 *   - the payload plus the 00 00 ff ff tail inflates with plain zlib (same
 *     window, same context rules) to the message, as any peer would read it;
 *   - ws_inflater gives the message back, out_caps bytes at a time;
 *   - the deflater's memory stays within what deflate.h states, and the
 *     inflater's within 8 KiB + its window.
 */
#include <stdbool.h>
#include <zlib.h>

#include "counting_alloc.h"
#include "fuzz_common.h"
#include "wscodec/deflate.h"
#include "wscodec/error.h"

static const size_t out_caps[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 31, 64, 100, 1000, 4096 };

#define MESSAGE_MAX 65535
/* Stored blocks (window 8) cost 5 bytes per 65535; compressed data a little
 * more than stored: plenty. */
#define PAYLOAD_MAX (MESSAGE_MAX + MESSAGE_MAX / 8 + 64)

/* One message through a deflater, whole (split NULL) or in chunks of the
 * message and cap bytes of output at a time. Returns the payload length. */
static size_t compress_message(ws_deflater *d, const uint8_t *m, size_t n, fuzz_split *split,
                               size_t cap, uint8_t *out)
{
    size_t fed = 0, written = 0;
    do {
        size_t k = split ? fuzz_split_next(split, n - fed) : n - fed;
        bool fin = fed + k == n;
        size_t off = 0;
        for (;;) {
            size_t room = split ? cap : PAYLOAD_MAX - written;
            FUZZ_CHECK(written + room <= PAYLOAD_MAX);
            size_t consumed = 0, produced = 0;
            int rc = ws_deflater_feed(d, m + fed + off, k - off, fin, out + written, room,
                                      &consumed, &produced);
            FUZZ_CHECK(rc == WS_OK || rc == WS_PMD_OUTPUT_FULL);
            FUZZ_CHECK(consumed <= k - off && produced <= room);
            off += consumed;
            written += produced;
            if (rc == WS_OK) {
                FUZZ_CHECK(off == k);
                break;
            }
            FUZZ_CHECK(split != NULL); /* the whole run never runs out of room */
        }
        fed += k;
    } while (fed < n);
    return written;
}

/* zlib as a peer reads the payload: tail put back, one inflate stream kept
 * across messages unless the sender resets its window. */
static void check_with_zlib(z_stream *z, const uint8_t *payload, size_t len, const uint8_t *m,
                            size_t n, uint8_t *scratch)
{
    static const uint8_t tail[4] = { 0x00, 0x00, 0xff, 0xff };
    size_t got = 0;
    for (int part = 0; part < 2; part++) {
        z->next_in = (Bytef *)(part ? tail : payload);
        z->avail_in = (uInt)(part ? sizeof tail : len);
        while (z->avail_in > 0) {
            z->next_out = scratch + got;
            z->avail_out = (uInt)(MESSAGE_MAX + 1 - got);
            int rc = inflate(z, Z_SYNC_FLUSH);
            FUZZ_CHECK(rc == Z_OK || rc == Z_BUF_ERROR);
            got = (size_t)(z->next_out - scratch);
            FUZZ_CHECK(got <= n);
            if (rc == Z_BUF_ERROR)
                break;
        }
        FUZZ_CHECK(z->avail_in == 0);
    }
    FUZZ_CHECK(got == n && (n == 0 || memcmp(scratch, m, n) == 0));
}

static void check_with_inflater(ws_inflater *inf, const uint8_t *payload, size_t len,
                                const uint8_t *m, size_t n, size_t cap, uint8_t *scratch)
{
    size_t off = 0, got = 0;
    for (;;) {
        size_t consumed = 0, produced = 0;
        int rc = ws_inflater_feed(inf, payload + off, len - off, true, scratch + got, cap,
                                  &consumed, &produced);
        FUZZ_CHECK(rc == WS_OK || rc == WS_PMD_OUTPUT_FULL);
        off += consumed;
        got += produced;
        FUZZ_CHECK(got <= n);
        if (rc == WS_OK)
            break;
    }
    FUZZ_CHECK(off == len && got == n && (n == 0 || memcmp(scratch, m, n) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *whole_out, *chunked_out, *scratch;
    if (!whole_out) {
        whole_out = malloc(PAYLOAD_MAX);
        chunked_out = malloc(PAYLOAD_MAX);
        scratch = malloc(MESSAGE_MAX + 1 + 4096);
        if (!whole_out || !chunked_out || !scratch)
            abort();
    }
    if (size < 3)
        return 0;
    uint8_t window_bits = (uint8_t)(8 + (data[0] & 7));
    bool reset = (data[0] & 8) != 0;
    uint8_t level = (uint8_t)((data[0] >> 4) % 10);
    size_t deflate_cap = out_caps[data[1] & 15], inflate_cap = out_caps[data[1] >> 4];

    counting_alloc ca_deflate[2] = { { 0 }, { 0 } }, ca_inflate[2] = { { 0 }, { 0 } };
    ws_deflater def[2];
    ws_inflater inf[2];
    z_stream z[2];
    for (int i = 0; i < 2; i++) {
        ws_deflater_config dc = { .window_bits = window_bits, .no_context_takeover = reset,
                                  .level = level, .realloc_fn = counting_realloc,
                                  .alloc_ctx = &ca_deflate[i] };
        FUZZ_CHECK(ws_deflater_init(&def[i], &dc) == WS_OK);
        ws_inflater_config ic = { .window_bits = window_bits, .no_context_takeover = reset,
                                  .max_message_size = MESSAGE_MAX,
                                  .realloc_fn = counting_realloc, .alloc_ctx = &ca_inflate[i] };
        FUZZ_CHECK(ws_inflater_init(&inf[i], &ic) == WS_OK);
        memset(&z[i], 0, sizeof z[i]);
        FUZZ_CHECK(inflateInit2(&z[i], -(int)window_bits) == Z_OK);
    }

    fuzz_split split;
    fuzz_split_init(&split, data[2]);
    const uint8_t *s = data + 3;
    size_t n = size - 3, pos = 0;
    const uint8_t *m;
    size_t len;
    while (fuzz_next_record(s, n, &pos, &m, &len)) {
        size_t made[2];
        made[0] = compress_message(&def[0], m, len, NULL, 0, whole_out);
        made[1] = compress_message(&def[1], m, len, &split, deflate_cap, chunked_out);
        for (int i = 0; i < 2; i++) {
            const uint8_t *payload = i ? chunked_out : whole_out;
            FUZZ_CHECK(made[i] >= 1);
            if (reset)
                FUZZ_CHECK(inflateReset(&z[i]) == Z_OK);
            check_with_zlib(&z[i], payload, made[i], m, len, scratch);
            check_with_inflater(&inf[i], payload, made[i], m, len, inflate_cap, scratch);
        }
    }

    /* deflate.h: 2^(window+2) + 2^(memLevel+9) + about 6 KiB, memLevel 8. */
    size_t deflate_bound = ((size_t)1 << (window_bits + 2)) + ((size_t)1 << 17) + 8192;
    size_t inflate_bound = ((size_t)1 << window_bits) + 8192;
    for (int i = 0; i < 2; i++) {
        FUZZ_CHECK(ca_deflate[i].peak <= deflate_bound && ca_inflate[i].peak <= inflate_bound);
        ws_deflater_free(&def[i]);
        ws_inflater_free(&inf[i]);
        inflateEnd(&z[i]);
        FUZZ_CHECK(ca_deflate[i].live == 0 && ca_inflate[i].live == 0);
    }
    return 0;
}

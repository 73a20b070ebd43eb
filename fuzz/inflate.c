/*
 * Fuzz target: the permessage-deflate inflater (ws_inflater_feed,
 * wscodec/deflate.h) on hostile compressed payloads, with small output caps.
 *
 * Input layout:
 *   [0]   bits 0-2 the sender's window (8 + value), bit 3 no_context_takeover,
 *         bits 4-7 the output size of the second run (index into out_caps)
 *   [1]   chunking of the input in the second run (fuzz_common.h)
 *   [2]   bits 0-3 max_message_size (index into max_sizes)
 *   [3..] messages, each a 2-byte big-endian length and that many payload
 *         bytes (the last one cut short by the end of the input)
 * Every message is inflated twice on two inflaters: whole, into room for the
 * cap plus one byte, and in chunks into a small output buffer. Properties:
 *   - a message never inflates past max_message_size: at most one byte more
 *     is written, and only with WS_E_MESSAGE_TOO_BIG (a decompression bomb
 *     stops at the cap), which comes with at least max_message_size bytes;
 *   - the inflater's memory stays within 8 KiB + its window, all of it
 *     released by ws_inflater_free();
 *   - both runs give the same verdict and, for a message that inflates, the
 *     same bytes, message after message (on an error, the same bytes as far
 *     as both got: how much zlib writes before it sees bad data depends on
 *     its room); the one exception is zlib's check of distances, which counts
 *     the output of the current call on top of the window, so a payload
 *     reaching past the window may be refused as corrupt by one run only
 *     (the runs then agree as far as both got);
 *   - errors are sticky; consumed and produced never exceed what was given.
 */
#include <stdbool.h>

#include "counting_alloc.h"
#include "fuzz_common.h"
#include "wscodec/deflate.h"
#include "wscodec/error.h"

static const size_t out_caps[16] = { 1, 1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 100, 257, 1024, 4096 };
static const uint64_t max_sizes[16] = {
    1, 2, 5, 16, 64, 100, 256, 1000, 4096, 10000, 32768, 65536, 100000, 262144, 1 << 20, 1 << 20,
};

#define OUT_MAX ((1u << 20) + 1)

/* One message through one inflater: its verdict and the bytes it wrote. */
typedef struct message_result {
    int rc;
    size_t produced;
} message_result;

/* Whole: the payload at once into out (OUT_MAX bytes). */
static message_result inflate_whole(ws_inflater *inf, const uint8_t *p, size_t n, uint8_t *out)
{
    message_result m = { WS_OK, 0 };
    size_t consumed = 0, produced = 0;
    m.rc = ws_inflater_feed(inf, p, n, true, out, OUT_MAX, &consumed, &produced);
    FUZZ_CHECK(consumed <= n && produced <= OUT_MAX);
    /* Room for the cap and one more byte: never "output full". */
    FUZZ_CHECK(m.rc != WS_PMD_OUTPUT_FULL);
    m.produced = produced;
    return m;
}

/* Chunked: pieces of the payload, output cap bytes at a time, each piece at
 * the end of a heap window so that an over-read is an ASan report. */
static message_result inflate_chunked(ws_inflater *inf, const uint8_t *p, size_t n,
                                      fuzz_split *split, fuzz_window *in_win, size_t cap,
                                      uint8_t *out)
{
    message_result m = { WS_OK, 0 };
    size_t fed = 0;
    uint8_t small[4096];
    do {
        size_t k = fuzz_split_next(split, n - fed);
        bool fin = fed + k == n;
        const uint8_t *chunk = fuzz_window_put(in_win, p + fed, k);
        size_t off = 0;
        for (;;) {
            size_t consumed = 0, produced = 0;
            int rc = ws_inflater_feed(inf, chunk + off, k - off, fin, small, cap, &consumed,
                                      &produced);
            FUZZ_CHECK(consumed <= k - off && produced <= cap);
            FUZZ_CHECK(m.produced + produced <= OUT_MAX);
            memcpy(out + m.produced, small, produced);
            m.produced += produced;
            off += consumed;
            if (rc == WS_PMD_OUTPUT_FULL)
                continue;
            if (rc != WS_OK) {
                m.rc = rc;
                return m;
            }
            FUZZ_CHECK(off == k);
            break;
        }
        fed += k;
    } while (fed < n);
    return m;
}

static bool known_error(int rc)
{
    return rc == WS_E_MESSAGE_TOO_BIG || rc == WS_E_PMD_DATA_CORRUPT ||
           rc == WS_E_PMD_DATA_TRUNCATED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *whole_out, *chunked_out;
    if (!whole_out) {
        whole_out = malloc(OUT_MAX);
        chunked_out = malloc(OUT_MAX);
        if (!whole_out || !chunked_out)
            abort();
    }
    if (size < 3)
        return 0;
    uint8_t window_bits = (uint8_t)(8 + (data[0] & 7));
    uint64_t max = max_sizes[data[2] & 15];
    size_t cap = out_caps[data[0] >> 4];
    if (cap < 64 && max > 65536)
        max = 65536; /* a megabyte a few bytes at a time would time out */
    counting_alloc ca_whole = { 0 }, ca_chunked = { 0 };
    ws_inflater_config cfg = { .window_bits = window_bits,
                               .no_context_takeover = (data[0] & 8) != 0,
                               .max_message_size = max,
                               .realloc_fn = counting_realloc };
    ws_inflater whole, chunked;
    cfg.alloc_ctx = &ca_whole;
    FUZZ_CHECK(ws_inflater_init(&whole, &cfg) == WS_OK);
    cfg.alloc_ctx = &ca_chunked;
    FUZZ_CHECK(ws_inflater_init(&chunked, &cfg) == WS_OK);

    fuzz_split split;
    fuzz_split_init(&split, data[1]);
    fuzz_window in_win;
    fuzz_window_init(&in_win, size);

    const uint8_t *s = data + 3;
    size_t n = size - 3, pos = 0;
    bool diverged = false; /* the runs disagreed on a window overrun */
    int whole_error = WS_OK, chunked_error = WS_OK;
    const uint8_t *p;
    size_t len;
    while (!diverged && fuzz_next_record(s, n, &pos, &p, &len)) {
        message_result a = inflate_whole(&whole, p, len, whole_out);
        message_result b = inflate_chunked(&chunked, p, len, &split, &in_win, cap, chunked_out);
        FUZZ_CHECK(a.rc == WS_OK || known_error(a.rc));
        FUZZ_CHECK(b.rc == WS_OK || known_error(b.rc));
        for (int i = 0; i < 2; i++) {
            const message_result *m = i ? &b : &a;
            FUZZ_CHECK(m->produced <= max + 1);
            if (m->produced > max)
                FUZZ_CHECK(m->rc == WS_E_MESSAGE_TOO_BIG);
        }
        if (a.rc == b.rc && a.rc == WS_E_MESSAGE_TOO_BIG) {
            /* Where past the cap the overflow is seen depends on the output
             * room: the cap itself, or the one byte beyond it. */
            FUZZ_CHECK(a.produced >= max && b.produced >= max);
            FUZZ_CHECK(memcmp(whole_out, chunked_out, max) == 0);
        } else if (a.rc == b.rc && a.rc == WS_OK) {
            FUZZ_CHECK(a.produced == b.produced);
            FUZZ_CHECK(memcmp(whole_out, chunked_out, a.produced) == 0);
        } else if (a.rc == b.rc) {
            /* How much zlib writes before it sees bad data depends on the
             * room it has: the runs agree as far as both got. */
            size_t both = a.produced < b.produced ? a.produced : b.produced;
            FUZZ_CHECK(memcmp(whole_out, chunked_out, both) == 0);
        } else {
            /* Only a window overrun may be seen by one run and not the other. */
            const message_result *refused = a.rc == WS_E_PMD_DATA_CORRUPT ? &a : &b;
            FUZZ_CHECK(refused->rc == WS_E_PMD_DATA_CORRUPT);
            size_t both = a.produced < b.produced ? a.produced : b.produced;
            FUZZ_CHECK(memcmp(whole_out, chunked_out, both) == 0);
            diverged = true;
        }
        if (a.rc != WS_OK)
            whole_error = a.rc;
        if (b.rc != WS_OK)
            chunked_error = b.rc;
        if (whole_error != WS_OK && chunked_error != WS_OK)
            break;
    }

    /* Sticky errors. */
    size_t consumed, produced;
    uint8_t one;
    if (whole_error != WS_OK)
        FUZZ_CHECK(ws_inflater_feed(&whole, data, size, true, &one, 1, &consumed, &produced) ==
                   whole_error);
    if (chunked_error != WS_OK)
        FUZZ_CHECK(ws_inflater_feed(&chunked, data, size, true, &one, 1, &consumed, &produced) ==
                   chunked_error);

    /* zlib's state (about 7 KiB) and the window, never more. */
    size_t bound = ((size_t)1 << window_bits) + 8192;
    FUZZ_CHECK(ca_whole.peak <= bound && ca_chunked.peak <= bound);
    ws_inflater_free(&whole);
    ws_inflater_free(&chunked);
    FUZZ_CHECK(ca_whole.live == 0 && ca_chunked.live == 0);
    fuzz_window_free(&in_win);
    return 0;
}

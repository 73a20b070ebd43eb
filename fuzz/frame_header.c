/*
 * Fuzz target: the frame header decoder (wscodec/frame.h) over a stream that
 * arrives in pieces.
 *
 * Input: one control byte choosing the chunking (fuzz_common.h), then a byte
 * stream of frames. A reader appends each chunk to what it holds and decodes
 * headers while it can, skipping payloads by their announced length, exactly
 * as a network reader would. Properties:
 *   - at every split the decoder answers WS_NEED_MORE or exactly what it
 *     answers when given the whole rest of the stream (same header, same
 *     length, same error), and WS_NEED_MORE only while that answer is not yet
 *     determined by the bytes held;
 *   - it reads at most min(len, WS_FRAME_HEADER_MAX) bytes (the bytes are
 *     handed over at the very end of a heap buffer);
 *   - the fields are consistent with each other, and re-encoding them with the
 *     same length form and declared length gives back the very same bytes.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"

/* Decodes with the held bytes at the very end of a heap buffer (at most the
 * WS_FRAME_HEADER_MAX the decoder may read), copied by hand: at most 14 bytes,
 * cheaper than a call to the sanitizer's memcpy. */
static int decode_windowed(fuzz_window *w, const uint8_t *p, size_t avail, ws_frame_header *h)
{
    size_t n = avail < WS_FRAME_HEADER_MAX ? avail : WS_FRAME_HEADER_MAX;
    uint8_t *dst = w->buf + (w->cap - n);
    for (size_t i = 0; i < n; i++)
        dst[i] = p[i];
    return ws_frame_decode_header(dst, n, h);
}

/* Byte comparison without a call: this runs for every header, and the
 * sanitizers' memcmp interceptor costs more than the decoder itself. */
static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

static bool same_header(const ws_frame_header *a, const ws_frame_header *b)
{
    return a->payload_length == b->payload_length && a->fin == b->fin && a->rsv == b->rsv &&
           a->opcode == b->opcode && a->masked == b->masked &&
           same_bytes(a->mask_key, b->mask_key, 4) && a->length_form == b->length_form &&
           a->length_minimal == b->length_minimal && a->header_length == b->header_length;
}

/* Checks a decoded header against the bytes it came from. */
static void check_header(const ws_frame_header *h, const uint8_t *wire, int rc)
{
    static const uint8_t zero[4] = { 0, 0, 0, 0 };
    uint8_t len7 = wire[1] & 0x7f;
    size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;

    FUZZ_CHECK(rc == h->header_length);
    FUZZ_CHECK(h->header_length == 2 + ext + (h->masked ? 4 : 0));
    FUZZ_CHECK(h->fin == ((wire[0] & 0x80) != 0));
    FUZZ_CHECK(h->rsv == ((wire[0] >> 4) & 7));
    FUZZ_CHECK(h->opcode == (wire[0] & 0x0f));
    FUZZ_CHECK(h->masked == ((wire[1] & 0x80) != 0));
    FUZZ_CHECK(h->masked || same_bytes(h->mask_key, zero, 4));
    FUZZ_CHECK(!h->masked || same_bytes(h->mask_key, wire + 2 + ext, 4));
    switch (h->length_form) {
    case WS_LENGTH_7:
        FUZZ_CHECK(ext == 0 && h->payload_length == len7 && h->length_minimal);
        break;
    case WS_LENGTH_16:
        FUZZ_CHECK(ext == 2 && h->payload_length <= 0xffff);
        FUZZ_CHECK(h->length_minimal == (h->payload_length > 125));
        break;
    case WS_LENGTH_64:
        FUZZ_CHECK(ext == 8 && h->payload_length < (UINT64_C(1) << 63));
        FUZZ_CHECK(h->length_minimal == (h->payload_length > 0xffff));
        break;
    default:
        FUZZ_CHECK(!"length form out of range");
    }

    /* Re-encode exactly what was decoded. */
    ws_frame_spec spec = {
        .fin = h->fin,
        .rsv = h->rsv,
        .opcode = h->opcode,
        .masked = h->masked,
        .length_form = h->length_form,
        .declare_length = true,
        .declared_length = h->payload_length,
    };
    memcpy(spec.mask_key, h->mask_key, 4);
    uint8_t out[WS_FRAME_HEADER_MAX];
    int n = ws_frame_encode_header(&spec, 0, out);
    FUZZ_CHECK(n == h->header_length);
    FUZZ_CHECK(same_bytes(out, wire, (size_t)n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_window window; /* lives for the process: no allocation per input */
    if (!window.buf)
        fuzz_window_init(&window, WS_FRAME_HEADER_MAX);
    if (size < 1)
        return 0;

    fuzz_split split;
    fuzz_split_init(&split, data[0]);
    const uint8_t *s = data + 1;
    const size_t n = size - 1;

    size_t held = 0;   /* bytes of the stream the reader holds */
    uint64_t pos = 0;  /* where the next header starts */
    bool have_whole = false;
    int whole_rc = 0;
    ws_frame_header whole;

    while (held < n) {
        held += fuzz_split_next(&split, n - held);
        while (pos < held) {
            size_t avail = held - (size_t)pos;
            if (!have_whole) {
                /* The reference answer: everything that will ever arrive. */
                whole_rc = ws_frame_decode_header(s + pos, n - (size_t)pos, &whole);
                have_whole = true;
                FUZZ_CHECK(whole_rc == WS_NEED_MORE || whole_rc == WS_E_LENGTH_MSB_SET ||
                           (whole_rc >= 2 && whole_rc <= WS_FRAME_HEADER_MAX));
                if (whole_rc == WS_E_LENGTH_MSB_SET)
                    FUZZ_CHECK((s[pos + 1] & 0x7f) == 127 && (s[pos + 2] & 0x80));
                if (whole_rc > 0)
                    check_header(&whole, s + pos, whole_rc);
            }

            /* Sentinels that must survive WS_NEED_MORE: out is untouched. */
            ws_frame_header h;
            h.payload_length = UINT64_C(0x5a5a5a5a5a5a5a5a);
            h.header_length = 0x5a;
            h.opcode = 0x5a;
            int rc = decode_windowed(&window, s + pos, avail, &h);
            if (rc == WS_NEED_MORE) {
                FUZZ_CHECK(h.payload_length == UINT64_C(0x5a5a5a5a5a5a5a5a) &&
                           h.header_length == 0x5a && h.opcode == 0x5a);
                if (whole_rc > 0)
                    FUZZ_CHECK(avail < (size_t)whole_rc);
                else if (whole_rc == WS_E_LENGTH_MSB_SET)
                    FUZZ_CHECK(avail < 3);
                break; /* wait for the next chunk */
            }
            FUZZ_CHECK(rc == whole_rc);
            if (rc < 0)
                return 0; /* a reader fails the connection here */
            FUZZ_CHECK(same_header(&h, &whole));

            /* Skip the payload; it may run past the end of the stream. */
            uint64_t next = pos + (uint64_t)rc;
            if (h.payload_length > (uint64_t)n - next)
                return 0;
            pos = next + h.payload_length;
            have_whole = false;
        }
    }
    /* The stream ended: whatever is left is an incomplete header. */
    if (pos < n)
        FUZZ_CHECK(have_whole && whole_rc == WS_NEED_MORE);
    return 0;
}

/*
 * Fuzz target: frame encoder and decoder against each other and against a
 * byte-by-byte reference (wscodec/frame.h), and ws_frame_check() against a
 * transcription of its documented rule order.
 *
 * Input layout:
 *   [0]      bit 0 FIN, bit 1 masked, bit 2 declare_length, bits 3-5 length
 *            form (4..7 are invalid), bit 6 receiver role (1 = server),
 *            bit 7 allow_non_minimal_length
 *   [1]      bits 0-3 RSV (8..15 are invalid), bits 4-6 rsv_allowed
 *   [2]      bits 0-4 opcode (16..31 are invalid), bits 5-7 how much the
 *            output buffer of ws_frame_encode() falls short
 *   [3..6]   masking key
 *   [7..14]  length, big-endian: both the declared length and the payload
 *            length given to ws_frame_encode_header()
 *   [15..]   payload for ws_frame_encode(), and a wire header to decode
 * Properties:
 *   - spec -> encode_header gives exactly the reference bytes, or
 *     WS_E_INVALID_ARGUMENT exactly when the reference says so;
 *   - those bytes decode to exactly the spec (or WS_E_LENGTH_MSB_SET for a
 *     64-bit length with its top bit set), and every shorter prefix gives
 *     WS_NEED_MORE (or that error once its first length byte is present);
 *   - decode -> encode -> decode of the payload bytes agrees on every field;
 *   - re-encoding with the minimal form gives a minimal header with the same
 *     fields;
 *   - ws_frame_encode() writes that header plus the (masked) payload, or
 *     WS_E_BUFFER_TOO_SMALL exactly when they do not fit;
 *   - ws_frame_check() returns the first violated rule in the documented order.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"

#define PREFIX 15

static bool same_header(const ws_frame_header *a, const ws_frame_header *b)
{
    return a->payload_length == b->payload_length && a->fin == b->fin && a->rsv == b->rsv &&
           a->opcode == b->opcode && a->masked == b->masked &&
           memcmp(a->mask_key, b->mask_key, 4) == 0 && a->length_form == b->length_form &&
           a->length_minimal == b->length_minimal && a->header_length == b->header_length;
}

/* The rules of ws_frame_check(), in the order frame.h documents. */
static int ref_check(const ws_frame_header *h, const ws_frame_rules *r)
{
    bool control = h->opcode >= 8;
    bool reserved = (h->opcode >= 3 && h->opcode <= 7) || h->opcode >= 11;
    if (h->rsv & ~r->rsv_allowed & 7)
        return WS_E_RSV_NOT_NEGOTIATED;
    if (reserved)
        return WS_E_OPCODE_RESERVED;
    if (control && !h->fin)
        return WS_E_CONTROL_FRAGMENTED;
    if (control && h->payload_length > 125)
        return WS_E_CONTROL_TOO_LONG;
    if (r->role == WS_ROLE_SERVER && !h->masked)
        return WS_E_FRAME_NOT_MASKED;
    if (r->role == WS_ROLE_CLIENT && h->masked)
        return WS_E_FRAME_MASKED;
    if (!h->length_minimal && !r->allow_non_minimal_length)
        return WS_E_LENGTH_NOT_MINIMAL;
    return WS_OK;
}

/* Reference encoder: the header bytes for spec, or WS_E_INVALID_ARGUMENT. */
static int ref_encode(const ws_frame_spec *spec, uint64_t payload_length, uint8_t *out)
{
    if (spec->rsv > 7 || spec->opcode > 15 || (unsigned)spec->length_form > 3)
        return WS_E_INVALID_ARGUMENT;
    uint64_t len = spec->declare_length ? spec->declared_length : payload_length;
    unsigned form = (unsigned)spec->length_form;
    if (form == 0)
        form = len < 126 ? 1 : len < 65536 ? 2 : 3;
    if ((form == 1 && len > 125) || (form == 2 && len > 65535))
        return WS_E_INVALID_ARGUMENT;
    int n = 0;
    out[n++] = (uint8_t)((spec->fin ? 128 : 0) + spec->rsv * 16 + spec->opcode);
    uint8_t m = spec->masked ? 128 : 0;
    if (form == 1) {
        out[n++] = (uint8_t)(m + len);
    } else if (form == 2) {
        out[n++] = (uint8_t)(m + 126);
        out[n++] = (uint8_t)(len / 256);
        out[n++] = (uint8_t)(len % 256);
    } else {
        out[n++] = (uint8_t)(m + 127);
        for (int i = 7; i >= 0; i--)
            out[n++] = (uint8_t)((len >> (8 * i)) % 256);
    }
    for (int i = 0; spec->masked && i < 4; i++)
        out[n++] = spec->mask_key[i];
    return n;
}

static void check_rules(const ws_frame_header *h, const ws_frame_rules *rules)
{
    FUZZ_CHECK(ws_frame_check(h, rules) == ref_check(h, rules));
}

/* Decodes every prefix of an encoded header. */
static void check_prefixes(const uint8_t *wire, int n, bool msb_error)
{
    ws_frame_header h;
    for (int k = 0; k < n; k++) {
        int rc = ws_frame_decode_header(wire, (size_t)k, &h);
        if (msb_error && k >= 3)
            FUZZ_CHECK(rc == WS_E_LENGTH_MSB_SET);
        else
            FUZZ_CHECK(rc == WS_NEED_MORE);
    }
}

/* spec -> bytes -> header, against the reference. */
static void spec_roundtrip(const ws_frame_spec *spec, uint64_t payload_length,
                           const ws_frame_rules *rules)
{
    uint8_t want[WS_FRAME_HEADER_MAX], got[WS_FRAME_HEADER_MAX];
    int n = ref_encode(spec, payload_length, want);
    int rc = ws_frame_encode_header(spec, payload_length, got);
    FUZZ_CHECK(rc == n);
    if (n < 0)
        return;
    FUZZ_CHECK(memcmp(got, want, (size_t)n) == 0);

    uint64_t len = spec->declare_length ? spec->declared_length : payload_length;
    bool msb = len >> 63 != 0;
    check_prefixes(got, n, msb);
    ws_frame_header h;
    rc = ws_frame_decode_header(got, (size_t)n, &h);
    if (msb) {
        FUZZ_CHECK(rc == WS_E_LENGTH_MSB_SET);
        return;
    }
    FUZZ_CHECK(rc == n && h.header_length == n);
    FUZZ_CHECK(h.fin == spec->fin && h.rsv == spec->rsv && h.opcode == spec->opcode);
    FUZZ_CHECK(h.masked == spec->masked && h.payload_length == len);
    if (spec->masked)
        FUZZ_CHECK(memcmp(h.mask_key, spec->mask_key, 4) == 0);
    else
        FUZZ_CHECK(!h.mask_key[0] && !h.mask_key[1] && !h.mask_key[2] && !h.mask_key[3]);
    ws_length_form form = spec->length_form;
    if (form == WS_LENGTH_MINIMAL)
        form = len < 126 ? WS_LENGTH_7 : len < 65536 ? WS_LENGTH_16 : WS_LENGTH_64;
    FUZZ_CHECK(h.length_form == form);
    FUZZ_CHECK(h.length_minimal ==
               (form == WS_LENGTH_7 || (form == WS_LENGTH_16 && len > 125) ||
                (form == WS_LENGTH_64 && len > 65535)));
    check_rules(&h, rules);
}

/* wire -> header -> bytes -> header. */
static void wire_roundtrip(const uint8_t *wire, size_t len, const ws_frame_rules *rules)
{
    ws_frame_header h1, h2, h3;
    int rc = ws_frame_decode_header(wire, len, &h1);
    if (rc == WS_NEED_MORE || rc == WS_E_LENGTH_MSB_SET)
        return;
    FUZZ_CHECK(rc >= 2 && rc <= WS_FRAME_HEADER_MAX);
    check_rules(&h1, rules);

    ws_frame_spec spec = {
        .fin = h1.fin,
        .rsv = h1.rsv,
        .opcode = h1.opcode,
        .masked = h1.masked,
        .length_form = h1.length_form,
        .declare_length = true,
        .declared_length = h1.payload_length,
    };
    memcpy(spec.mask_key, h1.mask_key, 4);
    uint8_t out[WS_FRAME_HEADER_MAX];
    int n = ws_frame_encode_header(&spec, 12345, out);
    FUZZ_CHECK(n == rc && memcmp(out, wire, (size_t)n) == 0);
    FUZZ_CHECK(ws_frame_decode_header(out, (size_t)n, &h2) == n);
    FUZZ_CHECK(same_header(&h1, &h2));

    /* The same frame with its length written minimally. */
    spec.length_form = WS_LENGTH_MINIMAL;
    spec.declare_length = false;
    n = ws_frame_encode_header(&spec, h1.payload_length, out);
    FUZZ_CHECK(n >= 2 && n <= rc);
    FUZZ_CHECK(ws_frame_decode_header(out, (size_t)n, &h3) == n);
    FUZZ_CHECK(h3.length_minimal && h3.payload_length == h1.payload_length);
    FUZZ_CHECK(n == rc || !h1.length_minimal);
    h3.length_form = h1.length_form;
    h3.length_minimal = h1.length_minimal;
    h3.header_length = h1.header_length;
    FUZZ_CHECK(same_header(&h1, &h3));
}

/* Whole-frame encoding into a buffer of exactly cap bytes. */
static void frame_encode(const ws_frame_spec *spec, const uint8_t *payload, size_t plen,
                         unsigned shortfall)
{
    uint8_t header[WS_FRAME_HEADER_MAX];
    int hl = ref_encode(spec, plen, header);
    size_t total = hl > 0 ? (size_t)hl + plen : plen;
    static const size_t cut[8] = { 0, 0, 0, 0, 1, 2, 9, SIZE_MAX };
    size_t cap = total - (cut[shortfall] < total ? cut[shortfall] : total);

    uint8_t *out = malloc(cap ? cap : 1);
    if (!out)
        abort();
    size_t written = 0xdead;
    int rc = ws_frame_encode(spec, payload, plen, out, cap, &written);
    if (hl < 0) {
        FUZZ_CHECK(rc == hl);
    } else if (cap < total) {
        FUZZ_CHECK(rc == WS_E_BUFFER_TOO_SMALL);
    } else {
        FUZZ_CHECK(rc == WS_OK && written == total);
        FUZZ_CHECK(memcmp(out, header, (size_t)hl) == 0);
        for (size_t i = 0; i < plen; i++)
            FUZZ_CHECK(out[(size_t)hl + i] ==
                       (uint8_t)(payload[i] ^ (spec->masked ? spec->mask_key[i % 4] : 0)));
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < PREFIX)
        return 0;
    ws_frame_spec spec = {
        .fin = data[0] & 1,
        .masked = (data[0] >> 1) & 1,
        .declare_length = (data[0] >> 2) & 1,
        .length_form = (ws_length_form)((data[0] >> 3) & 7),
        .rsv = data[1] & 0x0f,
        .opcode = data[2] & 0x1f,
    };
    memcpy(spec.mask_key, data + 3, 4);
    uint64_t length = fuzz_be64(data + 7);
    spec.declared_length = length;
    ws_frame_rules rules = {
        .role = (data[0] & 0x40) ? WS_ROLE_SERVER : WS_ROLE_CLIENT,
        .rsv_allowed = (data[1] >> 4) & 7,
        .allow_non_minimal_length = (data[0] & 0x80) != 0,
    };
    const uint8_t *rest = data + PREFIX;
    size_t rest_len = size - PREFIX;

    spec_roundtrip(&spec, length, &rules);
    wire_roundtrip(rest, rest_len, &rules);
    frame_encode(&spec, rest, rest_len, data[2] >> 5);
    return 0;
}

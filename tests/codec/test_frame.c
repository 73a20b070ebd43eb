/* Frame header decoding, checking and encoding (RFC 6455 §5.2, §5.7). */
#include "guard.h"
#include "tap.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"
#include "wscodec/mask.h"

/* Decodes bytes whole, via a guard page, and checks every shorter prefix needs more. */
static int decode_all_ways(const uint8_t *bytes, size_t len, ws_frame_header *out)
{
    guarded g = guard_copy(bytes, len);
    int whole = ws_frame_decode_header(g.data, len, out);
    int prefix_ok = 1;
    for (size_t cut = 0; cut < len && cut < (size_t)(whole > 0 ? whole : (int)len); cut++) {
        guarded p = guard_copy(bytes, cut);
        ws_frame_header scratch;
        int r = ws_frame_decode_header(p.data, cut, &scratch);
        guard_free(&p);
        if (r != WS_NEED_MORE && r != WS_E_LENGTH_MSB_SET) {
            prefix_ok = 0;
            tap_diag("prefix of %zu bytes gave %d", cut, r);
        }
    }
    guard_free(&g);
    ok(prefix_ok, "every proper prefix of the header needs more");
    return whole;
}

static void rfc_examples(void)
{
    ws_frame_header h;
    /* §5.7: a single-frame unmasked text message "Hello". */
    static const uint8_t unmasked[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    is_int(decode_all_ways(unmasked, sizeof unmasked, &h), 2, "unmasked Hello: 2-byte header");
    ok(h.fin && h.opcode == WS_OP_TEXT && !h.masked && h.payload_length == 5 && h.rsv == 0,
       "unmasked Hello: FIN, text, 5 bytes");
    ok(h.length_form == WS_LENGTH_7 && h.length_minimal, "unmasked Hello: 7-bit minimal length");

    /* §5.7: a single-frame masked text message "Hello". */
    static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                     0x7f, 0x9f, 0x4d, 0x51, 0x58};
    is_int(decode_all_ways(masked, sizeof masked, &h), 6, "masked Hello: 6-byte header");
    ok(h.masked && h.mask_key[0] == 0x37 && h.mask_key[3] == 0x3d, "masked Hello: key exposed");
    uint8_t payload[5];
    ws_mask_copy(payload, masked + 6, 5, h.mask_key, 0);
    is_mem(payload, 5, "Hello", 5, "masked Hello unmasks to Hello");

    /* §5.7: fragmented "Hel" + "lo". */
    static const uint8_t first[] = {0x01, 0x03, 'H', 'e', 'l'};
    static const uint8_t last[] = {0x80, 0x02, 'l', 'o'};
    decode_all_ways(first, sizeof first, &h);
    ok(!h.fin && h.opcode == WS_OP_TEXT && h.payload_length == 3, "first fragment: FIN clear");
    decode_all_ways(last, sizeof last, &h);
    ok(h.fin && h.opcode == WS_OP_CONTINUATION && h.payload_length == 2,
       "last fragment: continuation with FIN");

    /* §5.7: 256 bytes binary in one unmasked frame; 64 KiB binary. */
    static const uint8_t b256[] = {0x82, 0x7e, 0x01, 0x00};
    is_int(decode_all_ways(b256, sizeof b256, &h), 4, "256-byte binary: 4-byte header");
    ok(h.payload_length == 256 && h.length_form == WS_LENGTH_16 && h.length_minimal,
       "256-byte binary: 16-bit minimal length");
    static const uint8_t b64k[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0};
    is_int(decode_all_ways(b64k, sizeof b64k, &h), 10, "64 KiB binary: 10-byte header");
    ok(h.payload_length == 65536 && h.length_form == WS_LENGTH_64 && h.length_minimal,
       "64 KiB binary: 64-bit minimal length");

    /* Ping "Hello" and the masked Pong answering it. */
    static const uint8_t ping[] = {0x89, 0x05, 'H', 'e', 'l', 'l', 'o'};
    decode_all_ways(ping, sizeof ping, &h);
    ok(h.opcode == WS_OP_PING && h.fin, "ping decoded");
}

static void lengths(void)
{
    ws_frame_header h;
    static const uint8_t msb[] = {0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1};
    is_int(ws_frame_decode_header(msb, sizeof msb, &h), WS_E_LENGTH_MSB_SET,
           "64-bit length with MSB set is an error (5.2)");
    is_int(ws_frame_decode_header(msb, 3, &h), WS_E_LENGTH_MSB_SET,
           "MSB error reported as soon as the byte arrives");
    static const uint8_t non_min16[] = {0x82, 0x7e, 0x00, 0x05};
    is_int(ws_frame_decode_header(non_min16, sizeof non_min16, &h), 4, "16-bit form of 5 decodes");
    ok(!h.length_minimal && h.payload_length == 5, "16-bit form of 5 is reported non-minimal");
    static const uint8_t edge16[] = {0x82, 0x7e, 0x00, 0x7e};
    ws_frame_decode_header(edge16, sizeof edge16, &h);
    ok(h.length_minimal && h.payload_length == 126, "16-bit form of 126 is minimal");
    static const uint8_t edge16_125[] = {0x82, 0x7e, 0x00, 0x7d};
    ws_frame_decode_header(edge16_125, sizeof edge16_125, &h);
    ok(!h.length_minimal, "16-bit form of 125 is non-minimal");
    static const uint8_t non_min64[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    ws_frame_decode_header(non_min64, sizeof non_min64, &h);
    ok(!h.length_minimal && h.payload_length == 65535, "64-bit form of 65535 is non-minimal");
    static const uint8_t max63[] = {0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    is_int(ws_frame_decode_header(max63, sizeof max63, &h), 10, "largest legal length decodes");
    ok(h.payload_length == UINT64_MAX >> 1, "largest legal length is 2^63-1");
    is_int(ws_frame_decode_header(max63, 0, &h), WS_NEED_MORE, "empty input needs more");
}

static void check_rules(void)
{
    ws_frame_rules server = {.role = WS_ROLE_SERVER};
    ws_frame_rules client = {.role = WS_ROLE_CLIENT};
    ws_frame_header h = {.fin = true, .opcode = WS_OP_TEXT, .masked = true,
                         .length_minimal = true, .payload_length = 3};
    is_int(ws_frame_check(&h, &server), WS_OK, "masked text frame is fine for a server");
    is_int(ws_frame_check(&h, &client), WS_E_FRAME_MASKED, "masked frame rejected by a client (5.1)");
    h.masked = false;
    is_int(ws_frame_check(&h, &server), WS_E_FRAME_NOT_MASKED,
           "unmasked frame rejected by a server (5.1)");
    is_int(ws_frame_check(&h, &client), WS_OK, "unmasked frame is fine for a client");
    for (uint8_t rsv = 1; rsv < 8; rsv++) {
        h.rsv = rsv;
        is_int(ws_frame_check(&h, &client), WS_E_RSV_NOT_NEGOTIATED, "RSV %u rejected", rsv);
    }
    ws_frame_rules deflate = {.role = WS_ROLE_CLIENT, .rsv_allowed = WS_RSV1};
    h.rsv = WS_RSV1;
    is_int(ws_frame_check(&h, &deflate), WS_OK, "RSV1 accepted when negotiated");
    h.rsv = WS_RSV1 | WS_RSV2;
    is_int(ws_frame_check(&h, &deflate), WS_E_RSV_NOT_NEGOTIATED, "RSV2 still rejected");
    h.rsv = 0;
    for (uint8_t op = 0; op < 16; op++) {
        h.opcode = op;
        int want = (op >= 3 && op <= 7) || op >= 11 ? WS_E_OPCODE_RESERVED : WS_OK;
        is_int(ws_frame_check(&h, &client), want, "opcode %u", op);
    }
    h.opcode = WS_OP_PING;
    h.fin = false;
    is_int(ws_frame_check(&h, &client), WS_E_CONTROL_FRAGMENTED, "fragmented ping (5.5)");
    h.fin = true;
    h.payload_length = 125;
    is_int(ws_frame_check(&h, &client), WS_OK, "ping of 125 bytes is fine");
    h.payload_length = 126;
    is_int(ws_frame_check(&h, &client), WS_E_CONTROL_TOO_LONG, "ping of 126 bytes (5.5)");
    h.opcode = WS_OP_BINARY;
    h.fin = false;
    h.payload_length = 1000;
    is_int(ws_frame_check(&h, &client), WS_OK, "fragmented binary of 1000 bytes is fine");
    h.length_minimal = false;
    is_int(ws_frame_check(&h, &client), WS_E_LENGTH_NOT_MINIMAL, "non-minimal length rejected");
    client.allow_non_minimal_length = true;
    is_int(ws_frame_check(&h, &client), WS_OK, "non-minimal length tolerated when asked");
    /* Order: RSV before opcode before control rules before masking. */
    ws_frame_header all = {.fin = false, .rsv = 1, .opcode = 0xB, .masked = true,
                           .payload_length = 300, .length_minimal = false};
    is_int(ws_frame_check(&all, &client), WS_E_RSV_NOT_NEGOTIATED, "RSV is checked first");
    all.rsv = 0;
    is_int(ws_frame_check(&all, &client), WS_E_OPCODE_RESERVED, "then the opcode");
    all.opcode = WS_OP_CLOSE;
    is_int(ws_frame_check(&all, &client), WS_E_CONTROL_FRAGMENTED, "then fragmentation");
    all.fin = true;
    is_int(ws_frame_check(&all, &client), WS_E_CONTROL_TOO_LONG, "then control length");
    all.payload_length = 2;
    is_int(ws_frame_check(&all, &client), WS_E_FRAME_MASKED, "then masking");
}

static void encode_round_trip(void)
{
    static const uint64_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 1u << 20};
    static const ws_length_form forms[] = {WS_LENGTH_MINIMAL, WS_LENGTH_7, WS_LENGTH_16,
                                           WS_LENGTH_64};
    int mismatches = 0, combos = 0, rejected_right = 1;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t f = 0; f < 4; f++)
            for (unsigned bits = 0; bits < 16 * 8 * 4; bits++) {
                ws_frame_spec spec = {
                    .opcode = (uint8_t)(bits & 15),
                    .rsv = (uint8_t)((bits >> 4) & 7),
                    .fin = (bits >> 7) & 1,
                    .masked = (bits >> 8) & 1,
                    .mask_key = {0xde, 0xad, (uint8_t)bits, 0xef},
                    .length_form = forms[f],
                };
                uint8_t out[WS_FRAME_HEADER_MAX];
                int n = ws_frame_encode_header(&spec, sizes[s], out);
                int fits = forms[f] == WS_LENGTH_MINIMAL || forms[f] == WS_LENGTH_64 ||
                           (forms[f] == WS_LENGTH_7 && sizes[s] <= 125) ||
                           (forms[f] == WS_LENGTH_16 && sizes[s] <= 65535);
                if (!fits) {
                    if (n != WS_E_INVALID_ARGUMENT)
                        rejected_right = 0;
                    continue;
                }
                combos++;
                ws_frame_header h;
                int d = ws_frame_decode_header(out, (size_t)(n > 0 ? n : 0), &h);
                int minimal = forms[f] == WS_LENGTH_MINIMAL ||
                              (forms[f] == WS_LENGTH_7) ||
                              (forms[f] == WS_LENGTH_16 && sizes[s] > 125) ||
                              (forms[f] == WS_LENGTH_64 && sizes[s] > 65535);
                if (d != n || h.payload_length != sizes[s] || h.opcode != spec.opcode ||
                    h.rsv != spec.rsv || h.fin != spec.fin || h.masked != spec.masked ||
                    (spec.masked && memcmp(h.mask_key, spec.mask_key, 4) != 0) ||
                    h.length_minimal != minimal || h.header_length != n)
                    mismatches++;
            }
    is_int(mismatches, 0, "decode(encode(spec)) agrees for %d header combinations", combos);
    ok(rejected_right, "forced length forms that cannot hold the length are refused");

    ws_frame_spec bad = {.opcode = 16};
    uint8_t out[WS_FRAME_HEADER_MAX];
    is_int(ws_frame_encode_header(&bad, 0, out), WS_E_INVALID_ARGUMENT, "opcode 16 refused");
    bad.opcode = 1;
    bad.rsv = 8;
    is_int(ws_frame_encode_header(&bad, 0, out), WS_E_INVALID_ARGUMENT, "rsv 8 refused");

    /* Lying and hostile lengths go on the wire as asked. */
    ws_frame_spec liar = {.fin = true, .opcode = WS_OP_BINARY, .declare_length = true,
                          .declared_length = UINT64_MAX, .length_form = WS_LENGTH_64};
    int n = ws_frame_encode_header(&liar, 10, out);
    is_int(n, 10, "declared 2^64-1 encodes in the 64-bit form");
    ws_frame_header h;
    is_int(ws_frame_decode_header(out, (size_t)n, &h), WS_E_LENGTH_MSB_SET,
           "and decodes as the MSB error");
    liar.length_form = WS_LENGTH_MINIMAL;
    liar.declared_length = 1ull << 63;
    is_int(ws_frame_encode_header(&liar, 10, out), 10, "MSB length forces the 64-bit form");
    liar.declared_length = 3;
    liar.length_form = WS_LENGTH_16;
    is_int(ws_frame_encode_header(&liar, 1000, out), 4, "declared 3 in the 16-bit form");
    ws_frame_decode_header(out, 4, &h);
    ok(h.payload_length == 3 && !h.length_minimal, "declared length written, non-minimal");
}

static void encode_whole_frames(void)
{
    uint8_t payload[300], out[400];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 1);
    ws_frame_spec spec = {.fin = true, .opcode = WS_OP_BINARY, .masked = true,
                          .mask_key = {1, 2, 3, 4}};
    size_t written = 0;
    is_int(ws_frame_encode(&spec, payload, 300, out, sizeof out, &written), WS_OK,
           "300-byte masked frame encodes");
    is_int(written, 4 + 4 + 300, "header 8 bytes + payload");
    int masked_right = 1;
    for (size_t i = 0; i < 300; i++)
        if (out[8 + i] != (payload[i] ^ spec.mask_key[i & 3]))
            masked_right = 0;
    ok(masked_right, "payload masked byte by byte as 5.3 says");
    is_int(ws_frame_encode(&spec, payload, 300, out, 307, &written), WS_E_BUFFER_TOO_SMALL,
           "one byte short of room is refused");
    spec.masked = false;
    is_int(ws_frame_encode(&spec, payload, 0, out, 2, &written), WS_OK, "empty frame in 2 bytes");
    is_int(written, 2, "empty unmasked frame is 2 bytes");
    is_int(ws_frame_encode(&spec, payload, 0, out, 1, &written), WS_E_BUFFER_TOO_SMALL,
           "empty frame does not fit 1 byte");
}

int main(void)
{
    rfc_examples();
    lengths();
    check_rules();
    encode_round_trip();
    encode_whole_frames();
    return done_testing();
}

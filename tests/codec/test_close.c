/* Close payloads (RFC 6455 §5.5.1, §7.4). */
#include "guard.h"
#include "tap.h"
#include "wscodec/close.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"

/* Parses from a copy that ends at an unreadable page; the reason is then
 * re-pointed into the caller's payload so it outlives the copy. */
static int parse_guarded(const uint8_t *payload, size_t len, ws_close *out)
{
    guarded g = guard_copy(payload, len);
    int r = ws_close_parse(g.data, len, out);
    int reason_inside = !out->reason_length ||
                        (out->reason >= g.data && out->reason + out->reason_length <= g.data + len);
    if (out->reason)
        out->reason = payload + (out->reason - g.data);
    guard_free(&g);
    ok(reason_inside, "reason points into the payload");
    return r;
}

int main(void)
{
    /* Every code from 0 to 65535 against the lists of §7.4.1, §7.4.2 and IANA. */
    int wrong = 0;
    for (uint32_t code = 0; code <= 70000; code++) {
        int want = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                   (code >= 3000 && code <= 4999);
        wrong += ws_close_code_valid(code) != want;
    }
    is_int(wrong, 0, "close code validity for 0..70000");
    static const uint32_t never[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        ok(!ws_close_code_valid(never[i]), "code %u must never be sent", never[i]);
    static const uint32_t valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        ok(ws_close_code_valid(valid[i]), "code %u is valid", valid[i]);

    ws_close c;
    is_int(parse_guarded((const uint8_t *)"", 0, &c), WS_OK, "empty payload is valid");
    ok(!c.has_code, "empty payload has no code (received as 1005)");
    is_int(parse_guarded((const uint8_t *)"\x03", 1, &c), WS_E_CLOSE_PAYLOAD_ONE_BYTE,
           "one-byte payload is a protocol error");
    is_int(parse_guarded((const uint8_t *)"\x03\xe8", 2, &c), WS_OK, "1000 without reason");
    ok(c.has_code && c.code == 1000 && c.reason_length == 0, "code 1000 read big-endian");
    static const uint8_t with_reason[] = {0x0f, 0xa0, 'b', 'y', 'e', 0xce, 0xba};
    is_int(parse_guarded(with_reason, sizeof with_reason, &c), WS_OK, "4000 with UTF-8 reason");
    is_mem(c.reason, c.reason_length, "bye\xce\xba", 5, "reason exposed");
    static const uint8_t bad_code[] = {0x03, 0xed, 'x'};
    is_int(parse_guarded(bad_code, sizeof bad_code, &c), WS_E_CLOSE_CODE_INVALID,
           "1005 on the wire is invalid");
    is_int(c.code, 1005, "the invalid code is still reported");
    static const uint8_t bad_reason[] = {0x03, 0xe8, 'a', 0xed, 0xa0, 0x80};
    is_int(parse_guarded(bad_reason, sizeof bad_reason, &c), WS_E_CLOSE_REASON_NOT_UTF8,
           "surrogate in the reason is invalid UTF-8");
    static const uint8_t cut_reason[] = {0x03, 0xe8, 0xce};
    is_int(parse_guarded(cut_reason, sizeof cut_reason, &c), WS_E_CLOSE_REASON_NOT_UTF8,
           "reason ending inside a sequence is invalid");
    uint8_t big[126] = {0x03, 0xe8};
    memset(big + 2, 'a', sizeof big - 2);
    is_int(parse_guarded(big, 125, &c), WS_OK, "125-byte payload is fine");
    is_int(parse_guarded(big, 126, &c), WS_E_CONTROL_TOO_LONG, "126-byte payload is too long");
    static const uint8_t bad_both[] = {0x00, 0x00, 0xff};
    is_int(parse_guarded(bad_both, sizeof bad_both, &c), WS_E_CLOSE_CODE_INVALID,
           "code is judged before the reason");

    uint8_t out[WS_CONTROL_PAYLOAD_MAX];
    is_int(ws_close_build(1005, (const uint8_t *)"\xff", 1, out, sizeof out), 3,
           "build writes invalid codes and reasons on purpose");
    ok(out[0] == 0x03 && out[1] == 0xed && out[2] == 0xff, "built bytes are big-endian code + reason");
    is_int(ws_close_build(1000, big, 124, out, sizeof out), WS_E_BUFFER_TOO_SMALL,
           "reason that overflows the buffer is refused");
    is_int(ws_close_build(1000, big, 123, out, sizeof out), 125, "123-byte reason fills 125 bytes");
    return done_testing();
}

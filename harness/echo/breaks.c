/* The broken variants: names, help texts, and what each relaxes in the codec. */
#include "echo/breaks.h"

#include <string.h>

#include "wscodec.h"

const echo_break_info echo_breaks[] = {
    {"rsv", BREAK_RSV, "accept frames with RSV bits set (RFC 6455 5.2)"},
    {"masking", BREAK_MASKING, "accept unmasked client frames (5.1)"},
    {"opcode", BREAK_OPCODE, "skip frames with reserved opcodes instead of failing (5.2)"},
    {"fragmentation", BREAK_FRAGMENTATION,
     "accept stray continuations and data frames inside a message (5.4)"},
    {"utf8", BREAK_UTF8, "echo text without checking UTF-8 (8.1)"},
    {"late-utf8", BREAK_LATE_UTF8,
     "check UTF-8 only when a message is complete, not as it arrives"},
    {"close-payload", BREAK_CLOSE_PAYLOAD,
     "accept any Close payload and echo it back as it came (5.5.1, 7.4)"},
    {"no-pong", BREAK_NO_PONG, "never answer a Ping (5.5.2)"},
    {"no-close-reply", BREAK_NO_CLOSE_REPLY,
     "never answer a Close; keep the connection open (5.5.1)"},
    {"no-tcp-close", BREAK_NO_TCP_CLOSE,
     "after the closing handshake, wait for the client to drop TCP (7.1.1)"},
    {"wrong-accept", BREAK_WRONG_ACCEPT, "send a wrong Sec-WebSocket-Accept (4.2.2)"},
    {"any-version", BREAK_ANY_VERSION,
     "accept any Sec-WebSocket-Version instead of answering 426 (4.2.2)"},
    {"masked-replies", BREAK_MASKED_REPLIES, "mask the frames it sends (5.1)"},
    {"reset-on-error", BREAK_RESET_ON_ERROR,
     "fail a connection with a TCP reset and no Close frame (7.1.7 SHOULD)"},
    {"reject-registered-codes", BREAK_REJECT_REGISTERED_CODES,
     "answer a Close with 1012-1014 (IANA registered, not in RFC 6455) with 1002"},
    {"pmd-rsv1-continuation", BREAK_PMD_RSV1_CONTINUATION,
     "accept RSV1 on continuation frames (RFC 7692 6)"},
    {"pmd-keep-context", BREAK_PMD_KEEP_CONTEXT,
     "keep the compression context despite server_no_context_takeover (RFC 7692 7.1.1.1)"},
    {"pmd-accept-invalid", BREAK_PMD_ACCEPT_INVALID,
     "accept a permessage-deflate offer it must decline, keeping its valid parameters "
     "(RFC 7692 7)"},
    {"pmd-wide-window", BREAK_PMD_WIDE_WINDOW,
     "compress with window 15 whatever server_max_window_bits says (RFC 7692 7.1.2.1)"},
};

const size_t echo_break_count = sizeof echo_breaks / sizeof echo_breaks[0];

uint32_t echo_break_find(const char *name, size_t length)
{
    for (size_t i = 0; i < echo_break_count; i++)
        if (strlen(echo_breaks[i].name) == length && memcmp(echo_breaks[i].name, name, length) == 0)
            return echo_breaks[i].bit;
    return 0;
}

uint32_t echo_break_lenient_bits(uint32_t breaks)
{
    static const struct {
        uint32_t breaks;
        uint32_t lenient;
    } relaxed[] = {
        {BREAK_RSV, WS_LENIENT_RSV},
        {BREAK_MASKING, WS_LENIENT_MASKING},
        {BREAK_OPCODE, WS_LENIENT_OPCODE},
        {BREAK_FRAGMENTATION, WS_LENIENT_FRAGMENTATION},
        {BREAK_UTF8 | BREAK_LATE_UTF8, WS_LENIENT_UTF8},
        {BREAK_CLOSE_PAYLOAD, WS_LENIENT_CLOSE},
        {BREAK_PMD_RSV1_CONTINUATION, WS_LENIENT_RSV1_CONTINUATION},
    };
    uint32_t bits = 0;
    for (size_t i = 0; i < sizeof relaxed / sizeof relaxed[0]; i++)
        if (breaks & relaxed[i].breaks)
            bits |= relaxed[i].lenient;
    return bits;
}

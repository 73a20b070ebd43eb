/*
 * The deliberately broken variants of the echo server (`--break LIST`): one
 * table of their names, bits and help texts. Each breaks one rule on purpose,
 * so that a conformance suite can prove it catches a server that does so.
 */
#ifndef WSCONFORM_ECHO_BREAKS_H
#define WSCONFORM_ECHO_BREAKS_H

#include <stddef.h>
#include <stdint.h>

enum echo_break {
    BREAK_RSV = 1u << 0,
    BREAK_MASKING = 1u << 1,
    BREAK_OPCODE = 1u << 2,
    BREAK_FRAGMENTATION = 1u << 3,
    BREAK_UTF8 = 1u << 4,
    BREAK_LATE_UTF8 = 1u << 5,
    BREAK_CLOSE_PAYLOAD = 1u << 6,
    BREAK_NO_PONG = 1u << 7,
    BREAK_NO_CLOSE_REPLY = 1u << 8,
    BREAK_NO_TCP_CLOSE = 1u << 9,
    BREAK_WRONG_ACCEPT = 1u << 10,
    BREAK_ANY_VERSION = 1u << 11,
    BREAK_MASKED_REPLIES = 1u << 12,
    BREAK_RESET_ON_ERROR = 1u << 13,
    BREAK_REJECT_REGISTERED_CODES = 1u << 14,
    BREAK_PMD_RSV1_CONTINUATION = 1u << 15,
    BREAK_PMD_KEEP_CONTEXT = 1u << 16,
    BREAK_PMD_ACCEPT_INVALID = 1u << 17,
    BREAK_PMD_WIDE_WINDOW = 1u << 18,
};

typedef struct echo_break_info {
    const char *name;      /* as written after --break */
    uint32_t bit;
    const char *help;      /* one line of `echo --help` */
} echo_break_info;

extern const echo_break_info echo_breaks[];
extern const size_t echo_break_count;

/* The bit of the variant named by name[0..length), 0 if there is none. */
uint32_t echo_break_find(const char *name, size_t length);

/* The codec's ws_lenient bits that the broken variants in `breaks` need. */
uint32_t echo_break_lenient_bits(uint32_t breaks);

#endif

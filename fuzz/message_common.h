/*
 * The body of the message_server and message_client targets: the message
 * assembler (wscodec/message.h) for one role.
 *
 * Input layout:
 *   [0]   bits 0-6 ws_lenient bits, bit 7 allow_non_minimal_length
 *   [1]   bits 0-2 rsv_allowed, bit 3 the allocator refuses its first
 *         request, bits 4-7 max_message_size (index into max_sizes)
 *   [2]   chunking control for the second run (fuzz_common.h)
 *   [3]   message_deflate only: bits 0-2 the peer's window (8 + value), bit 3
 *         no_context_takeover; RSV1 is then always allowed
 *   [3..] the byte stream ([4..] for message_deflate)
 * The stream is fed twice, whole and in chunks, to two assemblers. Properties:
 *   - both runs give the same events (type, opcode, RSV, frame count, length,
 *     payload hash, close code and reason, and the stream offset at which each
 *     completed), the same error and the same error offset; errors are sticky;
 *   - live memory never exceeds max_message_size (a counting allocator; it
 *     also checks that realloc(p, 0) frees) and all of it is released;
 *   - event invariants: control payloads of at most 125 bytes; text valid
 *     UTF-8 (by the reference validator) unless WS_LENIENT_UTF8 or RSV1;
 *     Close codes valid and reasons UTF-8 unless WS_LENIENT_CLOSE; RSV bits
 *     negotiated unless WS_LENIENT_RSV; messages within the size cap; nothing
 *     after a Close unless WS_LENIENT_AFTER_CLOSE, and then exactly
 *     WS_E_FRAME_AFTER_CLOSE at the next byte;
 *   - the assembler never reads a chunk past its end, and errors point at a
 *     byte that was fed;
 *   - message_deflate: RSV1 messages go through an inflater (one per run):
 *     the same equality of both runs (but for a payload reaching past the
 *     window, which zlib may refuse in one run only or at another frame,
 *     see inflate.c), the inflated size within the cap, text
 *     valid UTF-8 after inflation, and the inflater's memory within 8 KiB +
 *     its window.
 */
#ifndef WSCONFORM_FUZZ_MESSAGE_COMMON_H
#define WSCONFORM_FUZZ_MESSAGE_COMMON_H

#include <stdbool.h>

#include "counting_alloc.h"
#include "fuzz_common.h"
#include "ref_utf8.h"
#include "wscodec/close.h"
#include "wscodec/deflate.h"
#include "wscodec/error.h"
#include "wscodec/message.h"

#define MSG_PREFIX 3

static const uint64_t max_sizes[16] = {
    1, 2, 3, 16, 64, 125, 126, 200, 256, 1000, 1024, 2048, 4096, 5000, 65536, 0,
};

/* Allocation bookkeeping: each block carries its size in front of it. */
typedef struct event_record {
    int type;
    int opcode;
    int rsv;
    uint32_t frames;
    size_t length;
    uint64_t hash;
    uint64_t end; /* stream offset just after the event's last byte */
    int has_code;
    int code;
    size_t reason_offset;
    size_t reason_length;
} event_record;

typedef struct run_result {
    event_record *events;
    size_t count;
    size_t cap;
    ptrdiff_t error;
    uint64_t error_offset;
    uint64_t consumed;
} run_result;

static bool ref_close_code_valid(unsigned code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

/* The inflater of the message_deflate target; window_bits 0: none. */
typedef struct inflate_mode {
    uint8_t window_bits;
    bool no_context_takeover;
} inflate_mode;

static void check_event(const ws_event *ev, const ws_assembler_config *cfg, uint64_t cap)
{
    uint32_t lenient = cfg->lenient;
    size_t ignored;
    FUZZ_CHECK(ev->data != NULL);
    FUZZ_CHECK(ev->frames >= 1);
    if (!(lenient & WS_LENIENT_RSV))
        FUZZ_CHECK((ev->rsv & ~cfg->rsv_allowed) == 0);
    FUZZ_CHECK(ev->rsv <= 7);
    switch (ev->type) {
    case WS_EVENT_MESSAGE:
        FUZZ_CHECK(ev->opcode == WS_OP_TEXT || ev->opcode == WS_OP_BINARY);
        FUZZ_CHECK(ev->length <= cap);
        if (ev->opcode == WS_OP_TEXT && !(lenient & WS_LENIENT_UTF8) &&
            (!(ev->rsv & WS_RSV1) || cfg->inflater))
            FUZZ_CHECK(ref_utf8_validate(ev->data, ev->length, &ignored) == WS_OK);
        break;
    case WS_EVENT_PING:
    case WS_EVENT_PONG:
        FUZZ_CHECK(ev->opcode == (ev->type == WS_EVENT_PING ? WS_OP_PING : WS_OP_PONG));
        FUZZ_CHECK(ev->length <= WS_CONTROL_PAYLOAD_MAX && ev->frames == 1);
        break;
    case WS_EVENT_CLOSE:
        FUZZ_CHECK(ev->opcode == WS_OP_CLOSE && ev->frames == 1);
        FUZZ_CHECK(ev->length <= WS_CONTROL_PAYLOAD_MAX);
        FUZZ_CHECK(ev->close.has_code == (ev->length >= 2));
        if (ev->length >= 2) {
            FUZZ_CHECK(ev->close.code == (ev->data[0] << 8 | ev->data[1]));
            FUZZ_CHECK(ev->close.reason == ev->data + 2);
            FUZZ_CHECK(ev->close.reason_length == ev->length - 2);
        }
        if (!(lenient & WS_LENIENT_CLOSE)) {
            FUZZ_CHECK(ev->length != 1);
            if (ev->length >= 2) {
                FUZZ_CHECK(ref_close_code_valid(ev->close.code));
                FUZZ_CHECK(ref_utf8_validate(ev->close.reason, ev->close.reason_length,
                                             &ignored) == WS_OK);
            }
        }
        break;
    default:
        FUZZ_CHECK(!"unknown event type");
    }
}

static bool known_error(ptrdiff_t r, bool inflating)
{
    switch (r) {
    case WS_E_PMD_DATA_CORRUPT: case WS_E_PMD_DATA_TRUNCATED: case WS_E_RSV1_ON_CONTROL:
        return inflating;
    case WS_E_NO_MEMORY:
    case WS_E_LENGTH_MSB_SET: case WS_E_LENGTH_NOT_MINIMAL: case WS_E_RSV_NOT_NEGOTIATED:
    case WS_E_OPCODE_RESERVED: case WS_E_CONTROL_FRAGMENTED: case WS_E_CONTROL_TOO_LONG:
    case WS_E_FRAME_NOT_MASKED: case WS_E_FRAME_MASKED:
    case WS_E_CONTINUATION_WITHOUT_START: case WS_E_DATA_FRAME_INSIDE_MESSAGE:
    case WS_E_FRAME_AFTER_CLOSE: case WS_E_MESSAGE_TOO_BIG: case WS_E_RSV1_ON_CONTINUATION:
    case WS_E_UTF8_INVALID: case WS_E_UTF8_TRUNCATED:
    case WS_E_CLOSE_PAYLOAD_ONE_BYTE: case WS_E_CLOSE_CODE_INVALID:
    case WS_E_CLOSE_REASON_NOT_UTF8:
        return true;
    default:
        return false;
    }
}

/* Feeds s[0 .. n) in chunks (split == NULL: all at once) and records what
 * comes out. */
static void run_assembler(const ws_assembler_config *base, bool fail_first,
                          const inflate_mode *mode, const uint8_t *s, size_t n,
                          fuzz_split *split, fuzz_window *window, run_result *out)
{
    uint64_t cap = base->max_message_size ? base->max_message_size : WS_DEFAULT_MAX_MESSAGE_SIZE;
    counting_alloc ca = { .limit = (size_t)cap, .fail_first = fail_first };
    ws_assembler_config cfg = *base;
    cfg.realloc_fn = counting_realloc;
    cfg.alloc_ctx = &ca;
    ws_inflater inf;
    counting_alloc inf_ca = { .limit = ((size_t)1 << mode->window_bits) + 8192 };
    if (mode->window_bits) {
        ws_inflater_config ic = { .window_bits = mode->window_bits,
                                  .no_context_takeover = mode->no_context_takeover,
                                  .max_message_size = cap,
                                  .realloc_fn = counting_realloc, .alloc_ctx = &inf_ca };
        FUZZ_CHECK(ws_inflater_init(&inf, &ic) == WS_OK);
        cfg.inflater = &inf;
    }
    ws_assembler a;
    FUZZ_CHECK(ws_assembler_init(&a, &cfg) == WS_OK);
    FUZZ_CHECK(ca.calls == 0); /* init allocates nothing */

    bool closed = false;
    size_t fed = 0;
    out->count = 0;
    out->error = 0;
    out->error_offset = 0;
    out->consumed = 0;
    while (fed < n && !out->error) {
        size_t k = split ? fuzz_split_next(split, n - fed) : n - fed;
        const uint8_t *chunk = split ? fuzz_window_put(window, s + fed, k) : s + fed;
        size_t off = 0;
        for (;;) {
            ws_event ev;
            ptrdiff_t r = ws_assembler_feed(&a, chunk + off, k - off, &ev);
            if (r < 0) {
                FUZZ_CHECK(known_error(r, cfg.inflater != NULL));
                FUZZ_CHECK(r != WS_E_NO_MEMORY || fail_first);
                FUZZ_CHECK(ev.type == WS_EVENT_NONE);
                out->error = r;
                out->error_offset = ws_assembler_error_offset(&a);
                FUZZ_CHECK(out->error_offset < fed + k);
                if (closed)
                    FUZZ_CHECK(r == WS_E_FRAME_AFTER_CLOSE && out->error_offset == out->consumed);
                /* Sticky, whatever comes next. */
                FUZZ_CHECK(ws_assembler_feed(&a, chunk, k, &ev) == r);
                FUZZ_CHECK(ws_assembler_feed(&a, NULL, 0, &ev) == r);
                FUZZ_CHECK(ws_assembler_error_offset(&a) == out->error_offset);
                break;
            }
            FUZZ_CHECK((size_t)r <= k - off);
            off += (size_t)r;
            out->consumed += (uint64_t)r;
            if (ev.type == WS_EVENT_NONE) {
                FUZZ_CHECK(off == k);
                break;
            }
            FUZZ_CHECK(!closed);
            check_event(&ev, &cfg, cap);
            FUZZ_CHECK(out->count < out->cap);
            event_record *e = &out->events[out->count++];
            memset(e, 0, sizeof *e);
            e->type = (int)ev.type;
            e->opcode = ev.opcode;
            e->rsv = ev.rsv;
            e->frames = ev.frames;
            e->length = ev.length;
            e->hash = fuzz_hash(ev.data, ev.length);
            e->end = out->consumed;
            if (ev.type == WS_EVENT_CLOSE) {
                e->has_code = ev.close.has_code;
                e->code = ev.close.code;
                e->reason_offset = ev.close.reason ? (size_t)(ev.close.reason - ev.data) : 0;
                e->reason_length = ev.close.reason_length;
                closed = !(cfg.lenient & WS_LENIENT_AFTER_CLOSE);
            }
        }
        fed += k;
    }
    ws_assembler_free(&a);
    FUZZ_CHECK(ca.live == 0);
    ws_assembler_free(&a); /* a second free is harmless */
    if (cfg.inflater) {
        ws_inflater_free(&inf);
        FUZZ_CHECK(inf_ca.live == 0);
    }
}

/* inflating: the input has the extra byte [3] and messages with RSV1 are
 * inflated. */
static int fuzz_message(const uint8_t *data, size_t size, ws_role role, bool inflating)
{
    size_t prefix = MSG_PREFIX + inflating;
    if (size < prefix)
        return 0;
    ws_assembler_config cfg = {
        .role = role,
        .lenient = data[0] & 0x7f,
        .allow_non_minimal_length = (data[0] & 0x80) != 0,
        .rsv_allowed = data[1] & 7,
        .max_message_size = max_sizes[data[1] >> 4],
    };
    bool fail_first = (data[1] & 8) != 0;
    inflate_mode mode = { 0, false };
    if (inflating) {
        mode.window_bits = (uint8_t)(8 + (data[3] & 7));
        mode.no_context_takeover = (data[3] & 8) != 0;
        cfg.rsv_allowed |= WS_RSV1;
    }
    const uint8_t *s = data + prefix;
    size_t n = size - prefix;

    /* Every event takes at least a 2-byte header. */
    size_t cap = n / 2 + 1;
    run_result whole = { .events = malloc(cap * sizeof(event_record)), .cap = cap };
    run_result split_run = { .events = malloc(cap * sizeof(event_record)), .cap = cap };
    if (!whole.events || !split_run.events)
        abort();

    run_assembler(&cfg, fail_first, &mode, s, n, NULL, NULL, &whole);

    fuzz_split split;
    fuzz_split_init(&split, data[2]);
    fuzz_window window;
    fuzz_window_init(&window, n);
    run_assembler(&cfg, fail_first, &mode, s, n, &split, &window, &split_run);
    fuzz_window_free(&window);

    if (inflating &&
        (whole.error == WS_E_PMD_DATA_CORRUPT || split_run.error == WS_E_PMD_DATA_CORRUPT)) {
        /* zlib's distance check counts the output of the current call on top
         * of the window, so a payload reaching past the window may be refused
         * by one run only, or in another frame (deflate.h): the events before
         * agree. */
        size_t both = whole.count < split_run.count ? whole.count : split_run.count;
        FUZZ_CHECK(both == 0 ||
                   memcmp(whole.events, split_run.events, both * sizeof(event_record)) == 0);
    } else {
        FUZZ_CHECK(whole.error == split_run.error);
        FUZZ_CHECK(whole.error_offset == split_run.error_offset);
        FUZZ_CHECK(whole.count == split_run.count);
        FUZZ_CHECK(whole.count == 0 ||
                   memcmp(whole.events, split_run.events, whole.count * sizeof(event_record)) == 0);
        if (!whole.error)
            FUZZ_CHECK(whole.consumed == n && split_run.consumed == n);
    }

    /* An invalid configuration is refused. */
    ws_assembler a;
    cfg.rsv_allowed = 8;
    FUZZ_CHECK(ws_assembler_init(&a, &cfg) == WS_E_INVALID_ARGUMENT);

    free(whole.events);
    free(split_run.events);
    return 0;
}

#endif

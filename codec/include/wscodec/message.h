/*
 * Message layer: turns a byte stream into messages and control frames while
 * enforcing the rules of RFC 6455 §5.1-§5.5 and §8.1 for one role.
 *
 * The assembler does no I/O. The caller feeds it whatever bytes arrived, in any
 * chunking; it consumes bytes until one event is complete or the input runs
 * out. Payloads are unmasked, and text is UTF-8 checked, as the bytes arrive,
 * so a violation is reported at the byte that causes it, not at the end of the
 * frame. Message memory grows with the bytes actually received, never with the
 * length a header announces, and never beyond max_message_size.
 *
 * Given an inflater (wscodec/deflate.h), the assembler also undoes
 * permessage-deflate (RFC 7692): a message whose first frame has RSV1 is
 * inflated as its bytes arrive, text is UTF-8 checked after inflation, and
 * max_message_size bounds the inflated size.
 */
#ifndef WSCODEC_MESSAGE_H
#define WSCODEC_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "close.h"
#include "frame.h"
#include "utf8.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ws_inflater; /* wscodec/deflate.h */

#define WS_DEFAULT_MAX_MESSAGE_SIZE (64u * 1024u * 1024u)

/*
 * Rules an assembler can be told to waive, one bit each. A conforming endpoint
 * leaves `lenient` at 0; the bits exist to build deliberately broken peers
 * (to prove a test suite catches them) and to keep observing a peer that
 * already broke a rule.
 */
enum ws_lenient {
    WS_LENIENT_RSV = 1u << 0,           /* any RSV bits (§5.2) */
    WS_LENIENT_MASKING = 1u << 1,       /* masked or not, either role (§5.1) */
    WS_LENIENT_OPCODE = 1u << 2,        /* frames with reserved opcodes are skipped (§5.2) */
    WS_LENIENT_FRAGMENTATION = 1u << 3, /* a stray continuation starts a (binary) message,
                                           a new data frame drops the one in progress (§5.4) */
    WS_LENIENT_UTF8 = 1u << 4,          /* text is not validated (§8.1) */
    WS_LENIENT_CLOSE = 1u << 5,         /* Close payloads are not judged (§5.5.1, §7.4) */
    WS_LENIENT_AFTER_CLOSE = 1u << 6,   /* frames after a Close are processed (§5.5.1) */
    WS_LENIENT_RSV1_CONTINUATION = 1u << 7, /* RSV1 on a continuation frame is ignored
                                               (RFC 7692 §6) */
};

typedef struct ws_assembler_config {
    ws_role role;                  /* our role: a server requires masked frames */
    uint8_t rsv_allowed;           /* RSV bits negotiated by an extension (WS_RSV1) */
    bool allow_non_minimal_length;
    uint32_t lenient;              /* ws_lenient bits: rules to waive; 0 for conformance */
    uint64_t max_message_size;     /* 0: WS_DEFAULT_MAX_MESSAGE_SIZE */
    /* Optional allocator; realloc(ptr, 0) must free. NULL: the C library. */
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
    void *alloc_ctx;
    /* Optional, owned by the caller, one per connection: with RSV1 allowed,
     * messages starting with RSV1 are delivered inflated (ev->rsv still shows
     * RSV1), and RSV1 on a control frame is WS_E_RSV1_ON_CONTROL (RFC 7692
     * §6). NULL: such messages are delivered as received, unchecked. */
    struct ws_inflater *inflater;
} ws_assembler_config;

typedef enum ws_event_type {
    WS_EVENT_NONE = 0, /* input exhausted, no event complete */
    WS_EVENT_MESSAGE,  /* a complete text or binary message */
    WS_EVENT_PING,
    WS_EVENT_PONG,
    WS_EVENT_CLOSE,    /* a valid Close frame; nothing may follow it */
} ws_event_type;

typedef struct ws_event {
    ws_event_type type;
    uint8_t opcode;        /* WS_OP_TEXT/BINARY for messages, else the control opcode */
    uint8_t rsv;           /* RSV bits of the message's first frame */
    uint32_t frames;       /* frames the message arrived in */
    const uint8_t *data;   /* payload; valid until the next call on the assembler */
    size_t length;
    ws_close close;        /* WS_EVENT_CLOSE only; reason points into data */
} ws_event;

typedef struct ws_assembler {
    ws_assembler_config config;
    /* Everything below is private. */
    int state;
    int error;
    uint8_t header_bytes[WS_FRAME_HEADER_MAX];
    uint8_t header_have;
    ws_frame_header frame;
    uint64_t frame_done;      /* payload bytes of the current frame consumed */
    bool in_message;          /* a fragmented message has started */
    uint8_t message_opcode;
    uint8_t message_rsv;
    uint32_t message_frames;
    bool check_utf8;          /* the current message is text to validate */
    bool inflating;           /* the current message goes through config.inflater */
    ws_utf8 utf8;
    uint8_t *message;
    size_t message_length;
    size_t message_capacity;
    uint8_t control[WS_CONTROL_PAYLOAD_MAX];
    bool closed;              /* a Close frame was delivered */
    bool skip_frame;          /* the current frame is consumed and dropped */
    bool delivered;           /* the message buffer holds a delivered message */
    uint64_t frame_start;     /* stream offset of the current frame's first byte */
    uint64_t stream_offset;   /* bytes consumed since init */
    uint64_t error_offset;
} ws_assembler;

/* Returns WS_OK, or WS_E_INVALID_ARGUMENT for a bad config. Allocates nothing. */
int ws_assembler_init(ws_assembler *a, const ws_assembler_config *config);

/* Frees the message buffer. The assembler may be initialised again. */
void ws_assembler_free(ws_assembler *a);

/* The opcode (WS_OP_TEXT or WS_OP_BINARY) of the data message whose frames
 * are being read, or of the last one read; 0 before any. After
 * WS_E_MESSAGE_TOO_BIG it tells what kind of message outgrew the limit. */
uint8_t ws_assembler_message_opcode(const ws_assembler *a);

/*
 * Consumes bytes from buf until one event is complete or buf is exhausted.
 * Returns the number of bytes consumed (0..len) and fills *ev; ev->type is
 * WS_EVENT_NONE if no event completed, in which case all len bytes were
 * consumed. Bytes after an event are left for the next call.
 *
 * On a protocol violation returns a negative ws_err naming the rule (its close
 * code is ws_error_lookup(err)->close_code) and ws_assembler_error_offset()
 * tells the stream offset of the byte that revealed it. Errors are sticky.
 * WS_E_NO_MEMORY if the allocator failed (the assembler is then failed too).
 * With an inflater, also the errors of ws_inflater_feed(), and UTF-8 and size
 * errors of inflated bytes, reported at the first byte of the frame whose
 * compressed bytes revealed them, the last frame for those found as the
 * message ends (how far zlib reads ahead depends on the chunking, so no
 * single compressed byte can be named); WS_E_UTF8_TRUNCATED, found only
 * after the last byte, is reported at that byte. A compressed message
 * dropped under WS_LENIENT_FRAGMENTATION leaves the inflater inside it, so
 * the next compressed message will not inflate.
 */
ptrdiff_t ws_assembler_feed(ws_assembler *a, const uint8_t *buf, size_t len, ws_event *ev);

/* Stream offset (bytes since init) of the byte at which the error was seen. */
uint64_t ws_assembler_error_offset(const ws_assembler *a);

#ifdef __cplusplus
}
#endif
#endif

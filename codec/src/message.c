/*
 * The message assembler: RFC 6455 §5.4 (fragmentation), §5.5 (control
 * frames), §5.5.1 (nothing after Close), §8.1 (text is UTF-8) and a size cap.
 */
#include <stdlib.h>
#include <string.h>

#include "wscodec/deflate.h"
#include "wscodec/error.h"
#include "wscodec/mask.h"
#include "wscodec/message.h"
#include "libc_realloc.h"

enum { STATE_HEADER, STATE_PAYLOAD };

int ws_assembler_init(ws_assembler *a, const ws_assembler_config *config)
{
    if (!a || !config || config->rsv_allowed > 7 ||
        (config->role != WS_ROLE_CLIENT && config->role != WS_ROLE_SERVER))
        return WS_E_INVALID_ARGUMENT;
    memset(a, 0, sizeof *a);
    a->config = *config;
    if (!a->config.max_message_size)
        a->config.max_message_size = WS_DEFAULT_MAX_MESSAGE_SIZE;
    if (a->config.max_message_size > SIZE_MAX / 2)
        a->config.max_message_size = SIZE_MAX / 2;
    if (!a->config.realloc_fn) {
        a->config.realloc_fn = libc_realloc;
        a->config.alloc_ctx = NULL;
    }
    a->state = STATE_HEADER;
    return WS_OK;
}

void ws_assembler_free(ws_assembler *a)
{
    if (a->message)
        a->config.realloc_fn(a->config.alloc_ctx, a->message, 0);
    a->message = NULL;
    a->message_capacity = 0;
    a->message_length = 0;
}

uint8_t ws_assembler_message_opcode(const ws_assembler *a)
{
    return a ? a->message_opcode : 0;
}

uint64_t ws_assembler_error_offset(const ws_assembler *a) { return a->error_offset; }

static int fail(ws_assembler *a, int err, uint64_t offset)
{
    a->error = err;
    a->error_offset = offset;
    return err;
}

/* Grows the message buffer to hold `need` bytes; need never exceeds the cap. */
static int reserve(ws_assembler *a, size_t need)
{
    if (need <= a->message_capacity)
        return WS_OK;
    size_t cap = a->message_capacity ? a->message_capacity : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > a->config.max_message_size)
        cap = (size_t)a->config.max_message_size;
    uint8_t *p = a->config.realloc_fn(a->config.alloc_ctx, a->message, cap);
    if (!p)
        return WS_E_NO_MEMORY;
    a->message = p;
    a->message_capacity = cap;
    return WS_OK;
}

/* Applies the frame and message rules to a freshly decoded header. */
static int on_header(ws_assembler *a)
{
    const ws_frame_header *h = &a->frame;
    uint32_t lenient = a->config.lenient;
    ws_frame_rules rules = {
        .role = a->config.role,
        .rsv_allowed = (lenient & WS_LENIENT_RSV) ? 7 : a->config.rsv_allowed,
        .allow_non_minimal_length = a->config.allow_non_minimal_length,
    };
    int r = ws_frame_check(h, &rules);
    if ((r == WS_E_FRAME_NOT_MASKED || r == WS_E_FRAME_MASKED) && (lenient & WS_LENIENT_MASKING)) {
        ws_frame_header as_expected = *h;
        as_expected.masked = a->config.role == WS_ROLE_SERVER;
        r = ws_frame_check(&as_expected, &rules);
    }
    if (r == WS_E_OPCODE_RESERVED && (lenient & WS_LENIENT_OPCODE)) {
        a->skip_frame = true;
        return WS_OK;
    }
    if (r != WS_OK)
        return r;
    if (ws_opcode_is_control(h->opcode)) {
        /* RFC 7692 §6: the compressed bit is for data messages only. */
        if (a->config.inflater && (h->rsv & WS_RSV1) && !(lenient & WS_LENIENT_RSV))
            return WS_E_RSV1_ON_CONTROL;
        return WS_OK;
    }

    bool starts = h->opcode != WS_OP_CONTINUATION;
    if (!starts) {
        if (!a->in_message && !(lenient & WS_LENIENT_FRAGMENTATION))
            return WS_E_CONTINUATION_WITHOUT_START;
        /* RFC 7692 §6: RSV1 marks the first frame only */
        if ((h->rsv & WS_RSV1) && !(lenient & WS_LENIENT_RSV1_CONTINUATION))
            return WS_E_RSV1_ON_CONTINUATION;
        starts = !a->in_message;
    } else if (a->in_message && !(lenient & WS_LENIENT_FRAGMENTATION)) {
        return WS_E_DATA_FRAME_INSIDE_MESSAGE;
    }
    if (starts) {
        a->in_message = true;
        a->message_opcode = h->opcode == WS_OP_CONTINUATION ? WS_OP_BINARY : h->opcode;
        a->message_rsv = h->rsv;
        a->message_frames = 0;
        a->message_length = 0;
        a->inflating = a->config.inflater && (h->rsv & WS_RSV1);
        /* Compressed text is validated after inflating it: here if we inflate,
           else by the caller. */
        a->check_utf8 = h->opcode == WS_OP_TEXT && !(lenient & WS_LENIENT_UTF8) &&
                        (!(h->rsv & WS_RSV1) || a->inflating);
        ws_utf8_init(&a->utf8);
    }
    a->message_frames++;
    /* Compressed bytes are not kept: the limit applies as they inflate. */
    if (!a->inflating && h->payload_length > a->config.max_message_size - a->message_length)
        return WS_E_MESSAGE_TOO_BIG;
    return WS_OK;
}

/*
 * Inflates n payload bytes of the current frame (masked as on the wire, at
 * payload offset frame_done) onto the message, then the end of the message if
 * fin. Text is UTF-8 checked as it inflates; the message buffer grows with the
 * inflated bytes up to max_message_size.
 */
static int inflate_onto_message(ws_assembler *a, const uint8_t *src, size_t n, bool fin)
{
    const ws_frame_header *h = &a->frame;
    uint8_t chunk[1024];
    size_t done = 0;
    do {
        size_t piece = n - done < sizeof chunk ? n - done : sizeof chunk;
        const uint8_t *in = NULL;
        if (piece && h->masked) {
            ws_mask_copy(chunk, src + done, piece, h->mask_key, a->frame_done + done);
            in = chunk;
        } else if (piece) {
            in = src + done;
        }
        bool last = fin && done + piece == n;
        size_t off = 0;
        for (;;) {
            if (a->message_length == a->message_capacity &&
                a->message_capacity < a->config.max_message_size) {
                int r = reserve(a, a->message_length + 1);
                if (r != WS_OK)
                    return r;
            }
            /* At the limit, no room: the inflater tells whether more follows. */
            size_t room = a->message_capacity - a->message_length;
            uint8_t *dest = room ? a->message + a->message_length : NULL;
            size_t used, made;
            int r = ws_inflater_feed(a->config.inflater, in ? in + off : NULL, piece - off, last,
                                     dest, room, &used, &made);
            off += used;
            if (made && a->check_utf8 && ws_utf8_feed(&a->utf8, dest, made) != WS_OK)
                return WS_E_UTF8_INVALID;
            a->message_length += made;
            if (r < 0)
                return r;
            if (r == WS_OK)
                break;
            if (room == 0)
                return WS_E_MESSAGE_TOO_BIG;
        }
        done += piece;
    } while (done < n);
    return WS_OK;
}

/* Called when the current frame's payload is complete; may produce an event. */
static int on_frame_end(ws_assembler *a, ws_event *ev)
{
    const ws_frame_header *h = &a->frame;
    size_t n = (size_t)h->payload_length;
    a->state = STATE_HEADER;
    switch (h->opcode) {
    case WS_OP_PING:
    case WS_OP_PONG:
        ev->type = h->opcode == WS_OP_PING ? WS_EVENT_PING : WS_EVENT_PONG;
        ev->opcode = h->opcode;
        ev->rsv = h->rsv;
        ev->frames = 1;
        ev->data = a->control;
        ev->length = n;
        return WS_OK;
    case WS_OP_CLOSE: {
        int r = ws_close_parse(a->control, n, &ev->close);
        if (r != WS_OK && !(a->config.lenient & WS_LENIENT_CLOSE))
            return r;
        ev->type = WS_EVENT_CLOSE;
        ev->opcode = h->opcode;
        ev->rsv = h->rsv;
        ev->frames = 1;
        ev->data = a->control;
        ev->length = n;
        a->closed = !(a->config.lenient & WS_LENIENT_AFTER_CLOSE);
        return WS_OK;
    }
    default:
        if (!h->fin)
            return WS_OK;
        if (a->inflating) {
            /* Pinned like the errors inflating the frame's bytes: where zlib
               notices bad data depends on the chunking. */
            int r = inflate_onto_message(a, NULL, 0, true);
            if (r != WS_OK)
                return fail(a, r, a->frame_start);
        }
        if (a->check_utf8 && ws_utf8_finish(&a->utf8) != WS_OK)
            return WS_E_UTF8_TRUNCATED;
        ev->type = WS_EVENT_MESSAGE;
        ev->opcode = a->message_opcode;
        ev->rsv = a->message_rsv;
        ev->frames = a->message_frames;
        ev->data = a->message ? a->message : a->control; /* never NULL */
        ev->length = a->message_length;
        a->in_message = false;
        a->delivered = true;
        return WS_OK;
    }
}

/* Consumes header bytes; returns bytes used, WS_NEED_MORE semantics via *done. */
static ptrdiff_t take_header(ws_assembler *a, const uint8_t *buf, size_t len, bool *done)
{
    size_t before = a->header_have;
    size_t take = WS_FRAME_HEADER_MAX - before;
    if (take > len)
        take = len;
    memcpy(a->header_bytes + before, buf, take);
    int r = ws_frame_decode_header(a->header_bytes, before + take, &a->frame);
    if (r == WS_NEED_MORE) {
        a->header_have = (uint8_t)(before + take);
        *done = false;
        return (ptrdiff_t)take;
    }
    if (r < 0)
        return fail(a, r, a->frame_start + 2);
    a->header_have = 0;
    *done = true;
    return (ptrdiff_t)((size_t)r - before);
}

ptrdiff_t ws_assembler_feed(ws_assembler *a, const uint8_t *buf, size_t len, ws_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (a->error)
        return a->error;
    if (a->delivered) {
        a->delivered = false;
        a->message_length = 0;
    }

    size_t pos = 0;
    while (pos < len || a->state == STATE_PAYLOAD) {
        if (a->state == STATE_HEADER) {
            if (a->header_have == 0) {
                a->frame_start = a->stream_offset;
                if (a->closed)
                    return fail(a, WS_E_FRAME_AFTER_CLOSE, a->stream_offset);
            }
            bool complete;
            ptrdiff_t used = take_header(a, buf + pos, len - pos, &complete);
            if (used < 0)
                return used;
            pos += (size_t)used;
            a->stream_offset += (uint64_t)used;
            if (!complete)
                break;
            int r = on_header(a);
            if (r != WS_OK)
                return fail(a, r, a->frame_start);
            a->state = STATE_PAYLOAD;
            a->frame_done = 0;
        }

        const ws_frame_header *h = &a->frame;
        size_t take = len - pos;
        if (take > h->payload_length - a->frame_done)
            take = (size_t)(h->payload_length - a->frame_done);
        if (take == 0 && a->frame_done < h->payload_length)
            break;

        if (take && a->skip_frame) {
            a->frame_done += take;
            pos += take;
            a->stream_offset += take;
        } else if (take && a->inflating && !ws_opcode_is_control(h->opcode)) {
            /* How far zlib reads ahead depends on the chunking, so an error
               is pinned to the frame whose bytes revealed it. */
            int r = inflate_onto_message(a, buf + pos, take, false);
            if (r != WS_OK)
                return fail(a, r, a->frame_start);
            a->frame_done += take;
            pos += take;
            a->stream_offset += take;
        } else if (take) {
            uint8_t *dest;
            if (ws_opcode_is_control(h->opcode)) {
                dest = a->control + a->frame_done;
            } else {
                int r = reserve(a, a->message_length + take);
                if (r != WS_OK)
                    return fail(a, r, a->stream_offset);
                dest = a->message + a->message_length;
            }
            if (h->masked)
                ws_mask_copy(dest, buf + pos, take, h->mask_key, a->frame_done);
            else
                memcpy(dest, buf + pos, take);

            if (!ws_opcode_is_control(h->opcode)) {
                if (a->check_utf8 && ws_utf8_feed(&a->utf8, dest, take) != WS_OK)
                    return fail(a, WS_E_UTF8_INVALID,
                                a->stream_offset + (a->utf8.offset - a->message_length));
                a->message_length += take;
            }
            a->frame_done += take;
            pos += take;
            a->stream_offset += take;
        }

        if (a->frame_done == h->payload_length && a->skip_frame) {
            a->skip_frame = false;
            a->state = STATE_HEADER;
        } else if (a->frame_done == h->payload_length) {
            int r = on_frame_end(a, ev);
            if (r != WS_OK)
                return a->error ? r : fail(a, r, a->stream_offset - (a->stream_offset > 0));
            if (ev->type != WS_EVENT_NONE)
                break;
        }
    }
    return (ptrdiff_t)pos;
}

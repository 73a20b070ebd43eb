/* An open connection's incoming frames: messages echoed, Pings answered, the
 * closing handshake, and failing the connection on a protocol error. */
#include <stdio.h>

#include "echo/breaks.h"
#include "echo/conn.h"
#include "run/clock.h"

#define FAIL_WAIT_US 1000000u              /* waiting for the peer's Close after an error */
#define KEEP_MESSAGE_BUFFER (1024u * 1024u) /* larger message buffers are released */

/* Answers a protocol error with a Close naming the rule, then waits for the
 * peer's Close (RFC 6455 §7.1.7). */
static void fail_connection(conn *c, int err)
{
    if (has_break(c, BREAK_RESET_ON_ERROR)) {
        transport_reset(&c->t);
        conn_destroy(c);
        return;
    }
    const ws_error_info *info = ws_error_lookup(err);
    uint16_t code = info && info->close_code ? info->close_code : WS_CLOSE_INTERNAL_ERROR;
    char reason[WS_CONTROL_PAYLOAD_MAX - 1]; /* at most 123 bytes of ASCII */
    if (info && info->rfc_section[0])
        snprintf(reason, sizeof reason, "%s: %s", info->rfc_section, info->message);
    else
        snprintf(reason, sizeof reason, "%s", info ? info->message : "internal error");
    if (!conn_queue_close(c, code, reason)) {
        conn_destroy(c);
        return;
    }
    c->phase = PHASE_FAILING;
    c->deadline = monotonic_us() + FAIL_WAIT_US;
}

/* In FAILING: only the peer's Close matters. Once frame boundaries are lost
 * to an undecodable header it can never be recognised, so waiting is moot. */
void conn_scan_for_close(conn *c, const uint8_t *buf, size_t len)
{
    if (frame_tracker_feed(&c->frames, buf, len) || c->frames.broken)
        conn_closing_handshake_done(c);
}

int conn_init_assembler(conn *c)
{
    ws_assembler_config config = {
        .role = WS_ROLE_SERVER,
        .lenient = c->shared->lenient,
        .max_message_size = c->shared->options->max_message,
        .rsv_allowed = c->deflate ? WS_RSV1 : 0,
        .inflater = c->deflate ? &c->inflater : NULL,
    };
    c->assembler_ready = ws_assembler_init(&c->assembler, &config) == WS_OK;
    return c->assembler_ready ? 0 : -1;
}

static void on_close_frame(conn *c, const ws_event *ev)
{
    if (has_break(c, BREAK_NO_CLOSE_REPLY)) {
        c->phase = PHASE_DISCARD;
        c->deadline = 0;
        return;
    }
    bool queued;
    if (has_break(c, BREAK_CLOSE_PAYLOAD))
        queued = conn_queue_frame(c, WS_OP_CLOSE, 0, ev->data, ev->length);
    else if (has_break(c, BREAK_REJECT_REGISTERED_CODES) && ev->close.has_code &&
             ev->close.code >= 1012 && ev->close.code <= 1014)
        queued = conn_queue_close(c, WS_CLOSE_PROTOCOL_ERROR, NULL);
    else if (ev->close.has_code)
        queued = conn_queue_close(c, ev->close.code, NULL);
    else
        queued = conn_queue_frame(c, WS_OP_CLOSE, 0, NULL, 0);
    if (!queued) {
        conn_destroy(c);
        return;
    }
    conn_closing_handshake_done(c);
}

static bool on_message(conn *c, const ws_event *ev)
{
    if (has_break(c, BREAK_LATE_UTF8) && ev->opcode == WS_OP_TEXT &&
        ws_utf8_validate(ev->data, ev->length, NULL) != WS_OK) {
        fail_connection(c, WS_E_UTF8_INVALID);
        return false;
    }
    if (!conn_queue_message(c, ev->opcode, ev->data, ev->length)) {
        conn_destroy(c);
        return false;
    }
    /* Between messages the stream is at a frame boundary, so a fresh
     * assembler can take over and a large message buffer is released. */
    if (ev->length > KEEP_MESSAGE_BUFFER) {
        ws_assembler_free(&c->assembler);
        if (conn_init_assembler(c) != 0) {
            conn_destroy(c);
            return false;
        }
    }
    return true;
}

/* Handles one event; false when no more frames are to be processed. */
static bool on_event(conn *c, const ws_event *ev)
{
    switch (ev->type) {
    case WS_EVENT_MESSAGE:
        return on_message(c, ev);
    case WS_EVENT_PING:
        if (!has_break(c, BREAK_NO_PONG) &&
            !conn_queue_frame(c, WS_OP_PONG, 0, ev->data, ev->length)) {
            conn_destroy(c);
            return false;
        }
        return true;
    case WS_EVENT_CLOSE:
        on_close_frame(c, ev);
        return false;
    case WS_EVENT_PONG:
    case WS_EVENT_NONE:
        return true;
    }
    return true;
}

/*
 * Starts looking for the peer's Close in the input that followed an error.
 * If the peer is still inside a frame's payload, where that frame ends (and
 * so where a Close would start) is not to be trusted: a peer that sees our
 * Close may abandon the frame. Then TCP is closed without waiting.
 */
static void start_failing_scan(conn *c, const uint8_t *rest, size_t len)
{
    if (c->dead || c->phase != PHASE_FAILING)
        return;
    conn_scan_for_close(c, rest, len);
    if (!c->dead && c->phase == PHASE_FAILING && c->frames.in_payload)
        conn_closing_handshake_done(c);
}

void conn_process_frames(conn *c, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len && c->phase == PHASE_OPEN && !c->dead) {
        ws_event ev;
        ptrdiff_t used = ws_assembler_feed(&c->assembler, buf + pos, len - pos, &ev);
        if (used < 0) {
            fail_connection(c, (int)used);
            start_failing_scan(c, buf + pos, len - pos);
            return;
        }
        frame_tracker_feed(&c->frames, buf + pos, (size_t)used);
        pos += (size_t)used;
        if (!on_event(c, &ev))
            break;
    }
    start_failing_scan(c, buf + pos, len - pos); /* after a late UTF-8 failure */
}

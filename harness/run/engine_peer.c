/*
 * Frames from the peer, read by the codec's assembler in the engine's role
 * (a client expects unmasked frames, a server masked ones), turned into the
 * events the judge reads. A broken frame fails the connection with the close
 * code of the rule broken; the peer's Close is answered.
 */
#include "run/engine_state.h"

#include <stdio.h>
#include <string.h>

static void fail_with(engine *e, uint16_t code, uint64_t now)
{
    e->in_failed = true;
    if (!e->r->we_sent_close)
        engine_send_close(e, code, now);
}

/* What the agreement forbids that corrupt data may be: a reference into an
 * earlier message or past the agreed window (the peer's side of it). */
static void agreement_hint(const engine *e, char *out, size_t cap)
{
    const ws_inflater_config *c = &e->inflater.config;
    const char *side = e->cfg.role == ROLE_CLIENT ? "server" : "client";
    unsigned bits = c->window_bits ? c->window_bits : 15;
    if (c->no_context_takeover && bits < 15)
        snprintf(out, cap, "; %s_no_context_takeover and %s_max_window_bits=%u were agreed: a "
                 "reference into an earlier message (RFC 7692 7.1.1.1) or further back than "
                 "%u bytes (7.1.2.1) is such data", side, side, bits, 1u << bits);
    else if (c->no_context_takeover)
        snprintf(out, cap, "; %s_no_context_takeover was agreed: a reference into an earlier "
                 "message is such data (RFC 7692 7.1.1.1)", side);
    else if (bits < 15)
        snprintf(out, cap, "; %s_max_window_bits=%u was agreed: a reference further back than "
                 "%u bytes is such data (RFC 7692 7.1.2.1)", side, bits, 1u << bits);
}

static void on_violation(engine *e, int err, uint64_t now)
{
    if (err == WS_E_MESSAGE_TOO_BIG) {
        /* Not a protocol error: the suite's own bound, past anything an echo
         * returns. The message is an event the case can grade (a server that
         * inflates a bomb breaks no MUST), and the suite ends it. */
        observed_event *o = engine_add_event(e, EVENT_MESSAGE, NULL, 0, now);
        o->opcode = ws_assembler_message_opcode(&e->in);
        o->length = (size_t)e->peer_message_cap + 1;
        o->over_limit = true;
        e->r->over_limit = true;
        fail_with(e, WS_CLOSE_MESSAGE_TOO_BIG, now);
        return;
    }
    const ws_error_info *info = ws_error_lookup(err);
    char detail[400];
    int n = snprintf(detail, sizeof detail, "%s (%s)", info ? info->message : "protocol error",
                     info ? info->rfc_section : "");
    if (err == WS_E_PMD_DATA_CORRUPT && e->inflater_ready && n > 0)
        agreement_hint(e, detail + n, sizeof detail - (size_t)n);
    engine_violation(e, "the peer broke the protocol: %s", detail);
    fail_with(e, info && info->close_code ? info->close_code : WS_CLOSE_PROTOCOL_ERROR, now);
}

static void on_close(engine *e, ws_event *ev, uint64_t now)
{
    case_result *r = e->r;
    int bad = ws_close_parse(ev->data, ev->length, &ev->close);
    if (bad != WS_OK && !r->violation[0]) {
        const ws_error_info *info = ws_error_lookup(bad);
        snprintf(r->violation, sizeof r->violation, "the peer broke the protocol: %s (%s)",
                 info ? info->message : "bad Close", info ? info->rfc_section : "");
        r->violation_in_close = true;
    }
    r->peer_sent_close = true;
    r->peer_close_code = ev->close.has_code ? ev->close.code : WS_CLOSE_NO_STATUS;
    r->peer_close_reason_length = ev->close.reason_length < sizeof r->peer_close_reason - 1
                                      ? ev->close.reason_length
                                      : sizeof r->peer_close_reason - 1;
    if (r->peer_close_reason_length) /* no reason: no pointer either */
        memcpy(r->peer_close_reason, ev->close.reason, r->peer_close_reason_length);
    r->peer_close_reason[r->peer_close_reason_length] = '\0';
    if (r->closer == NOBODY)
        r->closer = BY_PEER;
    if (!r->we_sent_close) /* Autobahn answers 1000; an invalid Close fails (§7.4.1) */
        engine_send_close(e, bad == WS_OK ? WS_CLOSE_NORMAL : WS_CLOSE_PROTOCOL_ERROR, now);
    engine_arm_close_wait(e, now); /* now the server must drop TCP */
}

/* A message: recorded, or, during a bulk step, checked against the message
 * of the same rank sent and recorded without its bytes when equal. */
static void on_message(engine *e, const ws_event *ev, uint64_t now)
{
    case_result *r = e->r;
    size_t rank = e->messages_in++;
    if (ev->rsv & WS_RSV1) {
        r->message_bytes_in += ev->length;
        r->compressed_bytes_in += e->octets_since_event;
    }
    const sent_message *sent = e->bulk.active ? result_sent(r, false, rank) : NULL;
    observed_event *o;
    if (sent && sent->opcode == ev->opcode && sent_message_equals(sent, ev->data, ev->length)) {
        o = engine_add_event(e, EVENT_MESSAGE, NULL, 0, now);
        o->length = ev->length;
        o->echo_of = (uint32_t)rank + 1;
    } else {
        o = engine_add_event(e, EVENT_MESSAGE, ev->data, ev->length, now);
    }
    o->opcode = ev->opcode;
}

static void on_event(engine *e, ws_event *ev, uint64_t now)
{
    switch (ev->type) {
    case WS_EVENT_NONE:
        break;
    case WS_EVENT_MESSAGE:
        on_message(e, ev, now);
        if (ev->rsv && !(e->r->compressed && ev->rsv == WS_RSV1))
            engine_violation(e, "%s", "the peer set RSV bits on a message without an extension");
        break;
    case WS_EVENT_PING:
        engine_add_event(e, EVENT_PING, ev->data, ev->length, now);
        if (!e->r->we_sent_close)
            engine_answer_ping(e, ev->data, ev->length);
        break;
    case WS_EVENT_PONG:
        engine_add_event(e, EVENT_PONG, ev->data, ev->length, now);
        break;
    case WS_EVENT_CLOSE:
        on_close(e, ev, now);
        break;
    }
}

/* The per-case bounds on what the peer sends (engine_memory_bound()). */
static void check_bounds(engine *e, uint64_t now)
{
    if (e->in_failed)
        return;
    if (e->r->event_bytes >= e->peer_message_cap + PEER_MESSAGE_FLOOR) {
        engine_violation(e, "%s", "the peer sent more data than this case sent in all (the "
                                  "suite's limit for the case)");
        fail_with(e, WS_CLOSE_MESSAGE_TOO_BIG, now);
    } else if (e->r->event_count >= ENGINE_MAX_EVENTS) {
        /* No case expects this many: stop reading a flood. */
        if (!e->r->violation[0])
            snprintf(e->r->violation, sizeof e->r->violation,
                     "the peer sent more than %d messages, pings and pongs in one case (the "
                     "suite's limit)", ENGINE_MAX_EVENTS);
        fail_with(e, WS_CLOSE_POLICY_VIOLATION, now);
    }
}

static void feed_events(engine *e, const uint8_t *buf, size_t n, uint64_t now)
{
    size_t off = 0;
    while (off < n && !e->in_failed && e->phase == PH_OPEN) {
        ws_event ev;
        ptrdiff_t used = ws_assembler_feed(&e->in, buf + off, n - off, &ev);
        if (used < 0) {
            on_violation(e, (int)used, now);
            return;
        }
        off += (size_t)used;
        e->octets_since_event += (uint64_t)used;
        if (ev.type == WS_EVENT_NONE)
            return;
        on_event(e, &ev, now);
        e->octets_since_event = 0;
        check_bounds(e, now);
    }
}

/* Auto-close is judged once per read, not per event: a flood of small frames
 * must not cost a match over every event for each one. */
void engine_feed_frames(engine *e, const uint8_t *bytes, size_t n, uint64_t now)
{
    feed_events(e, bytes, n, now);
    engine_maybe_auto_close(e, now);
    engine_decide_early(e, now);
}

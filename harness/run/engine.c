/*
 * The session engine's life: what it records, how it closes, its timers and
 * its output (run/engine.h).
 */
#include "run/engine_state.h"

#include "lang/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "lang/payload.h"
#include "run/clock.h"

#define HANDSHAKE_TIMEOUT_MS 5000
#define CLOSE_TIMEOUT_MS 1000
#define HARD_STOP_AFTER_KILL_MS 5000
#define ENGINE_FIXED_BYTES (640u << 10) /* wire log, head, buffers, TLS, inflater */

static uint64_t engine_scaled_us(const engine *e, uint32_t ms)
{
    return scaled_us(ms, e->cfg.timeout_scale);
}

uint32_t engine_random(engine *e)
{
    uint64_t x = e->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    e->rng = x;
    return (uint32_t)(x >> 16);
}

void *engine_grow(void *array, size_t *capacity, size_t need, size_t item)
{
    if (need <= *capacity)
        return array;
    size_t cap = *capacity ? *capacity * 2 : 8;
    while (cap < need)
        cap *= 2;
    void *p = realloc(array, cap * item);
    if (!p)
        abort(); /* bounded by the per-case caps; running out here is fatal */
    *capacity = cap;
    return p;
}

/* ---- recording ----------------------------------------------------------- */

static void record_wire(engine *e, bool outgoing, const uint8_t *bytes, size_t n, uint64_t now)
{
    case_result *r = e->r;
    if (outgoing)
        r->bytes_out += n;
    else
        r->bytes_in += n;
    wire_log_add(&r->wire, outgoing ? WIRE_OUT : WIRE_IN, bytes, n, now - e->start_us);
}

void engine_violation(engine *e, const char *fmt, const char *detail)
{
    if (!e->r->violation[0])
        snprintf(e->r->violation, sizeof e->r->violation, fmt, detail);
}

/* Beyond ENGINE_MAX_EVENTS events are only counted: the caller fills a
 * scratch one. */
observed_event *engine_add_event(engine *e, event_kind kind, const uint8_t *data, size_t n,
                                 uint64_t now)
{
    static observed_event dropped;
    case_result *r = e->r;
    if (r->event_count >= ENGINE_MAX_EVENTS) {
        r->events_dropped++;
        memset(&dropped, 0, sizeof dropped);
        return &dropped;
    }
    r->events = engine_grow(r->events, &r->event_capacity, r->event_count + 1, sizeof *r->events);
    observed_event *ev = &r->events[r->event_count++];
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->at_us = now - e->start_us;
    if (n && r->event_bytes + n <= e->peer_message_cap + PEER_MESSAGE_FLOOR) {
        ev->data = malloc(n);
        if (!ev->data)
            abort();
        memcpy(ev->data, data, n);
        r->event_bytes += n;
    }
    ev->length = n;
    return ev;
}

/* ---- the suite's own control frames and the close -------------------------- */

/* Encodes a control frame of the suite's own into u->bytes: masked by a
 * client, not by a server (§5.1). */
static void encode_control(engine *e, out_unit *u, uint8_t opcode, const uint8_t *data, size_t n)
{
    ws_frame_spec spec = {.fin = true, .opcode = opcode, .masked = e->cfg.role == ROLE_CLIENT};
    uint32_t k = engine_random(e);
    memcpy(spec.mask_key, &k, 4);
    size_t written = 0;
    ws_frame_encode(&spec, data, n, u->bytes, WS_FRAME_HEADER_MAX + WS_CONTROL_PAYLOAD_MAX,
                    &written);
    u->bytes_length = written;
}

/* A control frame of the suite's own (Close, Pong), queued whole. Returns its
 * unit, which is already in the queue. */
static out_unit *queue_control(engine *e, uint8_t opcode, const uint8_t *data, size_t n)
{
    out_unit *u = out_unit_new(WS_FRAME_HEADER_MAX + WS_CONTROL_PAYLOAD_MAX);
    encode_control(e, u, opcode, data, n);
    outq_push(&e->out, u);
    return u;
}

/* §5.5.3 lets an endpoint answer only the most recent Ping, so however fast
 * the peer pings, at most one Pong of ours waits to be written: a new Ping
 * replaces the payload of a Pong not yet started. */
void engine_answer_ping(engine *e, const uint8_t *data, size_t n)
{
    out_unit *u = e->pending_pong;
    if (u && !e->pending_pong_written && u->written == 0) {
        e->out.pending -= u->bytes_length;
        encode_control(e, u, WS_OP_PONG, data, n);
        e->out.pending += u->bytes_length;
        e->r->pongs_coalesced++;
        return;
    }
    e->pending_pong_written = false;
    e->pending_pong = queue_control(e, WS_OP_PONG, data, n);
    e->pending_pong->written_flag = &e->pending_pong_written;
}

void engine_arm_close_wait(engine *e, uint64_t now)
{
    e->close_wait_until = now + engine_scaled_us(e, CLOSE_TIMEOUT_MS);
}

/* A Close frame the suite sends on its own (auto-close, kill, reply). */
void engine_send_close(engine *e, uint16_t code, uint64_t now)
{
    uint8_t body[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    out_unit *u = queue_control(e, WS_OP_CLOSE, body, 2);
    e->steps_abandoned = true;
    if (!e->r->we_sent_close) {
        u->written_flag = &e->r->close_written;
        e->r->we_sent_close = true;
        e->r->our_close_code = code;
        e->r->suite_close = true;
        if (e->r->closer == NOBODY)
            e->r->closer = BY_US;
    }
    engine_arm_close_wait(e, now);
}

bool engine_peer_open(const engine *e)
{
    return e->phase == PH_OPEN && !e->r->peer_sent_close && e->r->tcp_closed_by == NOBODY;
}

static uint16_t closing_code(const case_def *d)
{
    return d->close.code_count ? d->close.codes[0] : WS_CLOSE_NORMAL;
}

/* Autobahn's auto-close: once every step ran and the events are an OK
 * sequence, the suite starts the closing handshake itself. */
void engine_maybe_auto_close(engine *e, uint64_t now)
{
    const case_def *d = e->def;
    if (d->close.by == CLOSER_PEER || e->r->we_sent_close || !e->steps_done ||
        !engine_peer_open(e) || d->informational || !outq_empty(&e->out))
        return;
    if (d->close.by == CLOSER_NONE ||
        (e->cfg.hooks.events_ok && e->cfg.hooks.events_ok(d, e->r)))
        engine_send_close(e, closing_code(d), now);
}

/* A case the suite closes itself whose events no acceptable sequence can
 * follow any more is decided: it ends now, as the kill timer would end it. */
void engine_decide_early(engine *e, uint64_t now)
{
    const case_def *d = e->def;
    if (e->r->event_count == e->events_judged)
        return;
    e->events_judged = e->r->event_count;
    if (d->close.by != CLOSER_US || d->informational || e->r->we_sent_close ||
        !engine_peer_open(e) || !e->cfg.hooks.still_possible ||
        e->cfg.hooks.still_possible(d, e->r))
        return;
    e->r->decided_early = true;
    engine_send_close(e, closing_code(d), now);
}

/* ---- the end ------------------------------------------------------------- */

static void finish(engine *e, uint64_t now)
{
    if (e->phase == PH_DONE)
        return;
    if (e->r->tcp_closed_by == NOBODY)
        e->r->tcp_closed_by = BY_US;
    if (e->r->closer == NOBODY)
        e->r->closer = e->r->tcp_closed_by;
    outq_clear(&e->out);
    e->r->duration_us = now - e->start_us;
    e->phase = PH_DONE;
}

void engine_drop(engine *e, uint64_t now)
{
    if (e->r->tcp_closed_by == NOBODY)
        e->r->tcp_closed_by = BY_US;
    finish(e, now);
}

void engine_fail(engine *e, const char *why, uint64_t now)
{
    if (e->phase == PH_DONE)
        return;
    snprintf(e->r->failure, sizeof e->r->failure, "%s", why);
    engine_drop(e, now);
}

void engine_peer_gone(engine *e, const char *error, uint64_t now)
{
    if (e->phase == PH_DONE)
        return;
    if (error && !e->r->violation[0] && !e->r->we_sent_close)
        snprintf(e->r->failure, sizeof e->r->failure, "%s", error);
    if (e->r->tcp_closed_by == NOBODY)
        e->r->tcp_closed_by = BY_PEER;
    finish(e, now);
}

/* A server drops TCP itself once the closing handshake is done (§7.1.1). */
static void server_ends_after_close(engine *e, uint64_t now)
{
    if (e->cfg.role == ROLE_SERVER && e->phase == PH_OPEN && e->r->peer_sent_close &&
        e->r->close_written)
        engine_drop(e, now);
}

/* ---- the connection opens ------------------------------------------------- */

void engine_note_stage(engine *e, connect_stage stage)
{
    if (e->r->stage < stage)
        e->r->stage = stage;
}

void engine_connected(engine *e, uint64_t now)
{
    if (e->phase != PH_CONNECTING)
        return;
    e->r->connected = true;
    e->r->stage = STAGE_TLS;
    e->phase = PH_HANDSHAKE;
    engine_opening_start(e);
    if (e->cfg.role == ROLE_CLIENT && e->def->request.eager)
        engine_run_steps(e, now);
}

/* The opening handshake succeeded: frames from now on, and the case's timers. */
void engine_opened(engine *e, uint64_t now)
{
    e->r->handshake_done = true;
    e->r->stage = STAGE_OPEN;
    e->r->handshake_at_us = now - e->start_us;
    e->phase = PH_OPEN;
    e->handshake_until = 0;
    e->kill_at = now + engine_scaled_us(e, e->def->kill_ms);
    e->hard_stop_at = e->kill_at + engine_scaled_us(e, HARD_STOP_AFTER_KILL_MS);
    if (e->def->close_after_ms)
        e->close_after_at = now + engine_scaled_us(e, e->def->close_after_ms);
    /* Nothing to play without compression: UNIMPLEMENTED, closed at once. */
    bool declined = e->def->deflate_required && !e->r->compressed;
    if (e->def->close.by == CLOSER_NONE || declined)
        engine_send_close(e, WS_CLOSE_NORMAL, now);
}

void engine_input(engine *e, const uint8_t *bytes, size_t n, uint64_t now)
{
    if (e->phase == PH_DONE || e->phase == PH_CONNECTING || n == 0)
        return;
    record_wire(e, false, bytes, n, now);
    if (e->phase == PH_HANDSHAKE) {
        engine_note_stage(e, STAGE_RESPONSE);
        engine_opening_input(e, bytes, n, now);
    } else if (e->phase == PH_OPEN) {
        engine_feed_frames(e, bytes, n, now);
        server_ends_after_close(e, now);
    }
}

/* ---- timers ---------------------------------------------------------------- */

static void handshake_timeout(engine *e, uint64_t now)
{
    e->r->timers |= TIMER_HANDSHAKE;
    snprintf(e->r->failure, sizeof e->r->failure, "%s within %u ms",
             e->phase == PH_CONNECTING  ? "no TCP connection"
             : e->r->stage < STAGE_TLS  ? "no TLS handshake"
             : e->cfg.role == ROLE_SERVER ? "no complete opening handshake request"
                                        : "no complete opening handshake response",
             (unsigned)(engine_scaled_us(e, HANDSHAKE_TIMEOUT_MS) / 1000));
    engine_drop(e, now);
}

static void kill_timeout(engine *e, uint64_t now)
{
    e->kill_at = 0;
    e->r->killed = true;
    e->r->timers |= TIMER_KILL;
    if (!e->r->we_sent_close) {
        engine_send_close(e, WS_CLOSE_GOING_AWAY, now);
    } else {
        /* Closing handshake done but TCP still open: the server's fault (§5.5.1). */
        e->r->dropped_after_close_wait = e->r->peer_sent_close;
        engine_drop(e, now);
    }
}

static void on_timers(engine *e, uint64_t now)
{
    if (e->handshake_until && now >= e->handshake_until && e->phase != PH_OPEN) {
        handshake_timeout(e, now);
        return;
    }
    if (e->phase != PH_OPEN)
        return;
    if (e->hard_stop_at && now >= e->hard_stop_at) {
        e->r->timers |= TIMER_HARD_STOP;
        engine_drop(e, now);
    } else if (e->close_wait_until && now >= e->close_wait_until) {
        e->r->timers |= TIMER_CLOSE_WAIT;
        e->r->dropped_after_close_wait = e->r->we_sent_close && e->r->peer_sent_close;
        engine_drop(e, now);
    } else if (e->kill_at && now >= e->kill_at) {
        kill_timeout(e, now);
    } else if (e->close_after_at && now >= e->close_after_at) {
        e->close_after_at = 0;
        if (!e->r->we_sent_close) {
            e->r->timers |= TIMER_CLOSE_AFTER;
            engine_send_close(e, WS_CLOSE_NORMAL, now);
        }
    }
}

void engine_tick(engine *e, uint64_t now)
{
    if (e->phase == PH_DONE)
        return;
    on_timers(e, now);
    if (e->phase == PH_OPEN)
        engine_run_steps(e, now);
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    return a < b ? a : b;
}

uint64_t engine_deadline(const engine *e)
{
    if (e->phase == PH_DONE)
        return 0;
    uint64_t t = 0;
    t = earliest(t, e->handshake_until);
    t = earliest(t, e->kill_at);
    t = earliest(t, e->close_after_at);
    t = earliest(t, e->close_wait_until);
    t = earliest(t, e->hard_stop_at);
    t = earliest(t, e->wait_until);
    if (e->awaiting && e->await_until != ENGINE_NO_DEADLINE)
        t = earliest(t, e->await_until);
    if (!outq_empty(&e->out) && e->write_not_before)
        t = earliest(t, e->write_not_before);
    return t ? t : ENGINE_NO_DEADLINE;
}

/* ---- output ---------------------------------------------------------------- */

bool engine_wants_output(const engine *e, uint64_t now)
{
    return e->phase != PH_DONE && !outq_empty(&e->out) && now >= e->write_not_before;
}

size_t engine_output(engine *e, uint8_t *buf, size_t cap, uint64_t now, bool *alone)
{
    *alone = false;
    if (!engine_wants_output(e, now))
        return 0;
    *alone = e->out.head->alone || e->out.head->chop;
    return outq_peek(&e->out, buf, cap, &e->output_pause_ms);
}

void engine_output_written(engine *e, const uint8_t *bytes, size_t n, uint64_t now)
{
    if (e->phase == PH_DONE || n == 0)
        return;
    record_wire(e, true, bytes, n, now);
    outq_consume(&e->out, n);
    if (e->output_pause_ms)
        e->write_not_before = now + (uint64_t)e->output_pause_ms * 1000u;
    if (e->drop_when_flushed && outq_empty(&e->out))
        engine_drop(e, now);
    else
        server_ends_after_close(e, now);
}

/* ---- lifecycle ------------------------------------------------------------- */

static uint64_t add_capped(uint64_t a, uint64_t b)
{
    return a + b < a || a + b > PEER_MESSAGE_CEILING ? PEER_MESSAGE_CEILING : a + b;
}

/* Every payload byte the case sends (loops counted), or the largest payload
 * it expects, whichever is larger, within [PEER_MESSAGE_FLOOR, ..._CEILING]. */
static uint64_t peer_message_cap(const case_def *d)
{
    uint64_t total = PEER_MESSAGE_FLOOR, repeat[ENGINE_LOOP_DEPTH_MAX + 1] = {1};
    int depth = 0;
    for (size_t i = 0; i < d->step_count; i++) {
        const step *st = &d->steps[i];
        if (st->kind == STEP_LOOP && depth < ENGINE_LOOP_DEPTH_MAX) {
            uint64_t times = st->count;
            repeat[depth + 1] = times && repeat[depth] > PEER_MESSAGE_CEILING / times
                                    ? PEER_MESSAGE_CEILING
                                    : repeat[depth] * times;
            depth++;
        } else if (st->kind == STEP_LOOP_END && depth > 0) {
            depth--;
        } else if (st->kind == STEP_BULK) {
            /* Echoes are checked as they come: one message at a time is kept. */
            uint64_t unit = st->dataset->text ? 4 : 1;
            total = add_capped(total, st->bulk_size > PEER_MESSAGE_CEILING / unit
                                          ? PEER_MESSAGE_CEILING
                                          : st->bulk_size * unit);
        } else if (st->data.length) {
            uint64_t bytes = st->data.length, times = repeat[depth];
            if (times)
                total = bytes > PEER_MESSAGE_CEILING / times ? PEER_MESSAGE_CEILING
                                                             : add_capped(total, bytes * times);
        }
    }
    for (size_t i = 0; i < d->expectation_count; i++)
        for (size_t j = 0; j < d->expectations[i].event_count; j++)
            if (d->expectations[i].events[j].data.length > total)
                total = add_capped(0, d->expectations[i].events[j].data.length);
    return total;
}

uint64_t engine_memory_bound(const case_def *def)
{
    /* The assembler's message, the stored events, and the fixed part. */
    uint64_t message = peer_message_cap(def);
    return ENGINE_FIXED_BYTES + message + message + PEER_MESSAGE_FLOOR;
}

engine *engine_new(const case_def *def, const engine_config *cfg, uint64_t now)
{
    engine *e = calloc(1, sizeof *e);
    case_result *r = calloc(1, sizeof *r);
    if (!e || !r)
        abort();
    e->def = def;
    e->cfg = *cfg;
    e->r = r;
    r->def = def;
    r->peer_close_code = -1;
    r->kill_ms = (uint32_t)(def->kill_ms * cfg->timeout_scale);
    r->started_at_us = now;
    e->start_us = now;
    e->peer_message_cap = peer_message_cap(def);
    e->open_message = -1;
    e->stream.message = -1;
    e->mode = def->initial_mode;
    e->mode_chop = def->initial_chop;
    if (RAND_bytes((unsigned char *)&e->rng, sizeof e->rng) != 1 || e->rng == 0)
        e->rng = now | 1;
    e->phase = PH_CONNECTING;
    e->handshake_until = now + engine_scaled_us(e, HANDSHAKE_TIMEOUT_MS);
    engine_init_assembler(e);
    compressor_init(&e->comp, NULL, cfg->role == ROLE_CLIENT ? WS_ROLE_CLIENT : WS_ROLE_SERVER);
    if (cfg->role == ROLE_CLIENT && ws_handshake_make_key(e->key) != WS_OK)
        engine_fail(e, "no random bytes for the handshake key", now);
    return e;
}

bool engine_done(const engine *e) { return e->phase == PH_DONE; }

const case_result *engine_result(const engine *e) { return e->r; }

case_result *engine_finish(engine *e, uint64_t now)
{
    case_result *r = e->r;
    finish(e, now);
    ws_assembler_free(&e->in);
    if (e->inflater_ready)
        ws_inflater_free(&e->inflater);
    compressor_free(&e->comp);
    engine_opening_free(e);
    free(e);
    return r;
}

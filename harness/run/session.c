/*
 * One case over one connection, in the client role. The session keeps every
 * observation the judge needs (events, who closed, codes, timings) and the
 * wire log; it decides nothing about verdicts except when to close, which
 * follows Autobahn's rules so verdicts stay comparable: the suite closes once
 * the events match an OK expectation, answers a peer's Close with 1000, waits
 * 1 s for the server to drop TCP, and fails the connection with 1001 when the
 * kill timer fires.
 */
#define _DEFAULT_SOURCE
#include "run/session.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/rand.h>

#include "verdict/judge.h"
#include "run/clock.h"
#include "run/outq.h"
#include "lang/url_vars.h"
#include "lang/payload.h"
#include "wscodec.h"

#define HEAD_MAX 16384
#define READ_CHUNK 65536
#define WRITE_CHUNK 65536
#define LOOP_DEPTH_MAX 16
#define HANDSHAKE_TIMEOUT_MS 5000
#define CLOSE_TIMEOUT_MS 1000
#define NO_DEADLINE UINT64_MAX
/* Per-case memory: events kept, and what the peer may send (see
 * session_memory_bound()). */
#define MAX_EVENTS 8192
#define PEER_MESSAGE_FLOOR (64u << 10)
#define PEER_MESSAGE_CEILING (64u << 20)
#define SESSION_FIXED_BYTES (640u << 10) /* wire log, head, buffers, TLS, inflater */

typedef enum phase { PH_CONNECTING, PH_HANDSHAKE, PH_OPEN, PH_DONE } phase;

struct session {
    const case_def *def;
    const session_config *cfg;
    case_result *r;
    transport t;
    phase phase;
    uint64_t start_us;
    uint64_t rng;

    outq out;
    uint64_t write_not_before;

    char key[WS_HANDSHAKE_KEY_LEN + 1];
    char *offered_protocols, *offered_extensions;
    uint8_t head[HEAD_MAX];
    size_t head_length;
    ws_assembler in;
    ws_inflater inflater;
    bool inflater_ready;
    bool in_failed;
    uint64_t peer_message_cap;   /* largest message and stored event bytes accepted */
    size_t events_judged;        /* events already checked by decide_early() */

    out_unit *pending_pong;      /* our latest Pong, while not yet written */
    bool pending_pong_written;

    /* steps */
    size_t pc;
    struct { size_t start; uint32_t left; } loops[LOOP_DEPTH_MAX];
    int loop_depth;
    write_mode mode;
    uint64_t mode_chop;
    uint64_t wait_until;
    const char *wait_tag;
    bool awaiting;
    size_t await_count;
    uint64_t await_until;
    bool steps_done, steps_abandoned;
    struct { bool masked; uint8_t key[4]; uint64_t offset; long message; } stream;
    long open_message; /* index into sent_messages of a fragmented message, -1 none */

    /* timers */
    uint64_t handshake_until, kill_at, close_after_at, close_wait_until, hard_stop_at;
};

static uint64_t scaled_us(const session *s, uint32_t ms)
{
    return (uint64_t)((double)ms * 1000.0 * s->cfg->timeout_scale);
}

static uint32_t next_random(session *s)
{
    uint64_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->rng = x;
    return (uint32_t)(x >> 16);
}

static void *grow(void *array, size_t *capacity, size_t need, size_t item)
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

static void record_wire(session *s, bool outgoing, const uint8_t *bytes, size_t n, uint64_t now)
{
    case_result *r = s->r;
    if (outgoing)
        r->bytes_out += n;
    else
        r->bytes_in += n;
    wire_log_add(&r->wire, outgoing ? WIRE_OUT : WIRE_IN, bytes, n, now - s->start_us);
}

static void set_violation(session *s, const char *fmt, const char *detail)
{
    if (!s->r->violation[0])
        snprintf(s->r->violation, sizeof s->r->violation, fmt, detail);
}

/* Beyond MAX_EVENTS events are only counted: the caller fills a scratch one. */
static observed_event *add_event(session *s, event_kind kind, const uint8_t *data, size_t n,
                                 uint64_t now)
{
    static observed_event dropped;
    case_result *r = s->r;
    if (r->event_count >= MAX_EVENTS) {
        r->events_dropped++;
        memset(&dropped, 0, sizeof dropped);
        return &dropped;
    }
    r->events = grow(r->events, &r->event_capacity, r->event_count + 1, sizeof *r->events);
    observed_event *e = &r->events[r->event_count++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->at_us = now - s->start_us;
    if (n && r->event_bytes + n <= s->peer_message_cap + PEER_MESSAGE_FLOOR) {
        e->data = malloc(n);
        if (!e->data)
            abort();
        memcpy(e->data, data, n);
        r->event_bytes += n;
    }
    e->length = n;
    return e;
}

/* ---- sending ------------------------------------------------------------- */

static sent_message *new_sent(session *s, uint8_t opcode)
{
    case_result *r = s->r;
    r->sent_messages = grow(r->sent_messages, &r->sent_message_capacity,
                            r->sent_message_count + 1, sizeof *r->sent_messages);
    sent_message *m = &r->sent_messages[r->sent_message_count++];
    memset(m, 0, sizeof *m);
    m->opcode = opcode;
    return m;
}

static void add_slice(sent_message *m, const payload *p, uint64_t offset, uint64_t length)
{
    m->slices = grow(m->slices, &m->slice_capacity, m->slice_count + 1, sizeof *m->slices);
    m->slices[m->slice_count++] = (sent_slice){p, offset, length};
    m->length += length;
}

static void arm_close_wait(session *s, uint64_t now)
{
    s->close_wait_until = now + scaled_us(s, CLOSE_TIMEOUT_MS);
}

/* Notes what a frame we send means for echo matching and for the close. */
static void track_frame(session *s, uint8_t opcode, bool fin, uint8_t rsv, const payload *p,
                        uint64_t offset, uint64_t length, uint64_t now)
{
    case_result *r = s->r;
    if (opcode == WS_OP_TEXT || opcode == WS_OP_BINARY) {
        sent_message *m = new_sent(s, opcode);
        add_slice(m, p, offset, length);
        s->open_message = fin ? -1 : (long)(r->sent_message_count - 1);
    } else if (opcode == WS_OP_CONTINUATION) {
        if (s->open_message >= 0) {
            add_slice(&r->sent_messages[s->open_message], p, offset, length);
            if (fin)
                s->open_message = -1;
        }
    } else if (opcode == WS_OP_PING) {
        add_slice(new_sent(s, WS_OP_PING), p, offset, length);
    } else if (opcode == WS_OP_CLOSE && fin && !rsv && !r->we_sent_close) {
        /* A malformed Close (RSV bits, no FIN) is a protocol test, not the suite closing. */
        r->we_sent_close = true;
        if (r->closer == NOBODY)
            r->closer = BY_US;
        if (length >= 2)
            r->our_close_code = (uint16_t)(payload_byte_at(p, offset) << 8 |
                                           payload_byte_at(p, offset + 1));
        arm_close_wait(s, now);
    }
}

static uint64_t step_chop(const session *s, const step *st)
{
    if (st->chop)
        return st->chop;
    return s->mode == WRITE_CHOP ? s->mode_chop : 0;
}

static void mask_key_for(session *s, const step *st, bool *masked, uint8_t key[4])
{
    *masked = st->mask != MASK_OFF;
    if (st->mask == MASK_KEY) {
        memcpy(key, st->mask_key, 4);
    } else {
        uint32_t k = next_random(s);
        memcpy(key, &k, 4);
    }
}

/* Queues one frame: header bytes plus a masked slice of a payload. */
static void queue_frame(session *s, const step *st, uint8_t opcode, bool fin, const payload *p,
                        uint64_t offset, uint64_t length, bool header_only, uint64_t now)
{
    ws_frame_spec spec = {.fin = fin, .rsv = st->rsv, .opcode = opcode,
                          .length_form = (ws_length_form)st->length_form,
                          .declare_length = st->declare_length,
                          .declared_length = st->declared_length};
    mask_key_for(s, st, &spec.masked, spec.mask_key);
    uint8_t header[WS_FRAME_HEADER_MAX];
    int n = ws_frame_encode_header(&spec, length, header);
    if (n < 0) {
        /* The parser rejects impossible forms; fall back to the minimal one. */
        spec.length_form = WS_LENGTH_MINIMAL;
        n = ws_frame_encode_header(&spec, length, header);
    }
    out_unit *u = calloc(1, sizeof *u);
    if (!u)
        abort();
    u->bytes = malloc((size_t)n);
    if (!u->bytes)
        abort();
    memcpy(u->bytes, header, (size_t)n);
    u->bytes_length = (size_t)n;
    if (!header_only && length) {
        u->body = p;
        u->body_offset = offset;
        u->body_length = length;
        u->masked = spec.masked;
        memcpy(u->key, spec.mask_key, 4);
    }
    u->chop = step_chop(s, st);
    u->alone = s->mode == WRITE_FRAMES;
    if (opcode == WS_OP_CLOSE && fin && !st->rsv && !s->r->we_sent_close)
        u->written_flag = &s->r->close_written; /* track_frame() below makes it ours */
    outq_push(&s->out, u);
    if (header_only) {
        s->stream.masked = spec.masked;
        memcpy(s->stream.key, spec.mask_key, 4);
        s->stream.offset = 0;
    }
    track_frame(s, opcode, fin, st->rsv, p, offset, header_only ? 0 : length, now);
}

static void queue_bytes(session *s, const payload *p, uint64_t chop, bool masked,
                        const uint8_t key[4], uint64_t mask_offset)
{
    out_unit *u = calloc(1, sizeof *u);
    if (!u)
        abort();
    u->body = p;
    u->body_length = p->length;
    u->masked = masked;
    if (masked)
        memcpy(u->key, key, 4);
    u->mask_offset = mask_offset;
    u->chop = chop;
    u->alone = s->mode == WRITE_FRAMES;
    outq_push(&s->out, u);
}

/* Encodes a masked control frame of the suite's own into u->bytes. */
static void encode_control(session *s, out_unit *u, uint8_t opcode, const uint8_t *data,
                           size_t n)
{
    ws_frame_spec spec = {.fin = true, .opcode = opcode, .masked = true};
    uint32_t k = next_random(s);
    memcpy(spec.mask_key, &k, 4);
    size_t written = 0;
    ws_frame_encode(&spec, data, n, u->bytes, WS_FRAME_HEADER_MAX + WS_CONTROL_PAYLOAD_MAX,
                    &written);
    u->bytes_length = written;
}

/* A control frame of the suite's own (Close, Pong), queued whole.
 * Returns its unit, which is already in the queue. */
static out_unit *queue_control(session *s, uint8_t opcode, const uint8_t *data, size_t n)
{
    out_unit *u = calloc(1, sizeof *u);
    if (!u)
        abort();
    u->bytes = malloc(WS_FRAME_HEADER_MAX + WS_CONTROL_PAYLOAD_MAX);
    if (!u->bytes)
        abort();
    encode_control(s, u, opcode, data, n);
    outq_push(&s->out, u);
    return u;
}

/* §5.5.3 lets an endpoint answer only the most recent Ping, so however fast
 * the peer pings, at most one Pong of ours waits to be written: a new Ping
 * replaces the payload of a Pong not yet started. */
static void answer_ping(session *s, const uint8_t *data, size_t n)
{
    out_unit *u = s->pending_pong;
    if (u && !s->pending_pong_written && u->written == 0) {
        s->out.pending -= u->bytes_length;
        encode_control(s, u, WS_OP_PONG, data, n);
        s->out.pending += u->bytes_length;
        s->r->pongs_coalesced++;
        return;
    }
    s->pending_pong_written = false;
    s->pending_pong = queue_control(s, WS_OP_PONG, data, n);
    s->pending_pong->written_flag = &s->pending_pong_written;
}

/* A Close frame the suite sends on its own (auto-close, kill, reply). */
static void send_close(session *s, uint16_t code, uint64_t now)
{
    uint8_t body[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    out_unit *u = queue_control(s, WS_OP_CLOSE, body, 2);
    s->steps_abandoned = true;
    if (!s->r->we_sent_close) {
        u->written_flag = &s->r->close_written;
        s->r->we_sent_close = true;
        s->r->our_close_code = code;
        s->r->suite_close = true;
        if (s->r->closer == NOBODY)
            s->r->closer = BY_US;
    }
    arm_close_wait(s, now);
}

/* ---- the end ------------------------------------------------------------- */

static void finish(session *s, uint64_t now)
{
    if (s->phase == PH_DONE)
        return;
    if (s->r->tcp_closed_by == NOBODY)
        s->r->tcp_closed_by = BY_US;
    if (s->r->closer == NOBODY)
        s->r->closer = s->r->tcp_closed_by;
    transport_close(&s->t);
    outq_clear(&s->out);
    s->r->duration_us = now - s->start_us;
    s->phase = PH_DONE;
}

static void drop(session *s, uint64_t now)
{
    if (s->r->tcp_closed_by == NOBODY)
        s->r->tcp_closed_by = BY_US;
    finish(s, now);
}

static bool peer_open(const session *s)
{
    return s->phase == PH_OPEN && !s->r->peer_sent_close && s->r->tcp_closed_by == NOBODY;
}

/* Autobahn's auto-close: once every step ran and the events are an OK
 * sequence, the suite starts the closing handshake itself. */
static void maybe_auto_close(session *s, uint64_t now)
{
    const case_def *d = s->def;
    if (d->close.by == CLOSER_PEER || s->r->we_sent_close || !s->steps_done || !peer_open(s) ||
        d->informational || !outq_empty(&s->out))
        return;
    verdict v;
    if (d->close.by == CLOSER_NONE || (judge_match(d, s->r, &v) >= 0 && v == VERDICT_OK))
        send_close(s, d->close.code_count ? d->close.codes[0] : WS_CLOSE_NORMAL, now);
}

/* A case the suite closes itself whose events no acceptable sequence can
 * follow any more is decided: it ends now, as the kill timer would end it. */
static void decide_early(session *s, uint64_t now)
{
    const case_def *d = s->def;
    if (s->r->event_count == s->events_judged)
        return;
    s->events_judged = s->r->event_count;
    if (d->close.by != CLOSER_US || d->informational || s->r->we_sent_close || !peer_open(s) ||
        judge_still_possible(d, s->r))
        return;
    s->r->decided_early = true;
    send_close(s, d->close.code_count ? d->close.codes[0] : WS_CLOSE_NORMAL, now);
}

/* ---- steps --------------------------------------------------------------- */

static void run_steps(session *s, uint64_t now)
{
    const case_def *d = s->def;
    while (!s->steps_done) {
        if (s->steps_abandoned || s->pc >= d->step_count) {
            s->steps_done = true;
            break;
        }
        if (s->wait_until) {
            if (now < s->wait_until)
                return;
            s->wait_until = 0;
            if (s->wait_tag && peer_open(s)) {
                add_event(s, EVENT_TIMEOUT, NULL, 0, now)->tag = s->wait_tag;
                s->r->timers |= TIMER_WAIT_TAG;
                decide_early(s, now);
            }
            s->pc++;
            continue;
        }
        if (s->awaiting) {
            if (s->r->event_count < s->await_count && now < s->await_until && peer_open(s))
                return;
            if (s->r->event_count < s->await_count && now >= s->await_until)
                s->r->timers |= TIMER_AWAIT;
            s->awaiting = false;
            s->pc++;
            continue;
        }
        const step *st = &d->steps[s->pc];
        switch (st->kind) {
        case STEP_FRAME:
            queue_frame(s, st, st->opcode, st->fin, &st->data, 0, st->data.length, false, now);
            break;
        case STEP_MESSAGE: {
            uint64_t total = st->data.length, size = st->fragment ? st->fragment : total;
            uint64_t off = 0;
            do {
                uint64_t n = total - off < size ? total - off : size;
                bool last = off + n >= total;
                queue_frame(s, st, off ? WS_OP_CONTINUATION : st->opcode, last, &st->data, off,
                            n, false, now);
                off += n;
            } while (off < total);
            break;
        }
        case STEP_FRAME_BEGIN:
            queue_frame(s, st, st->opcode, st->fin, &st->data, 0, 0, true, now);
            s->stream.message = s->open_message >= 0 ? s->open_message
                                : (st->opcode == WS_OP_TEXT || st->opcode == WS_OP_BINARY)
                                    ? (long)s->r->sent_message_count - 1
                                    : -1;
            break;
        case STEP_FRAME_DATA:
            queue_bytes(s, &st->data, step_chop(s, st), s->stream.masked, s->stream.key,
                        s->stream.offset);
            if (s->stream.message >= 0)
                add_slice(&s->r->sent_messages[s->stream.message], &st->data, 0,
                          st->data.length);
            s->stream.offset += st->data.length;
            break;
        case STEP_RAW:
            queue_bytes(s, &st->data, step_chop(s, st), false, NULL, 0);
            break;
        case STEP_WRITE_MODE:
            s->mode = st->mode;
            s->mode_chop = st->mode_chop;
            break;
        case STEP_WAIT:
            s->wait_until = now + (uint64_t)st->wait_ms * 1000u;
            s->wait_tag = st->tag;
            return;
        case STEP_AWAIT:
            s->awaiting = true;
            s->await_count = s->r->event_count + 1;
            s->await_until = st->wait_ms ? now + (uint64_t)st->wait_ms * 1000u : NO_DEADLINE;
            return;
        case STEP_LOOP:
            if (st->count == 0 || s->loop_depth == LOOP_DEPTH_MAX) {
                s->pc = st->loop_end + 1;
                continue;
            }
            s->loops[s->loop_depth].start = s->pc;
            s->loops[s->loop_depth].left = st->count;
            s->loop_depth++;
            break;
        case STEP_LOOP_END:
            if (s->loop_depth > 0 && --s->loops[s->loop_depth - 1].left > 0) {
                s->pc = s->loops[s->loop_depth - 1].start + 1;
                continue;
            }
            if (s->loop_depth > 0)
                s->loop_depth--;
            break;
        }
        s->pc++;
        /* Eager steps go out with the request up to the first pause. */
        if (s->phase == PH_HANDSHAKE && !d->request.eager)
            return;
    }
    maybe_auto_close(s, now);
}

/* ---- the opening handshake ------------------------------------------------ */

typedef struct header_line {
    char *name, *value;
} header_line;

static char *dup_string(const char *text)
{
    char *p = strdup(text ? text : "");
    if (!p)
        abort();
    return p;
}

static void set_header(header_line *h, size_t *n, size_t max, const char *name, const char *value,
                       bool replace)
{
    if (replace) {
        bool found = false;
        for (size_t i = 0; i < *n; i++)
            if (strcasecmp(h[i].name, name) == 0) {
                if (found) {
                    h[i].name[0] = '\0'; /* removed below */
                } else {
                    free(h[i].value);
                    h[i].value = dup_string(value);
                    found = true;
                }
            }
        if (found)
            return;
    }
    if (*n < max) {
        h[*n].name = dup_string(name);
        h[*n].value = dup_string(value);
        (*n)++;
    }
}

static void append_list(char **list, const char *value)
{
    size_t old = *list ? strlen(*list) : 0;
    char *p = realloc(*list, old + strlen(value) + 3);
    if (!p)
        abort();
    snprintf(p + old, strlen(value) + 3, "%s%s", old ? ", " : "", value);
    *list = p;
}

/* A raw request carries its own key: the response must answer that one. */
static void key_from_raw(session *s, const payload *raw)
{
    enum { RAW_HEAD_MAX = 16384 };
    size_t n = raw->length < RAW_HEAD_MAX ? (size_t)raw->length : RAW_HEAD_MAX;
    char *text = malloc(n ? n : 1);
    if (!text)
        abort();
    payload_copy(raw, 0, (uint8_t *)text, n);
    ws_http_header headers[64];
    ws_http_request req = {.headers = headers, .max_headers = 64};
    if (ws_http_parse_request(text, n, RAW_HEAD_MAX, &req) > 0) {
        const ws_http_header *key = ws_http_find_header(headers, req.num_headers,
                                                        "Sec-WebSocket-Key", NULL);
        if (key && key->value_len < sizeof s->key)
            snprintf(s->key, sizeof s->key, "%.*s", (int)key->value_len, key->value);
    }
    free(text);
}

/* Builds the request the case asks for: the defaults of §4.1, then its edits. */
static void queue_request(session *s, uint64_t now)
{
    const request_spec *rq = &s->def->request;
    const target_url *url = s->cfg->url;
    if (rq->raw.length) {
        key_from_raw(s, &rq->raw);
        out_unit *u = calloc(1, sizeof *u);
        if (!u)
            abort();
        u->body = &rq->raw;
        u->body_length = rq->raw.length;
        u->chop = rq->trickle;
        u->pause_ms = rq->trickle_ms;
        outq_push(&s->out, u);
        wire_log_frames_after(&s->r->wire, WIRE_OUT, rq->raw.length);
        return;
    }
    enum { MAX_HEADERS = 64 };
    header_line h[MAX_HEADERS];
    size_t n = 0;
    char *host = url_vars_expand("$authority", url);
    if (!host)
        abort();
    set_header(h, &n, MAX_HEADERS, "Host", host, false);
    free(host);
    set_header(h, &n, MAX_HEADERS, "Upgrade", "websocket", false);
    set_header(h, &n, MAX_HEADERS, "Connection", "Upgrade", false);
    set_header(h, &n, MAX_HEADERS, "Sec-WebSocket-Key", s->key, false);
    set_header(h, &n, MAX_HEADERS, "Sec-WebSocket-Version", "13", false);
    set_header(h, &n, MAX_HEADERS, "User-Agent", s->cfg->user_agent, false);
    for (size_t i = 0; i < rq->edit_count; i++) {
        const header_edit *e = &rq->edits[i];
        if (e->op == HEADER_REMOVE) {
            for (size_t j = 0; j < n; j++)
                if (strcasecmp(h[j].name, e->name) == 0)
                    h[j].name[0] = '\0';
        } else {
            char *value = url_vars_expand(e->value, url);
            if (!value)
                abort();
            set_header(h, &n, MAX_HEADERS, e->name, value, e->op == HEADER_SET);
            free(value);
        }
    }

    size_t cap = 1024;
    for (size_t i = 0; i < n; i++)
        cap += strlen(h[i].name) + strlen(h[i].value) + 4;
    const char *method = rq->method ? rq->method : "GET";
    char *target = rq->target ? url_vars_expand(rq->target, url) : dup_string(url->target);
    if (!target)
        abort();
    const char *version = rq->version ? rq->version : "HTTP/1.1";
    cap += strlen(method) + strlen(target) + strlen(version);
    char *text = malloc(cap);
    if (!text)
        abort();
    size_t len = (size_t)snprintf(text, cap, "%s %s %s\r\n", method, target, version);
    free(target);
    bool key_sent = false;
    for (size_t i = 0; i < n; i++) {
        if (h[i].name[0]) {
            len += (size_t)snprintf(text + len, cap - len, "%s: %s\r\n", h[i].name, h[i].value);
            /* An edited key is the one the response must answer. */
            if (!key_sent && strcasecmp(h[i].name, "Sec-WebSocket-Key") == 0) {
                key_sent = true;
                if (strlen(h[i].value) < sizeof s->key)
                    snprintf(s->key, sizeof s->key, "%s", h[i].value);
            }
            /* What the client offers decides what the response may accept (§4.1);
             * repeated fields form one list (§9.1, §11.3.4). */
            if (strcasecmp(h[i].name, "Sec-WebSocket-Protocol") == 0)
                append_list(&s->offered_protocols, h[i].value);
            if (strcasecmp(h[i].name, "Sec-WebSocket-Extensions") == 0)
                append_list(&s->offered_extensions, h[i].value);
        }
        free(h[i].name);
        free(h[i].value);
    }
    len += (size_t)snprintf(text + len, cap - len, "\r\n");
    out_unit *u = calloc(1, sizeof *u);
    if (!u)
        abort();
    u->bytes = (uint8_t *)text;
    u->bytes_length = len;
    u->chop = rq->trickle;
    u->pause_ms = rq->trickle_ms;
    outq_push(&s->out, u);
    wire_log_frames_after(&s->r->wire, WIRE_OUT, len);
    (void)now;
}

static void feed_frames(session *s, const uint8_t *buf, size_t n, uint64_t now);

/* What the peer sends is read by the codec in the client role, up to this
 * case's bound; with compression agreed, RSV1 messages are inflated. Close
 * payloads are judged by the session, so that an invalid one is still
 * recorded. */
static void init_assembler(session *s)
{
    ws_assembler_config in = {.role = WS_ROLE_CLIENT, .max_message_size = s->peer_message_cap,
                              .lenient = WS_LENIENT_CLOSE};
    if (s->inflater_ready) {
        in.rsv_allowed = WS_RSV1;
        in.inflater = &s->inflater;
    }
    ws_assembler_init(&s->in, &in);
}

/* When the 101 agreed to permessage-deflate (RFC 7692) on one of the offers the
 * case made, the peer's RSV1 messages are inflated from now on. WS_OK, or why
 * the response accepts none of the offers. */
static int agree_compression(session *s, const ws_handshake_response_info *info)
{
    if (!info->extensions || !s->offered_extensions)
        return WS_OK;
    enum { MAX_EXTENSIONS = 16 };
    ws_extension offers[MAX_EXTENSIONS], answer[MAX_EXTENSIONS];
    size_t num_offers = 0, num_answer = 0;
    int rc = ws_handshake_parse_extensions(s->offered_extensions, strlen(s->offered_extensions),
                                           offers, MAX_EXTENSIONS, &num_offers);
    if (rc != WS_OK)
        return WS_OK; /* a malformed offer made on purpose: the server had to decline it */
    rc = ws_handshake_parse_extensions(info->extensions, info->extensions_len, answer,
                                       MAX_EXTENSIONS, &num_answer);
    if (rc != WS_OK)
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < num_offers; i++)
        if (ws_http_equal_nocase(offers[i].name, offers[i].name_len, WS_PMD_EXTENSION_NAME,
                                 strlen(WS_PMD_EXTENSION_NAME)))
            offers[n++] = offers[i];
    ws_pmd_params agreed;
    rc = ws_pmd_client_accept(offers, n, answer, num_answer, &agreed);
    if (rc <= 0)
        return rc == 0 ? WS_OK : rc;
    ws_inflater_config theirs = {.max_message_size = s->peer_message_cap};
    ws_pmd_configure(&agreed, WS_ROLE_CLIENT, NULL, &theirs);
    if (ws_inflater_init(&s->inflater, &theirs) != WS_OK)
        abort();
    s->inflater_ready = true;
    ws_assembler_free(&s->in);
    init_assembler(s);
    s->r->compressed = true;
    return WS_OK;
}

static void on_head_bytes(session *s, const uint8_t *buf, size_t n, uint64_t now)
{
    size_t room = HEAD_MAX - s->head_length;
    size_t take = n < room ? n : room;
    memcpy(s->head + s->head_length, buf, take);
    s->head_length += take;

    ws_http_header headers[64];
    ws_http_response res = {.headers = headers, .max_headers = 64};
    int used = ws_http_parse_response((const char *)s->head, s->head_length, HEAD_MAX, &res);
    if (used == WS_NEED_MORE)
        return;
    if (used < 0) {
        set_violation(s, "malformed handshake response: %s", ws_strerror(used));
        drop(s, now);
        return;
    }
    s->r->response_status = res.status;
    if (res.status != 101) {
        observed_event *e = add_event(s, EVENT_HTTP, s->head, (size_t)used, now);
        e->status = res.status;
        drop(s, now);
        return;
    }
    ws_handshake_request_spec spec = {.host = s->cfg->url->host, .key = s->key,
                                      .protocols = s->offered_protocols,
                                      .extensions = s->offered_extensions};
    ws_handshake_response_info info;
    int rc = ws_handshake_check_response(&res, &spec, &info);
    if (rc == WS_OK)
        rc = agree_compression(s, &info);
    if (rc != WS_OK) {
        const ws_error_info *e = ws_error_lookup(rc);
        char detail[200];
        snprintf(detail, sizeof detail, "%s (%s)", e ? e->message : "invalid",
                 e ? e->rfc_section : "");
        set_violation(s, "bad handshake response: %s", detail);
        drop(s, now);
        return;
    }
    s->r->handshake_done = true;
    s->r->stage = STAGE_OPEN;
    s->r->handshake_at_us = now - s->start_us;
    s->phase = PH_OPEN;
    s->handshake_until = 0;
    s->kill_at = now + scaled_us(s, s->def->kill_ms);
    s->hard_stop_at = s->kill_at + scaled_us(s, 5000);
    if (s->def->close_after_ms)
        s->close_after_at = now + scaled_us(s, s->def->close_after_ms);
    if (s->def->close.by == CLOSER_NONE) {
        send_close(s, WS_CLOSE_NORMAL, now);
        return;
    }
    /* Bytes after the head (from the buffer or the rest of this read) are frames. */
    size_t extra_in_head = s->head_length - (size_t)used;
    wire_log_frames_start(&s->r->wire, WIRE_IN, s->head + used, extra_in_head,
                          now - s->start_us);
    if (take < n)
        wire_log_frames_start(&s->r->wire, WIRE_IN, buf + take, n - take, now - s->start_us);
    if (extra_in_head)
        feed_frames(s, s->head + used, extra_in_head, now);
    if (take < n && s->phase == PH_OPEN)
        feed_frames(s, buf + take, n - take, now);
}

/* ---- frames from the peer ------------------------------------------------- */

static void on_violation(session *s, int err, uint64_t now)
{
    const ws_error_info *e = ws_error_lookup(err);
    char detail[200];
    if (err == WS_E_MESSAGE_TOO_BIG) {
        /* Not a protocol error: the suite's own bound, past anything an echo returns. */
        if (!s->r->violation[0])
            snprintf(s->r->violation, sizeof s->r->violation,
                     "the peer sent a message of more than %llu bytes, more than this case sent "
                     "in all (the suite's limit for the case)",
                     (unsigned long long)s->peer_message_cap);
        s->in_failed = true;
        if (!s->r->we_sent_close)
            send_close(s, WS_CLOSE_MESSAGE_TOO_BIG, now);
        return;
    }
    snprintf(detail, sizeof detail, "%s (%s)", e ? e->message : "protocol error",
             e ? e->rfc_section : "");
    set_violation(s, "the peer broke the protocol: %s", detail);
    s->in_failed = true;
    if (!s->r->we_sent_close)
        send_close(s, e && e->close_code ? e->close_code : WS_CLOSE_PROTOCOL_ERROR, now);
}

static void feed_events(session *s, const uint8_t *buf, size_t n, uint64_t now);

/* Auto-close is judged once per read, not per event: a flood of small frames
 * must not cost a match over every event for each one. */
static void feed_frames(session *s, const uint8_t *buf, size_t n, uint64_t now)
{
    feed_events(s, buf, n, now);
    maybe_auto_close(s, now);
    decide_early(s, now);
}

static void feed_events(session *s, const uint8_t *buf, size_t n, uint64_t now)
{
    size_t off = 0;
    while (off < n && !s->in_failed && s->phase == PH_OPEN) {
        ws_event ev;
        ptrdiff_t used = ws_assembler_feed(&s->in, buf + off, n - off, &ev);
        if (used < 0) {
            on_violation(s, (int)used, now);
            return;
        }
        off += (size_t)used;
        switch (ev.type) {
        case WS_EVENT_NONE:
            return;
        case WS_EVENT_MESSAGE:
            add_event(s, EVENT_MESSAGE, ev.data, ev.length, now)->opcode = ev.opcode;
            if (ev.rsv && !(s->r->compressed && ev.rsv == WS_RSV1)) {
                set_violation(s, "%s", "the peer set RSV bits on a message without an extension");
            }
            break;
        case WS_EVENT_PING:
            add_event(s, EVENT_PING, ev.data, ev.length, now);
            if (!s->r->we_sent_close)
                answer_ping(s, ev.data, ev.length);
            break;
        case WS_EVENT_PONG:
            add_event(s, EVENT_PONG, ev.data, ev.length, now);
            break;
        case WS_EVENT_CLOSE: {
            int bad = ws_close_parse(ev.data, ev.length, &ev.close);
            if (bad != WS_OK && !s->r->violation[0]) {
                const ws_error_info *e = ws_error_lookup(bad);
                snprintf(s->r->violation, sizeof s->r->violation,
                         "the peer broke the protocol: %s (%s)", e ? e->message : "bad Close",
                         e ? e->rfc_section : "");
                s->r->violation_in_close = true;
            }
            s->r->peer_sent_close = true;
            s->r->peer_close_code = ev.close.has_code ? ev.close.code : WS_CLOSE_NO_STATUS;
            snprintf(s->r->peer_close_reason, sizeof s->r->peer_close_reason, "%.*s",
                     (int)(ev.close.reason_length < 120 ? ev.close.reason_length : 120),
                     (const char *)ev.close.reason);
            if (s->r->closer == NOBODY)
                s->r->closer = BY_PEER;
            if (!s->r->we_sent_close) /* Autobahn answers 1000; an invalid Close fails (§7.4.1) */
                send_close(s, bad == WS_OK ? WS_CLOSE_NORMAL : WS_CLOSE_PROTOCOL_ERROR, now);
            arm_close_wait(s, now); /* now the server must drop TCP */
            break;
        }
        }
        if (s->r->event_bytes >= s->peer_message_cap + PEER_MESSAGE_FLOOR && !s->in_failed) {
            set_violation(s, "%s", "the peer sent more data than this case sent in all (the "
                                   "suite's limit for the case)");
            s->in_failed = true;
            if (!s->r->we_sent_close)
                send_close(s, WS_CLOSE_MESSAGE_TOO_BIG, now);
        }
        if (s->r->event_count >= MAX_EVENTS && !s->in_failed) {
            /* No case expects this many: stop reading a flood. */
            if (!s->r->violation[0])
                snprintf(s->r->violation, sizeof s->r->violation,
                         "the peer sent more than %d messages, pings and pongs in one case (the "
                         "suite's limit)", MAX_EVENTS);
            s->in_failed = true;
            if (!s->r->we_sent_close)
                send_close(s, WS_CLOSE_POLICY_VIOLATION, now);
        }
    }
}

/* ---- I/O ------------------------------------------------------------------- */

static void do_read(session *s, uint64_t now)
{
    static uint8_t buf[READ_CHUNK]; /* used and consumed within one call */
    for (int rounds = 0; rounds < 8 && s->phase != PH_DONE; rounds++) {
        long n = transport_read(&s->t, buf, sizeof buf);
        if (n == TRANSPORT_AGAIN)
            return;
        if (n <= 0) {
            /* End of stream and reset are both the peer dropping TCP. */
            if (n == TRANSPORT_ERROR && !s->r->violation[0] && !s->r->we_sent_close)
                snprintf(s->r->failure, sizeof s->r->failure, "%s", s->t.error);
            if (s->r->tcp_closed_by == NOBODY)
                s->r->tcp_closed_by = BY_PEER;
            finish(s, now);
            return;
        }
        record_wire(s, false, buf, (size_t)n, now);
        if (s->phase == PH_HANDSHAKE) {
            if (s->r->stage < STAGE_RESPONSE)
                s->r->stage = STAGE_RESPONSE;
            on_head_bytes(s, buf, (size_t)n, now);
        }
        else if (s->phase == PH_OPEN)
            feed_frames(s, buf, (size_t)n, now);
    }
}

static void do_write(session *s, uint64_t now)
{
    static uint8_t buf[WRITE_CHUNK];
    while (!outq_empty(&s->out) && now >= s->write_not_before && s->phase != PH_DONE) {
        uint32_t pause = 0;
        size_t n = outq_peek(&s->out, buf, sizeof buf, &pause);
        bool alone = s->out.head->alone || s->out.head->chop;
        long w = transport_write(&s->t, buf, n);
        if (w < 0) {
            if (s->r->tcp_closed_by == NOBODY)
                s->r->tcp_closed_by = BY_PEER;
            finish(s, now);
            return;
        }
        if (w == 0)
            return;
        record_wire(s, true, buf, (size_t)w, now);
        outq_consume(&s->out, (size_t)w);
        if (pause)
            s->write_not_before = now + (uint64_t)pause * 1000u;
        if (alone || (size_t)w < n)
            return; /* the next piece goes out in a later write */
    }
}

/* ---- timers ---------------------------------------------------------------- */

static void on_timers(session *s, uint64_t now)
{
    if (s->handshake_until && now >= s->handshake_until && s->phase != PH_OPEN) {
        s->r->timers |= TIMER_HANDSHAKE;
        snprintf(s->r->failure, sizeof s->r->failure, "%s within %u ms",
                 s->phase == PH_CONNECTING  ? "no TCP connection"
                 : s->r->stage < STAGE_TLS  ? "no TLS handshake"
                                            : "no complete opening handshake response",
                 (unsigned)(scaled_us(s, HANDSHAKE_TIMEOUT_MS) / 1000));
        drop(s, now);
        return;
    }
    if (s->phase != PH_OPEN)
        return;
    if (s->hard_stop_at && now >= s->hard_stop_at) {
        s->r->timers |= TIMER_HARD_STOP;
        drop(s, now);
        return;
    }
    if (s->close_wait_until && now >= s->close_wait_until) {
        s->r->timers |= TIMER_CLOSE_WAIT;
        s->r->dropped_after_close_wait = s->r->we_sent_close && s->r->peer_sent_close;
        drop(s, now);
        return;
    }
    if (s->kill_at && now >= s->kill_at) {
        s->kill_at = 0;
        s->r->killed = true;
        s->r->timers |= TIMER_KILL;
        if (!s->r->we_sent_close) {
            send_close(s, WS_CLOSE_GOING_AWAY, now);
        } else {
            /* Closing handshake done but TCP still open: the server's fault (§5.5.1). */
            s->r->dropped_after_close_wait = s->r->peer_sent_close;
            drop(s, now);
        }
        return;
    }
    if (s->close_after_at && now >= s->close_after_at) {
        s->close_after_at = 0;
        if (!s->r->we_sent_close) {
            s->r->timers |= TIMER_CLOSE_AFTER;
            send_close(s, WS_CLOSE_NORMAL, now);
        }
    }
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
    uint64_t total = PEER_MESSAGE_FLOOR, repeat[LOOP_DEPTH_MAX + 1] = {1};
    int depth = 0;
    for (size_t i = 0; i < d->step_count; i++) {
        const step *st = &d->steps[i];
        if (st->kind == STEP_LOOP && depth < LOOP_DEPTH_MAX) {
            uint64_t times = st->count;
            repeat[depth + 1] = times && repeat[depth] > PEER_MESSAGE_CEILING / times
                                    ? PEER_MESSAGE_CEILING
                                    : repeat[depth] * times;
            depth++;
        } else if (st->kind == STEP_LOOP_END && depth > 0) {
            depth--;
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

uint64_t session_memory_bound(const case_def *def)
{
    /* The assembler's message, the stored events, and the fixed part. */
    uint64_t message = peer_message_cap(def);
    return SESSION_FIXED_BYTES + message + message + PEER_MESSAGE_FLOOR;
}

session *session_start(const case_def *def, const session_config *cfg, uint64_t now_us)
{
    session *s = calloc(1, sizeof *s);
    case_result *r = calloc(1, sizeof *r);
    if (!s || !r)
        abort();
    s->def = def;
    s->cfg = cfg;
    s->r = r;
    r->def = def;
    r->peer_close_code = -1;
    r->kill_ms = (uint32_t)(def->kill_ms * cfg->timeout_scale);
    r->started_at_us = now_us;
    s->start_us = now_us;
    s->peer_message_cap = peer_message_cap(def);
    s->open_message = -1;
    s->stream.message = -1;
    s->mode = def->initial_mode;
    s->mode_chop = def->initial_chop;
    if (RAND_bytes((unsigned char *)&s->rng, sizeof s->rng) != 1 || s->rng == 0)
        s->rng = now_us | 1;
    if (ws_handshake_make_key(s->key) != WS_OK) {
        snprintf(r->failure, sizeof r->failure, "no random bytes for the handshake key");
        s->phase = PH_DONE;
        return s;
    }
    init_assembler(s);
    if (transport_open(&s->t, cfg->target) != 0) {
        snprintf(r->failure, sizeof r->failure, "%s", s->t.error);
        finish(s, now_us);
        return s;
    }
    s->phase = PH_CONNECTING;
    s->handshake_until = now_us + scaled_us(s, HANDSHAKE_TIMEOUT_MS);
    return s;
}

int session_poll(const session *s, short *events)
{
    if (s->phase == PH_DONE) {
        *events = 0;
        return -1;
    }
    bool want_write = !outq_empty(&s->out) && monotonic_us() >= s->write_not_before;
    *events = transport_poll_events(&s->t, want_write);
    return s->t.fd;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    return a < b ? a : b;
}

uint64_t session_deadline(const session *s)
{
    if (s->phase == PH_DONE)
        return 0;
    uint64_t t = 0;
    t = earliest(t, s->handshake_until);
    t = earliest(t, s->kill_at);
    t = earliest(t, s->close_after_at);
    t = earliest(t, s->close_wait_until);
    t = earliest(t, s->hard_stop_at);
    t = earliest(t, s->wait_until);
    if (s->awaiting && s->await_until != NO_DEADLINE)
        t = earliest(t, s->await_until);
    if (!outq_empty(&s->out) && s->write_not_before)
        t = earliest(t, s->write_not_before);
    return t ? t : NO_DEADLINE;
}

void session_advance(session *s, short revents, uint64_t now)
{
    if (s->phase == PH_DONE)
        return;
    if (s->phase == PH_CONNECTING) {
        transport_state st = transport_step(&s->t, s->cfg->target);
        if (st == TRANSPORT_TLS_HANDSHAKE || (st == TRANSPORT_FAILED && s->t.ssl))
            s->r->stage = STAGE_TCP;
        if (st == TRANSPORT_FAILED) {
            snprintf(s->r->failure, sizeof s->r->failure, "%s", s->t.error);
            drop(s, now);
            return;
        }
        if (st != TRANSPORT_READY) {
            on_timers(s, now);
            return;
        }
        s->r->connected = true;
        s->r->stage = STAGE_TLS;
        s->phase = PH_HANDSHAKE;
        queue_request(s, now);
        if (s->def->request.eager)
            run_steps(s, now);
    }
    if (revents & (POLLIN | POLLHUP | POLLERR))
        do_read(s, now);
    if (s->phase == PH_DONE)
        return;
    on_timers(s, now);
    if (s->phase == PH_DONE)
        return;
    if (s->phase == PH_OPEN)
        run_steps(s, now);
    do_write(s, now);
}

bool session_done(const session *s) { return s->phase == PH_DONE; }

const case_result *session_result(const session *s) { return s->r; }

case_result *session_finish(session *s)
{
    case_result *r = s->r;
    if (s->phase != PH_DONE)
        finish(s, monotonic_us());
    ws_assembler_free(&s->in);
    if (s->inflater_ready)
        ws_inflater_free(&s->inflater);
    free(s->offered_protocols);
    free(s->offered_extensions);
    free(s);
    return r;
}

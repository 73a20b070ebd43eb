/*
 * The case's steps turned into frames on the send queue, and what the engine
 * notes of them for echo matching and the close.
 */
#include "run/engine_state.h"

#include <stdlib.h>
#include <string.h>

#include "lang/dataset.h"
#include "lang/payload.h"

/* ---- what was sent --------------------------------------------------------- */

static sent_message *new_sent(engine *e, uint8_t opcode)
{
    case_result *r = e->r;
    r->sent_messages = engine_grow(r->sent_messages, &r->sent_message_capacity,
                                   r->sent_message_count + 1, sizeof *r->sent_messages);
    sent_message *m = &r->sent_messages[r->sent_message_count++];
    memset(m, 0, sizeof *m);
    m->opcode = opcode;
    r->sent_ping_count += opcode == WS_OP_PING;
    return m;
}

static void add_slice(sent_message *m, const payload *p, uint64_t offset, uint64_t length)
{
    m->slices = engine_grow(m->slices, &m->slice_capacity, m->slice_count + 1, sizeof *m->slices);
    m->slices[m->slice_count++] = (sent_slice){p, offset, length};
    m->length += length;
}

static void note_close(engine *e, const payload *p, uint64_t offset, uint64_t length,
                       uint64_t now)
{
    case_result *r = e->r;
    r->we_sent_close = true;
    if (r->closer == NOBODY)
        r->closer = BY_US;
    if (length >= 2)
        r->our_close_code = (uint16_t)(payload_byte_at(p, offset) << 8 |
                                       payload_byte_at(p, offset + 1));
    engine_arm_close_wait(e, now);
}

/* Notes what a frame we send means for echo matching and for the close. */
static void track_frame(engine *e, const ws_frame_spec *spec, const payload *p, uint64_t offset,
                        uint64_t length, uint64_t now)
{
    case_result *r = e->r;
    uint8_t opcode = spec->opcode;
    if (opcode == WS_OP_TEXT || opcode == WS_OP_BINARY) {
        add_slice(new_sent(e, opcode), p, offset, length);
        e->open_message = spec->fin ? -1 : (long)(r->sent_message_count - 1);
    } else if (opcode == WS_OP_CONTINUATION) {
        if (e->open_message >= 0) {
            add_slice(&r->sent_messages[e->open_message], p, offset, length);
            if (spec->fin)
                e->open_message = -1;
        }
    } else if (opcode == WS_OP_PING) {
        add_slice(new_sent(e, WS_OP_PING), p, offset, length);
    } else if (opcode == WS_OP_CLOSE && spec->fin && !spec->rsv && !r->we_sent_close) {
        /* A malformed Close (RSV bits, no FIN) is a protocol test, not the suite closing. */
        note_close(e, p, offset, length, now);
    }
}

/* ---- frames ---------------------------------------------------------------- */

static uint64_t step_chop(const engine *e, const step *st)
{
    if (st->chop)
        return st->chop;
    return e->mode == WRITE_CHOP ? e->mode_chop : 0;
}

/* A client masks unless the step says mask=off; a server masks only with an
 * explicit key (a deliberately wrong frame, §5.1). */
static bool masks(const engine *e, const step *st)
{
    return e->cfg.role == ROLE_CLIENT ? st->mask != MASK_OFF : st->mask == MASK_KEY;
}

static void mask_key_for(engine *e, const step *st, ws_frame_spec *spec)
{
    spec->masked = masks(e, st);
    if (st->mask == MASK_KEY) {
        memcpy(spec->mask_key, st->mask_key, 4);
    } else {
        uint32_t k = engine_random(e);
        memcpy(spec->mask_key, &k, 4);
    }
}

/* Queues one frame: header bytes plus a masked slice of a payload (none when
 * header_only: its payload follows in `frame-data` steps). */
static void queue_frame(engine *e, const step *st, uint8_t opcode, bool fin, uint64_t offset,
                        uint64_t length, bool header_only, uint64_t now)
{
    ws_frame_spec spec = {.fin = fin, .rsv = st->rsv, .opcode = opcode,
                          .length_form = (ws_length_form)st->length_form,
                          .declare_length = st->declare_length,
                          .declared_length = st->declared_length};
    mask_key_for(e, st, &spec);
    uint8_t header[WS_FRAME_HEADER_MAX];
    int n = ws_frame_encode_header(&spec, length, header);
    if (n < 0) {
        /* The parser rejects impossible forms; fall back to the minimal one. */
        spec.length_form = WS_LENGTH_MINIMAL;
        n = ws_frame_encode_header(&spec, length, header);
    }
    out_unit *u = out_unit_new((size_t)n);
    memcpy(u->bytes, header, (size_t)n);
    u->bytes_length = (size_t)n;
    if (!header_only && length) {
        u->body = &st->data;
        u->body_offset = offset;
        u->body_length = length;
        u->masked = spec.masked;
        memcpy(u->key, spec.mask_key, 4);
    }
    u->chop = step_chop(e, st);
    u->alone = e->mode == WRITE_FRAMES;
    if (opcode == WS_OP_CLOSE && fin && !st->rsv && !e->r->we_sent_close)
        u->written_flag = &e->r->close_written; /* track_frame() below makes it ours */
    outq_push(&e->out, u);
    if (header_only) {
        e->stream.masked = spec.masked;
        memcpy(e->stream.key, spec.mask_key, 4);
        e->stream.offset = 0;
    }
    track_frame(e, &spec, &st->data, offset, header_only ? 0 : length, now);
}

/* Bytes of a step as they are (raw) or continuing a frame begun earlier. */
static void queue_bytes(engine *e, const step *st, bool masked, const uint8_t key[4],
                        uint64_t mask_offset)
{
    out_unit *u = out_unit_new(0);
    u->body = &st->data;
    u->body_length = st->data.length;
    u->masked = masked;
    if (masked)
        memcpy(u->key, key, 4);
    u->mask_offset = mask_offset;
    u->chop = step_chop(e, st);
    u->alone = e->mode == WRITE_FRAMES;
    outq_push(&e->out, u);
}

/* ---- compressed messages (RFC 7692) ----------------------------------------- */

/* One frame header (spec) and `n` given payload bytes, masked, in one unit;
 * `declared` is the payload length the header announces (more bytes may
 * follow in units of their own). Returns the unit's length. */
static size_t queue_literal_frame(engine *e, const step *st, ws_frame_spec *spec,
                                  const uint8_t *bytes, size_t n, uint64_t declared)
{
    uint8_t header[WS_FRAME_HEADER_MAX];
    int h = ws_frame_encode_header(spec, declared, header);
    out_unit *u = out_unit_new((size_t)h + n);
    memcpy(u->bytes, header, (size_t)h);
    if (n && spec->masked)
        ws_mask_copy(u->bytes + h, bytes, n, spec->mask_key, 0);
    else if (n)
        memcpy(u->bytes + h, bytes, n);
    u->bytes_length = (size_t)h + n;
    u->chop = step_chop(e, st);
    u->alone = e->mode == WRITE_FRAMES;
    outq_push(&e->out, u);
    return u->bytes_length;
}

/* A compressed frame: its header and payload. */
static void queue_compressed_frame(engine *e, const step *st, uint8_t opcode, bool fin,
                                   uint8_t rsv, const uint8_t *bytes, size_t n)
{
    ws_frame_spec spec = {.fin = fin, .rsv = rsv, .opcode = opcode};
    mask_key_for(e, st, &spec);
    e->r->compressed_bytes_out += queue_literal_frame(e, st, &spec, bytes, n, n);
}

/* A message made of slices[0..n), compressed as the step says, cut into
 * frames of `fragment` bytes of the compressed payload (0: one frame), RSV1
 * on the first. When the payload fills its last frame exactly, an empty
 * continuation ends the message, as Autobahn's fuzzer does. */
static void send_compressed(engine *e, const step *st, uint8_t opcode, const sent_slice *slices,
                            size_t n, uint64_t fragment, uint64_t now)
{
    size_t length;
    uint8_t *bytes = compressor_run(&e->comp, slices, n, (compress_form)st->compress,
                                    st->compress_window, &length);
    if (!bytes) {
        engine_fail(e, "a compressed message would exceed 64 MiB (the suite's limit)", now);
        return;
    }
    sent_message *m = new_sent(e, opcode);
    for (size_t i = 0; i < n; i++)
        add_slice(m, slices[i].source, slices[i].offset, slices[i].length);
    e->r->message_bytes_out += m->length;
    bool empty_last = fragment && length && length % fragment == 0;
    uint64_t size = fragment ? fragment : length, off = 0;
    do {
        size_t piece = (size_t)(length - off < size ? length - off : size);
        bool last = off + piece >= length && !empty_last;
        queue_compressed_frame(e, st, off ? WS_OP_CONTINUATION : opcode, last,
                               off ? st->rsv : (uint8_t)(st->rsv | WS_RSV1), bytes + off, piece);
        off += piece;
    } while (off < length);
    if (empty_last)
        queue_compressed_frame(e, st, WS_OP_CONTINUATION, true, st->rsv, NULL, 0);
    free(bytes);
}

static void send_message(engine *e, const step *st, uint64_t now)
{
    if (st->compress) {
        sent_slice whole = {&st->data, 0, st->data.length};
        send_compressed(e, st, st->opcode, &whole, 1, st->fragment, now);
        return;
    }
    uint64_t total = st->data.length, size = st->fragment ? st->fragment : total;
    uint64_t off = 0;
    do {
        uint64_t n = total - off < size ? total - off : size;
        bool last = off + n >= total;
        queue_frame(e, st, off ? WS_OP_CONTINUATION : st->opcode, last, off, n, false, now);
        off += n;
    } while (off < total);
}

/* ---- bulk messages ----------------------------------------------------------- */

/* A message made of slices, uncompressed, cut into frames of `fragment`
 * bytes: each frame a header and masked slices of the data set. */
static void send_plain(engine *e, const step *st, uint8_t opcode, const sent_slice *slices,
                       size_t n, uint64_t fragment, uint64_t now)
{
    (void)now;
    sent_message *m = new_sent(e, opcode);
    for (size_t i = 0; i < n; i++)
        add_slice(m, slices[i].source, slices[i].offset, slices[i].length);
    uint64_t total = m->length, size = fragment ? fragment : total, off = 0;
    do {
        uint64_t length = total - off < size ? total - off : size;
        ws_frame_spec spec = {.fin = off + length >= total, .rsv = st->rsv,
                              .opcode = off ? WS_OP_CONTINUATION : opcode};
        mask_key_for(e, st, &spec);
        queue_literal_frame(e, st, &spec, NULL, 0, length);
        uint64_t pos = 0;
        for (size_t i = 0; i < n; pos += slices[i].length, i++) {
            uint64_t from = off > pos ? off : pos;
            uint64_t to = off + length < pos + slices[i].length ? off + length
                                                                : pos + slices[i].length;
            if (from >= to)
                continue;
            out_unit *u = out_unit_new(0);
            u->body = slices[i].source;
            u->body_offset = slices[i].offset + (from - pos);
            u->body_length = to - from;
            u->masked = spec.masked;
            memcpy(u->key, spec.mask_key, 4);
            u->mask_offset = from - off;
            u->chop = step_chop(e, st);
            outq_push(&e->out, u);
        }
        off += length;
    } while (off < total);
}

/* The next message of a bulk step: the next bulk_size units of the data set
 * from the cursor, wrapping around at its end (Autobahn's 12.x and 13.x). */
static void send_bulk_message(engine *e, const step *st, uint64_t now)
{
    const dataset *set = st->dataset;
    dataset_span span = dataset_bulk_span(set, e->bulk.cursor, st->bulk_size);
    sent_slice slices[2];
    for (size_t i = 0; i < span.pieces; i++)
        slices[i] = (sent_slice){&set->bytes, span.offset[i], span.length[i]};
    e->bulk.cursor = span.next_cursor;
    if (st->compress)
        send_compressed(e, st, st->opcode, slices, span.pieces, st->fragment, now);
    else
        send_plain(e, st, st->opcode, slices, span.pieces, st->fragment, now);
}

/* Sends the next message and waits for one more event (its echo), at the
 * same step; false while it holds the steps. */
static bool play_bulk(engine *e, const step *st, uint64_t now)
{
    if (e->bulk.sent == st->count) {
        e->bulk.active = false;
        e->bulk.sent = 0;
        e->bulk.cursor = 0;
        return true;
    }
    e->bulk.active = true;
    e->bulk.sent++;
    send_bulk_message(e, st, now);
    e->awaiting = true;
    e->await_repeats = true;
    e->await_count = e->r->event_count + 1;
    e->await_until = ENGINE_NO_DEADLINE;
    return false;
}

static void begin_frame(engine *e, const step *st, uint64_t now)
{
    queue_frame(e, st, st->opcode, st->fin, 0, 0, true, now);
    e->stream.message = e->open_message >= 0 ? e->open_message
                        : (st->opcode == WS_OP_TEXT || st->opcode == WS_OP_BINARY)
                            ? (long)e->r->sent_message_count - 1
                            : -1;
}

static void continue_frame(engine *e, const step *st)
{
    queue_bytes(e, st, e->stream.masked, e->stream.key, e->stream.offset);
    if (e->stream.message >= 0)
        add_slice(&e->r->sent_messages[e->stream.message], &st->data, 0, st->data.length);
    e->stream.offset += st->data.length;
}

/* ---- running the steps ------------------------------------------------------ */

/* A pause in progress (wait or await): true while it holds the steps. */
static bool paused(engine *e, uint64_t now)
{
    if (e->wait_until) {
        if (now < e->wait_until)
            return true;
        e->wait_until = 0;
        if (e->wait_tag && engine_peer_open(e)) {
            engine_add_event(e, EVENT_TIMEOUT, NULL, 0, now)->tag = e->wait_tag;
            e->r->timers |= TIMER_WAIT_TAG;
            engine_decide_early(e, now);
        }
        e->pc++;
    } else if (e->awaiting) {
        bool short_of_events = e->r->event_count < e->await_count;
        if (short_of_events && now < e->await_until && engine_peer_open(e))
            return true;
        if (short_of_events && now >= e->await_until)
            e->r->timers |= TIMER_AWAIT;
        e->awaiting = false;
        if (!e->await_repeats)
            e->pc++;
        e->await_repeats = false;
    }
    return false;
}

/* Where the steps go next after a loop step: the index to continue at. */
static size_t loop_step(engine *e, const step *st)
{
    if (st->kind == STEP_LOOP) {
        if (st->count == 0 || e->loop_depth == ENGINE_LOOP_DEPTH_MAX)
            return st->loop_end + 1;
        e->loops[e->loop_depth].start = e->pc;
        e->loops[e->loop_depth].left = st->count;
        e->loop_depth++;
        return e->pc + 1;
    }
    if (e->loop_depth > 0 && --e->loops[e->loop_depth - 1].left > 0)
        return e->loops[e->loop_depth - 1].start + 1;
    if (e->loop_depth > 0)
        e->loop_depth--;
    return e->pc + 1;
}

/* Plays one step; false when it starts a pause (the steps stop for now). */
static bool play_step(engine *e, const step *st, uint64_t now)
{
    switch (st->kind) {
    case STEP_FRAME:
        queue_frame(e, st, st->opcode, st->fin, 0, st->data.length, false, now);
        break;
    case STEP_MESSAGE:
        send_message(e, st, now);
        break;
    case STEP_FRAME_BEGIN:
        begin_frame(e, st, now);
        break;
    case STEP_FRAME_DATA:
        continue_frame(e, st);
        break;
    case STEP_RAW:
        queue_bytes(e, st, false, NULL, 0);
        break;
    case STEP_WRITE_MODE:
        e->mode = st->mode;
        e->mode_chop = st->mode_chop;
        break;
    case STEP_WAIT:
        e->wait_until = now + (uint64_t)st->wait_ms * 1000u;
        e->wait_tag = st->tag;
        return false;
    case STEP_AWAIT:
        e->awaiting = true;
        e->await_count = e->r->event_count + 1;
        e->await_until = st->wait_ms ? now + (uint64_t)st->wait_ms * 1000u : ENGINE_NO_DEADLINE;
        return false;
    case STEP_LOOP:
    case STEP_LOOP_END:
        e->pc = loop_step(e, st);
        return true;
    case STEP_BULK:
        if (!play_bulk(e, st, now))
            return false;
        break;
    }
    e->pc++;
    return true;
}

void engine_run_steps(engine *e, uint64_t now)
{
    const case_def *d = e->def;
    while (!e->steps_done) {
        if (e->steps_abandoned || e->pc >= d->step_count) {
            e->steps_done = true;
            break;
        }
        if (e->wait_until || e->awaiting) {
            if (paused(e, now))
                return;
            continue;
        }
        /* Eager steps (before the handshake's answer) stop at the first pause too. */
        if (!play_step(e, &d->steps[e->pc], now))
            return;
    }
    engine_maybe_auto_close(e, now);
}

/* The wire log: both directions' beginning and end, chunks and decoded frames. */
#include "run/wirelog.h"

#include <stdlib.h>
#include <string.h>

static void *must_alloc(size_t n)
{
    void *p = calloc(1, n);
    if (!p)
        abort(); /* fixed, small sizes: running out here is fatal */
    return p;
}

/* The slot for the next item: the head part first, then the tail ring. */
static size_t ring_slot(wire_ring *r, size_t cap)
{
    r->total++;
    if (r->head_count < cap)
        return r->head_count++;
    size_t slot = cap + r->tail_next;
    r->tail_next = (r->tail_next + 1) % cap;
    if (r->tail_count < cap)
        r->tail_count++;
    return slot;
}

/* Calls visit(ctx, slot, omitted_before) for the kept items in order. */
static void ring_walk(const wire_ring *r, size_t cap, void (*visit)(void *, size_t, uint64_t),
                      void *ctx)
{
    for (size_t i = 0; i < r->head_count; i++)
        visit(ctx, i, 0);
    uint64_t omitted = r->total - r->head_count - r->tail_count;
    size_t first = r->tail_count < cap ? 0 : r->tail_next;
    for (size_t i = 0; i < r->tail_count; i++)
        visit(ctx, cap + (first + i) % cap, i == 0 ? omitted : 0);
}

/* ---- frames ---------------------------------------------------------------- */

static void frame_begin(wire_direction *d, uint64_t at_us)
{
    frame_walker *w = &d->walker;
    const uint8_t *h = w->header;
    if (!d->frames)
        d->frames = must_alloc(2 * WIRE_FRAMES * sizeof *d->frames);
    wire_frame *f = &d->frames[ring_slot(&d->frame_ring, WIRE_FRAMES)];
    memset(f, 0, sizeof *f);
    f->at_us = at_us;
    f->fin = h[0] & 0x80;
    f->rsv = (h[0] >> 4) & 7;
    f->opcode = h[0] & 15;
    f->masked = h[1] & 0x80;
    uint64_t length = h[1] & 0x7f;
    size_t at = 2;
    if (length == 126) {
        length = (uint64_t)h[2] << 8 | h[3];
        at = 4;
    } else if (length == 127) {
        length = 0;
        for (size_t i = 0; i < 8; i++)
            length = length << 8 | h[2 + i];
        at = 10;
    }
    if (f->masked)
        memcpy(w->key, h + at, 4);
    f->length = length;
    w->payload_left = length;
    w->payload_seen = 0;
    w->current = f;
    w->header_have = 0;
    w->header_need = 2;
}

static void frames_feed(wire_direction *d, const uint8_t *p, size_t n, uint64_t at_us)
{
    frame_walker *w = &d->walker;
    while (n && w->active) {
        if (w->skip) {
            size_t take = w->skip < n ? (size_t)w->skip : n;
            w->skip -= take;
            p += take;
            n -= take;
            continue;
        }
        if (w->payload_left) {
            size_t take = w->payload_left < n ? (size_t)w->payload_left : n;
            wire_frame *f = w->current;
            for (size_t i = 0; f && i < take && w->payload_seen + i < WIRE_PREVIEW; i++) {
                uint64_t at = w->payload_seen + i;
                f->preview[at] = (uint8_t)(p[i] ^ (f->masked ? w->key[at % 4] : 0));
                f->preview_length = (uint8_t)(at + 1);
            }
            w->payload_left -= take;
            w->payload_seen += take;
            p += take;
            n -= take;
            continue;
        }
        w->header[w->header_have++] = *p++;
        n--;
        if (w->header_have == 2) {
            uint8_t len7 = w->header[1] & 0x7f;
            w->header_need = (uint8_t)(2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
                                       (w->header[1] & 0x80 ? 4 : 0));
        }
        if (w->header_have >= 2 && w->header_have == w->header_need)
            frame_begin(d, at_us);
    }
}

void wire_log_frames_after(wire_log *log, int direction, uint64_t bytes_before_frames)
{
    frame_walker *w = &log->dir[direction].walker;
    w->active = true;
    w->skip = bytes_before_frames;
    w->header_need = 2;
}

void wire_log_frames_start(wire_log *log, int direction, const uint8_t *already, size_t n,
                           uint64_t at_us)
{
    wire_log_frames_after(log, direction, 0);
    frames_feed(&log->dir[direction], already, n, at_us);
}

/* ---- bytes and chunks -------------------------------------------------------- */

void wire_log_add(wire_log *log, int direction, const uint8_t *bytes, size_t n, uint64_t at_us)
{
    wire_direction *d = &log->dir[direction];
    if (!d->chunks)
        d->chunks = must_alloc(2 * WIRE_CHUNKS * sizeof *d->chunks);
    d->chunks[ring_slot(&d->chunk_ring, WIRE_CHUNKS)] =
        (wire_chunk){.at_us = at_us, .offset = d->bytes, .length = (uint32_t)n};
    size_t i = 0;
    if (d->head_used < WIRE_HEAD_BYTES) {
        if (!d->head)
            d->head = must_alloc(WIRE_HEAD_BYTES);
        size_t take = WIRE_HEAD_BYTES - d->head_used < n ? WIRE_HEAD_BYTES - d->head_used : n;
        memcpy(d->head + d->head_used, bytes, take);
        d->head_used += take;
        i = take;
    }
    if (i < n && !d->tail)
        d->tail = must_alloc(WIRE_TAIL_BYTES);
    /* Only the last WIRE_TAIL_BYTES of what is left can survive. */
    if (n - i > WIRE_TAIL_BYTES)
        i = n - WIRE_TAIL_BYTES;
    for (; i < n; i++) {
        uint64_t at = d->bytes + i - WIRE_HEAD_BYTES;
        d->tail[at % WIRE_TAIL_BYTES] = bytes[i];
    }
    frames_feed(d, bytes, n, at_us);
    d->bytes += n;
}

typedef struct chunk_walk {
    const wire_direction *d;
    wire_chunk_visit visit;
    void *ctx;
    uint8_t *scratch;
} chunk_walk;

static void visit_chunk(void *ctx, size_t slot, uint64_t omitted)
{
    (void)omitted;
    chunk_walk *cw = ctx;
    const wire_direction *d = cw->d;
    const wire_chunk *c = &d->chunks[slot];
    uint64_t start = c->offset, end = c->offset + c->length;
    if (start < d->head_used) {
        uint64_t stop = end < d->head_used ? end : d->head_used;
        cw->visit(cw->ctx, c, d->head + start, start, (size_t)(stop - start));
        return;
    }
    uint64_t tail_from = d->bytes > WIRE_HEAD_BYTES + WIRE_TAIL_BYTES
                             ? d->bytes - WIRE_TAIL_BYTES
                             : WIRE_HEAD_BYTES;
    if (end <= tail_from || !d->tail) {
        cw->visit(cw->ctx, c, NULL, start, 0);
        return;
    }
    uint64_t from = start > tail_from ? start : tail_from;
    size_t n = (size_t)(end - from);
    for (size_t i = 0; i < n; i++)
        cw->scratch[i] = d->tail[(from + i - WIRE_HEAD_BYTES) % WIRE_TAIL_BYTES];
    cw->visit(cw->ctx, c, cw->scratch, from, n);
}

void wire_log_chunks(const wire_log *log, int direction, wire_chunk_visit visit, void *ctx)
{
    const wire_direction *d = &log->dir[direction];
    if (!d->chunks)
        return;
    chunk_walk cw = {d, visit, ctx, must_alloc(WIRE_TAIL_BYTES)};
    ring_walk(&d->chunk_ring, WIRE_CHUNKS, visit_chunk, &cw);
    free(cw.scratch);
}

typedef struct frame_walk {
    const wire_direction *d;
    wire_frame_visit visit;
    void *ctx;
} frame_walk;

static void visit_frame(void *ctx, size_t slot, uint64_t omitted)
{
    frame_walk *fw = ctx;
    fw->visit(fw->ctx, &fw->d->frames[slot], omitted);
}

void wire_log_frames(const wire_log *log, int direction, wire_frame_visit visit, void *ctx)
{
    const wire_direction *d = &log->dir[direction];
    if (!d->frames)
        return;
    frame_walk fw = {d, visit, ctx};
    ring_walk(&d->frame_ring, WIRE_FRAMES, visit_frame, &fw);
}

static uint64_t omitted(const wire_ring *r)
{
    return r->total - r->head_count - r->tail_count;
}

uint64_t wire_log_chunks_omitted(const wire_log *log, int direction)
{
    return omitted(&log->dir[direction].chunk_ring);
}

uint64_t wire_log_frames_total(const wire_log *log, int direction)
{
    return log->dir[direction].frame_ring.total;
}

uint64_t wire_log_frames_omitted(const wire_log *log, int direction)
{
    return omitted(&log->dir[direction].frame_ring);
}

void wire_log_free(wire_log *log)
{
    for (int i = 0; i < 2; i++) {
        wire_direction *d = &log->dir[i];
        free(d->head);
        free(d->tail);
        free(d->chunks);
        free(d->frames);
    }
    memset(log, 0, sizeof *log);
}

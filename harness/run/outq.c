/* The write queue of a session: units cut into writes as the case asks. */
#include "run/outq.h"

#include <stdlib.h>
#include <string.h>

#include "lang/payload.h"
#include "wscodec/mask.h"

static uint64_t unit_length(const out_unit *u) { return u->bytes_length + u->body_length; }

out_unit *out_unit_new(size_t capacity)
{
    out_unit *u = calloc(1, sizeof *u);
    if (!u || (capacity && !(u->bytes = malloc(capacity))))
        abort();
    return u;
}

void outq_push(outq *q, out_unit *unit)
{
    if (unit_length(unit) == 0) {
        free(unit->bytes);
        free(unit);
        return;
    }
    unit->next = NULL;
    unit->written = 0;
    if (q->tail)
        q->tail->next = unit;
    else
        q->head = unit;
    q->tail = unit;
    q->pending += unit_length(unit);
}

/* Copies bytes [from, from+n) of the unit's wire form into out. */
static void unit_bytes(const out_unit *u, uint64_t from, uint8_t *out, size_t n)
{
    if (from < u->bytes_length) {
        size_t k = (size_t)(u->bytes_length - from);
        if (k > n)
            k = n;
        memcpy(out, u->bytes + from, k);
        out += k;
        n -= k;
        from += k;
    }
    if (n == 0)
        return;
    uint64_t body_pos = from - u->bytes_length;
    payload_copy(u->body, u->body_offset + body_pos, out, n);
    if (u->masked)
        ws_mask(out, n, u->key, u->mask_offset + body_pos);
}

size_t outq_peek(const outq *q, uint8_t *buf, size_t cap, uint32_t *pause_ms)
{
    *pause_ms = 0;
    size_t filled = 0;
    for (const out_unit *u = q->head; u && filled < cap; u = u->next) {
        uint64_t left = unit_length(u) - u->written;
        bool alone = u->alone || u->chop;
        if (alone && filled > 0)
            break;
        if (u->chop) {
            uint64_t piece_end = (u->written / u->chop + 1) * u->chop;
            if (piece_end > unit_length(u))
                piece_end = unit_length(u);
            left = piece_end - u->written;
            if (piece_end < unit_length(u))
                *pause_ms = u->pause_ms;
        }
        size_t n = left < cap - filled ? (size_t)left : cap - filled;
        unit_bytes(u, u->written, buf + filled, n);
        filled += n;
        if (alone)
            break;
    }
    return filled;
}

void outq_consume(outq *q, size_t n)
{
    q->pending -= n;
    while (n > 0 && q->head) {
        out_unit *u = q->head;
        uint64_t left = unit_length(u) - u->written;
        uint64_t k = n < left ? n : left;
        u->written += k;
        n -= (size_t)k;
        if (u->written == unit_length(u)) {
            if (u->written_flag)
                *u->written_flag = true;
            q->head = u->next;
            if (!q->head)
                q->tail = NULL;
            free(u->bytes);
            free(u);
        }
    }
}

void outq_clear(outq *q)
{
    while (q->head) {
        out_unit *u = q->head;
        q->head = u->next;
        free(u->bytes);
        free(u);
    }
    q->tail = NULL;
    q->pending = 0;
}

/*
 * The bytes a session still has to write, as a queue of units. A unit is
 * literal bytes (a frame header, a request) followed by an optional slice of a
 * case payload that is masked as it is written, so a 16 MiB frame is never
 * materialised. Units carry how they are cut into writes: coalesced with
 * their neighbours, alone, or in pieces of `chop` bytes with optional pauses.
 */
#ifndef WSCONFORM_OUTQ_H
#define WSCONFORM_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/case.h"

typedef struct out_unit {
    uint8_t *bytes;            /* owned literal prefix */
    size_t bytes_length;
    const payload *body;       /* NULL: none */
    uint64_t body_offset, body_length;
    bool masked;
    uint8_t key[4];
    uint64_t mask_offset;      /* payload position of the slice's first byte */
    bool alone;                /* not coalesced with other units */
    uint64_t chop;             /* > 0: written in pieces of this size, each alone */
    uint32_t pause_ms;         /* between pieces */
    uint64_t written;          /* bytes of this unit already written */
    bool *written_flag;        /* if set, becomes true once every byte is written */
    struct out_unit *next;
} out_unit;

typedef struct outq {
    out_unit *head, *tail;
    uint64_t pending;          /* bytes not yet written */
} outq;

/* A zeroed unit with room for `capacity` literal bytes (none when 0); never
 * NULL (running out of memory here is fatal: every queue is bounded by the
 * case). */
out_unit *out_unit_new(size_t capacity);

/* Appends a unit; takes ownership of bytes (malloc'd or NULL). */
void outq_push(outq *q, out_unit *unit);

/* Fills buf with the next write: as much as may go out in one write call.
 * *pause_ms is set to the pause to keep after this write (0 none). Returns
 * the byte count (0 if the queue is empty). */
size_t outq_peek(const outq *q, uint8_t *buf, size_t cap, uint32_t *pause_ms);

/* Marks n bytes of the last peek as written. */
void outq_consume(outq *q, size_t n);

void outq_clear(outq *q);

static inline bool outq_empty(const outq *q) { return q->head == NULL; }

#endif

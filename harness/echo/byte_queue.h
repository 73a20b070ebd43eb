/*
 * A connection's unsent output: one contiguous, growable run of bytes that
 * frames are encoded straight into and written straight out of.
 *
 * Not run/outq.h: that queue holds a session's units (literal bytes plus
 * slices of case payloads masked as they are copied, cut into writes with
 * pauses) and copies each write into a staging buffer. The echo server has
 * no payloads to refer to and no pacing; every byte it sends is already
 * encoded, so a plain buffer spares a copy and an allocation per frame.
 */
#ifndef WSCONFORM_ECHO_BYTE_QUEUE_H
#define WSCONFORM_ECHO_BYTE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unsent bytes: data[start .. start+length). */
typedef struct byte_queue {
    uint8_t *data;
    size_t start, length, capacity;
} byte_queue;

/* Room for n more bytes at the tail; NULL when memory ran out. The bytes
 * count once byte_queue_commit() says how many were written there. */
uint8_t *byte_queue_reserve(byte_queue *q, size_t n);
void byte_queue_commit(byte_queue *q, size_t n);

/* Appends n bytes; false when memory ran out. */
bool byte_queue_append(byte_queue *q, const void *bytes, size_t n);

/* The first n bytes were written out. */
void byte_queue_consume(byte_queue *q, size_t n);

static inline const uint8_t *byte_queue_head(const byte_queue *q) { return q->data + q->start; }

void byte_queue_free(byte_queue *q);

#endif

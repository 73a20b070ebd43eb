/* A connection's unsent output as one growable buffer. */
#include "echo/byte_queue.h"

#include <stdlib.h>
#include <string.h>

uint8_t *byte_queue_reserve(byte_queue *q, size_t n)
{
    if (q->length == 0)
        q->start = 0;
    if (q->capacity - q->start - q->length >= n)
        return q->data + q->start + q->length;
    if (q->capacity - q->length >= n) {
        memmove(q->data, q->data + q->start, q->length);
        q->start = 0;
        return q->data + q->length;
    }
    if (n > SIZE_MAX / 2 - q->length)
        return NULL;
    size_t capacity = q->capacity ? q->capacity : 4096;
    while (capacity < q->length + n)
        capacity *= 2;
    uint8_t *data = malloc(capacity);
    if (!data)
        return NULL;
    if (q->length)
        memcpy(data, q->data + q->start, q->length);
    free(q->data);
    q->data = data;
    q->start = 0;
    q->capacity = capacity;
    return q->data + q->length;
}

void byte_queue_commit(byte_queue *q, size_t n)
{
    q->length += n;
}

bool byte_queue_append(byte_queue *q, const void *bytes, size_t n)
{
    uint8_t *dest = byte_queue_reserve(q, n);
    if (!dest)
        return false;
    memcpy(dest, bytes, n);
    q->length += n;
    return true;
}

void byte_queue_consume(byte_queue *q, size_t n)
{
    q->start += n;
    q->length -= n;
    if (q->length == 0)
        q->start = 0;
}

void byte_queue_free(byte_queue *q)
{
    free(q->data);
    memset(q, 0, sizeof *q);
}

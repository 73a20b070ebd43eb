/*
 * An allocator for the codec's realloc_fn hooks that counts live bytes and
 * their peak, and can be told to fail. Each block carries its size in front.
 */
#ifndef WSCONFORM_TESTS_COUNTING_ALLOC_H
#define WSCONFORM_TESTS_COUNTING_ALLOC_H

#include <stdbool.h>
#include <stdlib.h>

typedef struct alloc_stats {
    size_t current, peak, calls;
    bool fail_all; /* every request fails */
    long fail_at;  /* the request (counted from 1) that fails; 0: none */
} alloc_stats;

static void *counting_realloc(void *ctx, void *ptr, size_t size)
{
    alloc_stats *st = ctx;
    size_t old = 0;
    if (ptr) {
        ptr = (size_t *)ptr - 1;
        old = *(size_t *)ptr;
    }
    if (size == 0) {
        free(ptr);
        st->current -= old;
        return NULL;
    }
    st->calls++;
    if (st->fail_all || (long)st->calls == st->fail_at)
        return NULL;
    size_t *p = realloc(ptr, size + sizeof(size_t));
    if (!p)
        return NULL;
    *p = size;
    st->current = st->current - old + size;
    if (st->current > st->peak)
        st->peak = st->current;
    return p + 1;
}

#endif

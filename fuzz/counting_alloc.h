/*
 * The counting allocator of the fuzz targets, for the codec's realloc_fn
 * hooks: live bytes and their peak, an optional limit every request must
 * respect (a violated property otherwise), and a first request that fails on
 * demand. Each block carries its size in front of it.
 */
#ifndef WSCONFORM_FUZZ_COUNTING_ALLOC_H
#define WSCONFORM_FUZZ_COUNTING_ALLOC_H

#include <stdbool.h>

#include "fuzz_common.h"

typedef struct counting_alloc {
    size_t live;
    size_t peak;
    size_t limit;     /* 0: none; else live bytes may never exceed it */
    unsigned calls;
    bool fail_first;  /* the first request fails, as when memory runs out */
} counting_alloc;

#define ALLOC_HEADER 16

static void *counting_realloc(void *ctx, void *ptr, size_t size)
{
    counting_alloc *ca = ctx;
    uint8_t *base = NULL;
    size_t old = 0;
    if (ptr) {
        base = (uint8_t *)ptr - ALLOC_HEADER;
        memcpy(&old, base, sizeof old);
    }
    if (size == 0) {
        free(base);
        FUZZ_CHECK(ca->live >= old);
        ca->live -= old;
        return NULL;
    }
    if (ca->calls++ == 0 && ca->fail_first)
        return NULL; /* the old block stays valid, as with realloc() */
    if (ca->limit)
        FUZZ_CHECK(size <= ca->limit && ca->live - old + size <= ca->limit);
    uint8_t *grown = realloc(base, ALLOC_HEADER + size);
    if (!grown)
        abort();
    memcpy(grown, &size, sizeof size);
    ca->live = ca->live - old + size;
    if (ca->live > ca->peak)
        ca->peak = ca->live;
    return grown + ALLOC_HEADER;
}

#endif

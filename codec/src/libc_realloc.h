/* The default allocator of the codec's realloc_fn hooks: the C library's,
 * with realloc(ptr, 0) freeing as the hooks' contract says. */
#ifndef WSCODEC_LIBC_REALLOC_H
#define WSCODEC_LIBC_REALLOC_H

#include <stdlib.h>

static inline void *libc_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

#endif

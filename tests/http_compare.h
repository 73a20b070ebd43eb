/*
 * Compares two parses of the same bytes held at different addresses: slices
 * must sit at the same offsets from their buffers' starts.
 */
#ifndef WSCONFORM_HTTP_COMPARE_H
#define WSCONFORM_HTTP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "wscodec/http.h"

static inline bool same_slice(const char *a, const char *base_a, const char *b,
                              const char *base_b, size_t len_a, size_t len_b)
{
    if (len_a != len_b)
        return false;
    if (!a || !b)
        return a == b;
    return a - base_a == b - base_b;
}

static inline bool same_headers(const ws_http_header *a, size_t na, const char *base_a,
                                const ws_http_header *b, size_t nb, const char *base_b)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!same_slice(a[i].name, base_a, b[i].name, base_b, a[i].name_len, b[i].name_len) ||
            !same_slice(a[i].value, base_a, b[i].value, base_b, a[i].value_len, b[i].value_len))
            return false;
    return true;
}

#endif

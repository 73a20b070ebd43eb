/*
 * A slow UTF-8 validator written straight from RFC 3629, used as the oracle
 * for the codec's DFA. It decodes code point by code point, and after every
 * byte asks whether any continuation could still complete a valid character:
 * the bytes seen so far fix the code point's top bits, so the possible values
 * form one interval, which must meet the range of the sequence length
 * (no overlong form) outside the surrogates and at most U+10FFFF. The first
 * byte for which the answer is no is the fail-fast error offset.
 */
#ifndef WSCONFORM_FUZZ_REF_UTF8_H
#define WSCONFORM_FUZZ_REF_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wscodec/error.h"

/* Could some code point in [lo, hi] be written with exactly len bytes? */
static inline bool ref_utf8_reachable(uint32_t lo, uint32_t hi, int len)
{
    static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    static const uint32_t max_cp[5] = { 0, 0x7f, 0x7ff, 0xffff, 0x10ffff };
    uint32_t a = lo > min_cp[len] ? lo : min_cp[len];
    uint32_t b = hi < max_cp[len] ? hi : max_cp[len];
    if (a > b)
        return false;
    /* An interval that is not wholly surrogates holds a scalar value. */
    return !(a >= 0xd800 && b <= 0xdfff);
}

/* WS_OK, WS_E_UTF8_INVALID with *offset the offending byte, or
 * WS_E_UTF8_TRUNCATED with *offset == n. */
static inline int ref_utf8_validate(const uint8_t *s, size_t n, size_t *offset)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        int len;
        if (c < 0x80)
            len = 1;
        else if ((c & 0xe0) == 0xc0)
            len = 2;
        else if ((c & 0xf0) == 0xe0)
            len = 3;
        else if ((c & 0xf8) == 0xf0)
            len = 4;
        else {
            *offset = i; /* 80..BF cannot start a character, F8..FF exist in no form */
            return WS_E_UTF8_INVALID;
        }
        uint32_t cp = len == 1 ? c : (uint32_t)(c & (0x7f >> len));
        for (int k = 0; k < len; k++) {
            if (k > 0) {
                if (i + (size_t)k >= n) {
                    *offset = n;
                    return WS_E_UTF8_TRUNCATED;
                }
                uint8_t t = s[i + (size_t)k];
                if ((t & 0xc0) != 0x80) {
                    *offset = i + (size_t)k;
                    return WS_E_UTF8_INVALID;
                }
                cp = cp << 6 | (t & 0x3f);
            }
            int missing = len - 1 - k;
            uint32_t lo = cp << (6 * missing);
            uint32_t hi = lo | ((1u << (6 * missing)) - 1);
            if (!ref_utf8_reachable(lo, hi, len)) {
                *offset = i + (size_t)k;
                return WS_E_UTF8_INVALID;
            }
        }
        i += (size_t)len;
    }
    *offset = n;
    return WS_OK;
}

#endif

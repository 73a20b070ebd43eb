/*
 * Masking (RFC 6455 §5.3). The key is widened to a 16-byte pattern rotated to
 * the payload offset, then applied 16 bytes at a time (SSE2) or 8 bytes at a
 * time (a 64-bit word), with a byte loop only for the tail. Unaligned loads
 * and stores go through memcpy or the unaligned intrinsics, so any buffer
 * alignment is fine and nothing outside [data, data+len) is touched.
 */
#include <string.h>

#include "wscodec/mask.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
                  uint64_t offset)
{
    /* The key rotated to the offset, built in a register: assembling it from byte
     * stores and reading it back wide stalls store forwarding on every call,
     * which dominates the cost for small frames. */
    uint32_t k;
    memcpy(&k, key, 4);
    unsigned shift = (unsigned)(offset & 3) * 8;
    if (shift) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        k = k << shift | k >> (32 - shift);
#else
        k = k >> shift | k << (32 - shift);
#endif
    }
    size_t i = 0;

#if defined(__SSE2__)
    __m128i wide = _mm_set1_epi32((int)k);
    for (; i + 64 <= len; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(src + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(src + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(src + i + 48));
        _mm_storeu_si128((__m128i *)(dst + i), _mm_xor_si128(a, wide));
        _mm_storeu_si128((__m128i *)(dst + i + 16), _mm_xor_si128(b, wide));
        _mm_storeu_si128((__m128i *)(dst + i + 32), _mm_xor_si128(c, wide));
        _mm_storeu_si128((__m128i *)(dst + i + 48), _mm_xor_si128(d, wide));
    }
    for (; i + 16 <= len; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(src + i));
        _mm_storeu_si128((__m128i *)(dst + i), _mm_xor_si128(a, wide));
    }
#endif

    uint64_t word = (uint64_t)k << 32 | k;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, src + i, 8);
        v ^= word;
        memcpy(dst + i, &v, 8);
    }
    /* i is a multiple of 8 here, so the key index is (offset + i) mod 4. */
    for (; i < len; i++)
        dst[i] = src[i] ^ key[(offset + i) & 3];
}

void ws_mask(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset)
{
    ws_mask_copy(data, data, len, key, offset);
}

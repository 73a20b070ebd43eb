/*
 * Fuzz target: payload masking (wscodec/mask.h) against a byte-at-a-time
 * reference.
 *
 * Input layout:
 *   [0..3]   masking key
 *   [4]      bits 0-3 source misalignment, bits 4-7 destination misalignment
 *   [5..12]  payload offset, big-endian (any 64-bit value: only offset mod 4
 *            matters, and offset + i may wrap)
 *   [13]     chunking control for the piecewise runs (fuzz_common.h)
 *   [14..]   the payload
 * Properties: ws_mask_copy() and ws_mask() (whole and in pieces with the
 * running offset) equal dst[i] = src[i] ^ key[(offset + i) % 4]; the source is
 * not modified; no byte before the destination is written and none after it
 * exists (every buffer ends exactly where its data ends); masking twice
 * restores the payload.
 */
#include "fuzz_common.h"
#include "wscodec/mask.h"

#define PREFIX 14

static void check_guard(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(p[i] == 0xa5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < PREFIX)
        return 0;
    uint8_t key[4];
    memcpy(key, data, 4);
    size_t src_align = data[4] & 15, dst_align = data[4] >> 4;
    uint64_t offset = fuzz_be64(data + 5);
    uint8_t control = data[13];
    const uint8_t *payload = data + PREFIX;
    size_t n = size - PREFIX;

    uint8_t *want = malloc(n ? n : 1);
    uint8_t *src = malloc(src_align + n ? src_align + n : 1);
    uint8_t *dst = malloc(dst_align + n ? dst_align + n : 1);
    if (!want || !src || !dst)
        abort();
    for (size_t i = 0; i < n; i++)
        want[i] = payload[i] ^ key[(offset + i) % 4];
    memset(src, 0xa5, src_align);
    memcpy(src + src_align, payload, n);

    /* Copying, whole. */
    memset(dst, 0xa5, dst_align);
    memset(dst + dst_align, 0x5a, n);
    ws_mask_copy(dst + dst_align, src + src_align, n, key, offset);
    check_guard(dst, dst_align);
    FUZZ_CHECK(memcmp(dst + dst_align, want, n) == 0);
    FUZZ_CHECK(memcmp(src + src_align, payload, n) == 0);
    check_guard(src, src_align);

    /* In place, whole; then again, which must restore the payload. */
    memcpy(dst + dst_align, payload, n);
    ws_mask(dst + dst_align, n, key, offset);
    FUZZ_CHECK(memcmp(dst + dst_align, want, n) == 0);
    ws_mask(dst + dst_align, n, key, offset);
    FUZZ_CHECK(memcmp(dst + dst_align, payload, n) == 0);
    check_guard(dst, dst_align);

    /* In place, in pieces, each at its running offset. */
    fuzz_split split;
    fuzz_split_init(&split, control);
    for (size_t done = 0; done < n;) {
        size_t k = fuzz_split_next(&split, n - done);
        ws_mask(dst + dst_align + done, k, key, offset + done);
        done += k;
    }
    FUZZ_CHECK(memcmp(dst + dst_align, want, n) == 0);
    check_guard(dst, dst_align);

    /* Copying, in pieces, with another chunking. */
    memset(dst + dst_align, 0x5a, n);
    fuzz_split_init(&split, (uint8_t)(control ^ 0x5c));
    for (size_t done = 0; done < n;) {
        size_t k = fuzz_split_next(&split, n - done);
        ws_mask_copy(dst + dst_align + done, src + src_align + done, k, key, offset + done);
        done += k;
    }
    FUZZ_CHECK(memcmp(dst + dst_align, want, n) == 0);
    check_guard(dst, dst_align);

    free(want);
    free(src);
    free(dst);
    return 0;
}

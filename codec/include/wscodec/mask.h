/*
 * Payload masking (RFC 6455 §5.3): XOR with a 4-byte key, position-dependent.
 *
 * offset is the position of data[0] within the frame payload, so a payload
 * that arrives in pieces is unmasked piece by piece with the running offset.
 * The functions never touch a byte outside [data, data+len).
 */
#ifndef WSCODEC_MASK_H
#define WSCODEC_MASK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Masks (or unmasks: the operation is its own inverse) len bytes in place. */
void ws_mask(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset);

/* Same, from src to dst; the buffers must be equal or not overlap. */
void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
                  uint64_t offset);

#ifdef __cplusplus
}
#endif
#endif

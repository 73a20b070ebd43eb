/* Reading case payloads: a pattern repeated to a length, never materialised. */
#ifndef WSCONFORM_PAYLOAD_H
#define WSCONFORM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/case.h"

uint8_t payload_byte_at(const payload *p, uint64_t i);

/* Releases the pattern and zeroes p. */
void payload_free(payload *p);

/* Bytes [offset, offset+n) of p; the range must lie within p->length. */
void payload_copy(const payload *p, uint64_t offset, uint8_t *out, size_t n);

/* True if data[0..len) equals p. */
bool payload_equal_bytes(const payload *p, const uint8_t *data, uint64_t len);

#endif

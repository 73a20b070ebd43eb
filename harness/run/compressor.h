/*
 * The messages the suite sends compressed (RFC 7692 §7.2.1): the session's
 * compressor, which follows what the handshake agreed (window, context
 * takeover), and one-off forms a case asks for on purpose (stored blocks, a
 * BFINAL block, the tail left in, a window larger than agreed).
 */
#ifndef WSCONFORM_COMPRESSOR_H
#define WSCONFORM_COMPRESSOR_H

#include <stddef.h>
#include <stdint.h>

#include "lang/case.h"
#include "verdict/result.h"
#include "wscodec.h"

/* A compressed message never exceeds this (the suite's own bound). */
#define COMPRESSED_MESSAGE_MAX (64u << 20)

typedef struct compressor {
    ws_deflater_config config; /* for the session: the agreed parameters */
    ws_deflater session;
    bool ready;
} compressor;

/* What the suite compresses with: agreed is NULL when nothing was agreed
 * (a deliberate RSV1 without negotiation: window 15, context kept). */
void compressor_init(compressor *c, const ws_pmd_params *agreed, ws_role role);

/*
 * The payload of the message made of slices[0..n) in `form`, with the
 * session's window or `window` (8..15, a fresh compressor) if not 0. One-off
 * forms leave the session compressor with an empty window, which any
 * receiver can follow. Returns a malloc'd buffer and its length, or NULL
 * with *length 0 when the result would exceed COMPRESSED_MESSAGE_MAX.
 */
uint8_t *compressor_run(compressor *c, const sent_slice *slices, size_t n, compress_form form,
                        uint8_t window, size_t *length);

void compressor_free(compressor *c);

#endif

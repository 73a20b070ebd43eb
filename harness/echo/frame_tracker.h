/*
 * Follows frame boundaries in a byte stream without judging or keeping the
 * frames, so that after a protocol error the peer's Close can still be found
 * among whatever it sent next.
 *
 * Not the frame walker of run/wirelog.c: that one lives inside the wire log,
 * fills its frame records (previews, timestamps) and reads headers however
 * malformed. This one decodes headers with the codec, says when they can no
 * longer be decoded (boundaries are then lost), and says when a Close frame
 * has gone by.
 */
#ifndef WSCONFORM_ECHO_FRAME_TRACKER_H
#define WSCONFORM_ECHO_FRAME_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wscodec.h"

typedef struct frame_tracker {
    uint8_t header[WS_FRAME_HEADER_MAX];
    uint8_t header_have;
    bool in_payload;
    bool broken;           /* an undecodable header: boundaries are lost */
    uint8_t opcode;
    uint64_t payload_left;
} frame_tracker;

/* Follows buf; returns true as soon as a complete Close frame has gone by
 * (the rest of buf is then not looked at). */
bool frame_tracker_feed(frame_tracker *ft, const uint8_t *buf, size_t len);

#endif

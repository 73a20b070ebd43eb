/* Frame boundaries in a byte stream, and the end of a Close frame. */
#include "echo/frame_tracker.h"

#include <string.h>

/* Takes header bytes from buf; the count used, or 0 when the header is still
 * incomplete or broken (all of buf was then taken or nothing matters). */
static size_t take_header(frame_tracker *ft, const uint8_t *buf, size_t len)
{
    size_t have = ft->header_have;
    size_t take = WS_FRAME_HEADER_MAX - have;
    if (take > len)
        take = len;
    memcpy(ft->header + have, buf, take);
    ws_frame_header h;
    int r = ws_frame_decode_header(ft->header, have + take, &h);
    if (r == WS_NEED_MORE) {
        ft->header_have = (uint8_t)(have + take);
        return 0;
    }
    if (r < 0) {
        ft->broken = true;
        return 0;
    }
    ft->header_have = 0;
    ft->in_payload = true;
    ft->opcode = h.opcode;
    ft->payload_left = h.payload_length;
    return (size_t)r - have;
}

bool frame_tracker_feed(frame_tracker *ft, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len && !ft->broken) {
        if (!ft->in_payload) {
            size_t used = take_header(ft, buf + pos, len - pos);
            if (!ft->in_payload)
                return false;
            pos += used;
        }
        uint64_t take = len - pos;
        if (take > ft->payload_left)
            take = ft->payload_left;
        pos += (size_t)take;
        ft->payload_left -= take;
        if (ft->payload_left == 0) {
            ft->in_payload = false;
            if (ft->opcode == WS_OP_CLOSE)
                return true;
        }
    }
    return false;
}

/* Every frame the echo server sends, encoded into the connection's output. */
#include <stdlib.h>
#include <string.h>

#include "echo/breaks.h"
#include "echo/conn.h"

/* Queues one frame with FIN set; masked only when broken on purpose. */
bool conn_queue_frame(conn *c, uint8_t opcode, uint8_t rsv, const uint8_t *payload, size_t length)
{
    ws_frame_spec spec = {.fin = true, .rsv = rsv, .opcode = opcode};
    if (has_break(c, BREAK_MASKED_REPLIES)) {
        uint32_t k = 0x9e3779b9u * ++c->frames_sent; /* any key will do */
        spec.masked = true;
        memcpy(spec.mask_key, &k, 4);
        if (spec.mask_key[0] == 0)
            spec.mask_key[0] = 0x5a; /* never the all-zero key, which changes nothing */
    }
    if (length > SIZE_MAX - WS_FRAME_HEADER_MAX)
        return false;
    if (!payload)
        payload = (const uint8_t *)"";
    size_t cap = WS_FRAME_HEADER_MAX + length, written;
    uint8_t *dest = byte_queue_reserve(&c->out, cap);
    if (!dest)
        return false;
    if (ws_frame_encode(&spec, payload, length, dest, cap, &written) != WS_OK)
        return false;
    byte_queue_commit(&c->out, written);
    return true;
}

bool conn_queue_close(conn *c, uint16_t code, const char *reason)
{
    uint8_t payload[WS_CONTROL_PAYLOAD_MAX];
    size_t reason_length = reason ? strlen(reason) : 0;
    int n = ws_close_build(code, (const uint8_t *)reason, reason_length, payload, sizeof payload);
    return n >= 0 && conn_queue_frame(c, WS_OP_CLOSE, 0, payload, (size_t)n);
}

/* Queues a message in one frame, compressed (RSV1, RFC 7692 §7.2.1) when
 * permessage-deflate was agreed. */
bool conn_queue_message(conn *c, uint8_t opcode, const uint8_t *data, size_t length)
{
    if (!c->deflate)
        return conn_queue_frame(c, opcode, 0, data, length);
    size_t cap = length + length / 8 + 64, have = 0, used = 0;
    uint8_t *packed = malloc(cap);
    int r = packed ? WS_PMD_OUTPUT_FULL : WS_E_NO_MEMORY;
    while (r == WS_PMD_OUTPUT_FULL) {
        if (have == cap) {
            uint8_t *grown = cap <= SIZE_MAX / 2 ? realloc(packed, cap * 2) : NULL;
            if (!grown)
                break;
            packed = grown;
            cap *= 2;
        }
        size_t took = 0, made = 0;
        r = ws_deflater_feed(&c->deflater, data ? data + used : NULL, length - used, true,
                             packed + have, cap - have, &took, &made);
        used += took;
        have += made;
    }
    bool queued = r == WS_OK && conn_queue_frame(c, opcode, WS_RSV1, packed, have);
    free(packed);
    return queued;
}

/* Frame header decoding, checking and encoding (RFC 6455 §5.2). */
#include <string.h>

#include "wscodec/error.h"
#include "wscodec/frame.h"
#include "wscodec/mask.h"

int ws_frame_decode_header(const uint8_t *buf, size_t len, ws_frame_header *out)
{
    if (len < 2)
        return WS_NEED_MORE;
    uint8_t b0 = buf[0], b1 = buf[1];
    uint8_t len7 = b1 & 0x7f;
    bool masked = (b1 & 0x80) != 0;
    size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    size_t need = 2 + ext + (masked ? 4 : 0);
    if (len < need) {
        /* An oversized 64-bit length is reported as soon as its first byte is here. */
        if (ext == 8 && len > 2 && (buf[2] & 0x80))
            return WS_E_LENGTH_MSB_SET;
        return WS_NEED_MORE;
    }

    uint64_t length = len7;
    ws_length_form form = WS_LENGTH_7;
    bool minimal = true;
    if (ext == 2) {
        length = (uint64_t)buf[2] << 8 | buf[3];
        form = WS_LENGTH_16;
        minimal = length > 125;
    } else if (ext == 8) {
        if (buf[2] & 0x80)
            return WS_E_LENGTH_MSB_SET;
        length = 0;
        for (size_t i = 0; i < 8; i++)
            length = length << 8 | buf[2 + i];
        form = WS_LENGTH_64;
        minimal = length > 0xffff;
    }

    out->payload_length = length;
    out->fin = (b0 & 0x80) != 0;
    out->rsv = (b0 >> 4) & 0x7;
    out->opcode = b0 & 0xf;
    out->masked = masked;
    if (masked)
        memcpy(out->mask_key, buf + 2 + ext, 4);
    else
        memset(out->mask_key, 0, 4);
    out->length_form = form;
    out->length_minimal = minimal;
    out->header_length = (uint8_t)need;
    return (int)need;
}

int ws_frame_check(const ws_frame_header *h, const ws_frame_rules *rules)
{
    if (h->rsv & ~rules->rsv_allowed)
        return WS_E_RSV_NOT_NEGOTIATED;
    if (ws_opcode_is_reserved(h->opcode))
        return WS_E_OPCODE_RESERVED;
    if (ws_opcode_is_control(h->opcode)) {
        if (!h->fin)
            return WS_E_CONTROL_FRAGMENTED;
        if (h->payload_length > WS_CONTROL_PAYLOAD_MAX)
            return WS_E_CONTROL_TOO_LONG;
    }
    if (rules->role == WS_ROLE_SERVER && !h->masked)
        return WS_E_FRAME_NOT_MASKED;
    if (rules->role == WS_ROLE_CLIENT && h->masked)
        return WS_E_FRAME_MASKED;
    if (!h->length_minimal && !rules->allow_non_minimal_length)
        return WS_E_LENGTH_NOT_MINIMAL;
    return WS_OK;
}

int ws_frame_encode_header(const ws_frame_spec *spec, uint64_t payload_length,
                           uint8_t out[WS_FRAME_HEADER_MAX])
{
    if (spec->rsv > 7 || spec->opcode > 15)
        return WS_E_INVALID_ARGUMENT;
    uint64_t length = spec->declare_length ? spec->declared_length : payload_length;
    ws_length_form form = spec->length_form;
    if (form == WS_LENGTH_MINIMAL)
        form = length <= 125 ? WS_LENGTH_7 : length <= 0xffff ? WS_LENGTH_16 : WS_LENGTH_64;
    if ((form == WS_LENGTH_7 && length > 125) || (form == WS_LENGTH_16 && length > 0xffff) ||
        form > WS_LENGTH_64)
        return WS_E_INVALID_ARGUMENT;

    size_t n = 0;
    out[n++] = (uint8_t)((spec->fin ? 0x80 : 0) | spec->rsv << 4 | spec->opcode);
    uint8_t mask_bit = spec->masked ? 0x80 : 0;
    if (form == WS_LENGTH_7) {
        out[n++] = (uint8_t)(mask_bit | length);
    } else if (form == WS_LENGTH_16) {
        out[n++] = mask_bit | 126;
        out[n++] = (uint8_t)(length >> 8);
        out[n++] = (uint8_t)length;
    } else {
        out[n++] = mask_bit | 127;
        for (int shift = 56; shift >= 0; shift -= 8)
            out[n++] = (uint8_t)(length >> shift);
    }
    if (spec->masked) {
        memcpy(out + n, spec->mask_key, 4);
        n += 4;
    }
    return (int)n;
}

int ws_frame_encode(const ws_frame_spec *spec, const uint8_t *payload, size_t payload_length,
                    uint8_t *out, size_t cap, size_t *written)
{
    uint8_t header[WS_FRAME_HEADER_MAX];
    int header_length = ws_frame_encode_header(spec, payload_length, header);
    if (header_length < 0)
        return header_length;
    if (cap < (size_t)header_length || cap - (size_t)header_length < payload_length)
        return WS_E_BUFFER_TOO_SMALL;
    memcpy(out, header, (size_t)header_length);
    if (spec->masked)
        ws_mask_copy(out + header_length, payload, payload_length, spec->mask_key, 0);
    else if (payload_length)
        memcpy(out + header_length, payload, payload_length);
    *written = (size_t)header_length + payload_length;
    return WS_OK;
}

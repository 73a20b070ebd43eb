/* Close frame payloads (RFC 6455 §5.5.1, §7.4). */
#include <string.h>

#include "wscodec/close.h"
#include "wscodec/error.h"
#include "wscodec/frame.h"
#include "wscodec/utf8.h"

bool ws_close_code_valid(uint32_t code)
{
    if (code >= 1000 && code <= 1003)
        return true;
    if (code >= 1007 && code <= 1014) /* §7.4.1 and the IANA registry (§11.7) */
        return true;
    return code >= 3000 && code <= 4999; /* §7.4.2: libraries, frameworks, applications */
}

int ws_close_parse(const uint8_t *payload, size_t len, ws_close *out)
{
    memset(out, 0, sizeof *out);
    if (len > WS_CONTROL_PAYLOAD_MAX)
        return WS_E_CONTROL_TOO_LONG;
    if (len == 0)
        return WS_OK;
    if (len == 1)
        return WS_E_CLOSE_PAYLOAD_ONE_BYTE;
    out->has_code = true;
    out->code = (uint16_t)(payload[0] << 8 | payload[1]);
    out->reason = payload + 2;
    out->reason_length = len - 2;
    if (!ws_close_code_valid(out->code))
        return WS_E_CLOSE_CODE_INVALID;
    if (ws_utf8_validate(out->reason, out->reason_length, NULL) != WS_OK)
        return WS_E_CLOSE_REASON_NOT_UTF8;
    return WS_OK;
}

int ws_close_build(uint16_t code, const uint8_t *reason, size_t reason_length, uint8_t *out,
                   size_t cap)
{
    if (reason_length > 0xffff)
        return WS_E_INVALID_ARGUMENT;
    if (cap < 2 || cap - 2 < reason_length)
        return WS_E_BUFFER_TOO_SMALL;
    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)code;
    if (reason_length)
        memcpy(out + 2, reason, reason_length);
    return (int)(2 + reason_length);
}

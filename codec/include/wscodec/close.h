/*
 * Close frame payloads (RFC 6455 §5.5.1, §7.4).
 */
#ifndef WSCODEC_CLOSE_H
#define WSCODEC_CLOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ws_close_code {
    WS_CLOSE_NORMAL = 1000,
    WS_CLOSE_GOING_AWAY = 1001,
    WS_CLOSE_PROTOCOL_ERROR = 1002,
    WS_CLOSE_UNSUPPORTED_DATA = 1003,
    WS_CLOSE_NO_STATUS = 1005,   /* never on the wire: "no code was present" */
    WS_CLOSE_ABNORMAL = 1006,    /* never on the wire: "closed without a Close frame" */
    WS_CLOSE_INVALID_PAYLOAD = 1007,
    WS_CLOSE_POLICY_VIOLATION = 1008,
    WS_CLOSE_MESSAGE_TOO_BIG = 1009,
    WS_CLOSE_MANDATORY_EXTENSION = 1010,
    WS_CLOSE_INTERNAL_ERROR = 1011,
    WS_CLOSE_SERVICE_RESTART = 1012,
    WS_CLOSE_TRY_AGAIN_LATER = 1013,
    WS_CLOSE_BAD_GATEWAY = 1014,
    WS_CLOSE_TLS_HANDSHAKE = 1015, /* never on the wire */
};

/*
 * True if code may appear in a Close frame: 1000-1003, 1007-1014 (the codes
 * defined by §7.4.1 and registered with IANA) and 3000-4999 (§7.4.2).
 * 0-999, 1004-1006, 1015, 1016-2999 and 5000 and above must never be sent.
 */
bool ws_close_code_valid(uint32_t code);

typedef struct ws_close {
    bool has_code;          /* false for an empty payload (received as 1005) */
    uint16_t code;
    const uint8_t *reason;  /* points into the payload; not NUL-terminated */
    size_t reason_length;
} ws_close;

/*
 * Parses a Close payload. On success returns WS_OK. Errors, in this order:
 * WS_E_CONTROL_TOO_LONG (over 125 bytes), WS_E_CLOSE_PAYLOAD_ONE_BYTE,
 * WS_E_CLOSE_CODE_INVALID, WS_E_CLOSE_REASON_NOT_UTF8. *out is filled as far
 * as the payload allows even on error, so a caller can report the code.
 */
int ws_close_parse(const uint8_t *payload, size_t len, ws_close *out);

/*
 * Writes code (big-endian) and reason into out without judging them, so that
 * invalid codes and reasons can be sent on purpose. Returns the payload
 * length, WS_E_BUFFER_TOO_SMALL if 2 + reason_length > cap, or
 * WS_E_INVALID_ARGUMENT if reason_length exceeds 65535 (no frame could carry it
 * as a control frame, and even invalid ones stay within a 16-bit length).
 */
int ws_close_build(uint16_t code, const uint8_t *reason, size_t reason_length, uint8_t *out,
                   size_t cap);

#ifdef __cplusplus
}
#endif
#endif

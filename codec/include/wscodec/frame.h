/*
 * Frame layer: the base framing of RFC 6455 §5.2, knowing nothing of messages.
 *
 * The decoder is a pure function over (buf, len) in the style of
 * picohttpparser: it reports the header exactly as it was on the wire and
 * never judges it beyond what makes it undecodable. ws_frame_check() applies
 * the per-frame rules a receiver enforces. The encoder can produce any header a
 * peer could send, including invalid ones, because a conformance suite must.
 */
#ifndef WSCODEC_FRAME_H
#define WSCODEC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WS_FRAME_HEADER_MAX 14   /* 2 + 8 (64-bit length) + 4 (masking key) */
#define WS_CONTROL_PAYLOAD_MAX 125

enum ws_opcode {
    WS_OP_CONTINUATION = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xA,
};

/* RSV bits as they sit in the first header byte, shifted down: RSV1 = 4. */
enum ws_rsv { WS_RSV1 = 0x4, WS_RSV2 = 0x2, WS_RSV3 = 0x1 };

/* Who we are: a server receives masked frames, a client unmasked ones (§5.1). */
typedef enum ws_role { WS_ROLE_CLIENT = 0, WS_ROLE_SERVER = 1 } ws_role;

/* How the payload length is written (§5.2). */
typedef enum ws_length_form {
    WS_LENGTH_MINIMAL = 0, /* encoder only: the shortest form that fits */
    WS_LENGTH_7 = 1,       /* in the 7-bit field: 0..125 */
    WS_LENGTH_16 = 2,      /* 126 + 16-bit length */
    WS_LENGTH_64 = 3,      /* 127 + 64-bit length */
} ws_length_form;

typedef struct ws_frame_header {
    uint64_t payload_length;
    bool fin;
    uint8_t rsv;            /* RSV1..RSV3 as ws_rsv bits */
    uint8_t opcode;         /* 0..15, reserved values included */
    bool masked;
    uint8_t mask_key[4];    /* zero when !masked */
    ws_length_form length_form;
    bool length_minimal;    /* false: more length bytes than needed (§5.2) */
    uint8_t header_length;  /* bytes the header took: 2..14 */
} ws_frame_header;

static inline bool ws_opcode_is_control(uint8_t opcode) { return (opcode & 0x8) != 0; }
static inline bool ws_opcode_is_reserved(uint8_t opcode)
{
    return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
}

/*
 * Decodes the frame header at the start of buf.
 * Returns the header length (2..14) and fills *out; WS_NEED_MORE if buf holds
 * only part of a header (out is untouched); WS_E_LENGTH_MSB_SET if the 64-bit
 * length has its most significant bit set (§5.2). Reads at most
 * min(len, WS_FRAME_HEADER_MAX) bytes. The payload follows at buf+return.
 */
int ws_frame_decode_header(const uint8_t *buf, size_t len, ws_frame_header *out);

/* Per-frame rules a receiver enforces (§5.1, §5.2, §5.5). */
typedef struct ws_frame_rules {
    ws_role role;                  /* the receiver's role */
    uint8_t rsv_allowed;           /* RSV bits an extension negotiated */
    bool allow_non_minimal_length; /* tolerate lengths not minimally encoded */
} ws_frame_rules;

/*
 * Checks a decoded header against the rules, in this order: RSV bits, reserved
 * opcode, fragmented control frame, control payload over 125 bytes, masking
 * for the role, minimal length. Returns WS_OK or the first violated rule.
 */
int ws_frame_check(const ws_frame_header *h, const ws_frame_rules *rules);

/* What the encoder puts on the wire. Zero-initialised means: FIN 0, opcode 0,
 * no RSV, unmasked, minimal length form, length taken from the payload. */
typedef struct ws_frame_spec {
    bool fin;
    uint8_t rsv;              /* 0..7 */
    uint8_t opcode;           /* 0..15 */
    bool masked;
    uint8_t mask_key[4];
    ws_length_form length_form;
    bool declare_length;      /* write declared_length instead of the true one */
    uint64_t declared_length; /* any 64-bit value, MSB set included */
} ws_frame_spec;

/*
 * Writes the header for a payload of payload_length bytes (or the declared
 * length) into out. Returns the header length (2..14), or
 * WS_E_INVALID_ARGUMENT if rsv > 7, opcode > 15, or the forced length form
 * cannot hold the length (7-bit over 125, 16-bit over 65535).
 */
int ws_frame_encode_header(const ws_frame_spec *spec, uint64_t payload_length,
                           uint8_t out[WS_FRAME_HEADER_MAX]);

/*
 * Writes header and payload (masked with spec->mask_key when spec->masked)
 * into out, which must not overlap payload. Returns WS_OK and sets *written,
 * WS_E_BUFFER_TOO_SMALL if header plus payload exceed cap (nothing useful is
 * written), or the errors of ws_frame_encode_header().
 */
int ws_frame_encode(const ws_frame_spec *spec, const uint8_t *payload, size_t payload_length,
                    uint8_t *out, size_t cap, size_t *written);

#ifdef __cplusplus
}
#endif
#endif

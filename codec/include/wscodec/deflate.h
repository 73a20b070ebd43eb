/*
 * permessage-deflate (RFC 7692): negotiating its parameters in the opening
 * handshake (§5, §7.1), and compressing and decompressing message payloads
 * with zlib's raw DEFLATE (§7.2).
 *
 *   client: params -> ws_pmd_format() -> offer in ws_handshake_request_spec
 *           -> ws_handshake_check_response() -> ws_pmd_client_accept()
 *   server: ws_handshake_check_request() -> ws_pmd_server_choose()
 *           -> ws_pmd_format() -> response in ws_handshake_response_spec
 *   both:   ws_pmd_configure() -> ws_deflater for what we send,
 *           ws_inflater for what we receive.
 *
 * Negotiation allocates nothing. The inflater and deflater allocate zlib's
 * state once, through an optional caller allocator, and never anything in
 * proportion to the bytes on the wire: their memory is fixed by the window
 * size (figures at ws_inflater_init() and ws_deflater_init()). Payloads go
 * into caller buffers of any size, down to one byte.
 */
#ifndef WSCODEC_DEFLATE_H
#define WSCODEC_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wscodec/frame.h"
#include "wscodec/handshake.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WS_PMD_EXTENSION_NAME "permessage-deflate"
#define WS_PMD_WINDOW_BITS_MIN 8
#define WS_PMD_WINDOW_BITS_MAX 15
/* client_max_window_bits present without a value: allowed in an offer only
 * (§7.1.2.2), where it means "you may limit my window". */
#define WS_PMD_WINDOW_BITS_NO_VALUE 0xff
/* The longest value ws_pmd_format() writes, with its NUL. */
#define WS_PMD_FORMAT_MAX                                                                  \
    sizeof("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "  \
           "server_max_window_bits=15; client_max_window_bits=15")

/* ---- negotiation --------------------------------------------------------- */

/* The parameters of one permessage-deflate offer or response (§7.1). */
typedef struct ws_pmd_params {
    bool server_no_context_takeover; /* the server resets its window per message */
    bool client_no_context_takeover; /* the client resets its window per message */
    uint8_t server_max_window_bits;  /* 0: absent; else 8..15 */
    uint8_t client_max_window_bits;  /* 0: absent; WS_PMD_WINDOW_BITS_NO_VALUE; else 8..15 */
} ws_pmd_params;

/* Whether a parameter list is read as a client's offer or a server's response. */
typedef enum ws_pmd_kind { WS_PMD_OFFER = 0, WS_PMD_RESPONSE = 1 } ws_pmd_kind;

/*
 * Reads the parameters of ext, an element named "permessage-deflate" (compared
 * exactly) from ws_handshake_parse_extensions(), as an offer or a response.
 * Parameter names are compared exactly; values may be tokens or quoted strings
 * and are judged once unescaped (RFC 6455 §9.1). Returns WS_OK and fills *out,
 * or the first rule broken, in parameter order (§7: a server declines such an
 * offer, a client fails the connection on such a response):
 *   WS_E_PMD_PARAM_UNKNOWN      a name §7.1 does not define;
 *   WS_E_PMD_PARAM_DUPLICATE    a name given twice;
 *   WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_VALUE, WS_E_PMD_CLIENT_NO_CONTEXT_TAKEOVER_VALUE
 *                               a value on a parameter that takes none (§7.1.1.1, §7.1.1.2);
 *   WS_E_PMD_SERVER_MAX_WINDOW_BITS_INVALID, WS_E_PMD_CLIENT_MAX_WINDOW_BITS_INVALID
 *                               a value that is not 8..15 written as digits without
 *                               a leading zero, or no value for server_max_window_bits
 *                               (§7.1.2.1, §7.1.2.2);
 *   WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NO_VALUE
 *                               client_max_window_bits without a value in a response.
 * WS_E_INVALID_ARGUMENT if an argument is NULL or ext is another extension.
 * *out is left untouched on error.
 */
int ws_pmd_parse(const ws_extension *ext, ws_pmd_kind kind, ws_pmd_params *out);

/* What a server accepts and prefers. Zero-initialised: accept any valid offer
 * with the parameters it asks for and nothing more. */
typedef struct ws_pmd_server_config {
    uint8_t server_max_window_bits;  /* largest window we compress with, 8..15; 0: 15.
                                        Below 15 it is announced unasked (§7.1.2.1). */
    uint8_t client_max_window_bits;  /* largest window we let the client use, 8..15;
                                        0: 15. Below 15, offers that do not let us
                                        limit it (no client_max_window_bits) are declined. */
    bool server_no_context_takeover; /* reset our window per message even unasked (§7.1.1.1) */
    bool client_no_context_takeover; /* ask the client to reset its window (§7.1.1.2) */
} ws_pmd_server_config;

/*
 * Chooses the server's answer among a client's extension offers (in the order
 * received, as in ws_handshake_request_info): the first "permessage-deflate"
 * element that parses as an offer and that config can honour wins (§5: the
 * order is the client's preference). Other extensions are skipped; offers that
 * do not parse are declined, as §7 requires, and not reported (ws_pmd_parse()
 * tells why, for a log). The response:
 *   server_no_context_takeover  if offered or configured;
 *   client_no_context_takeover  if offered (echoing the client's hint makes it
 *                               part of the agreement) or configured;
 *   server_max_window_bits      if offered, the smaller of the offer's and
 *                               the configured window (accepting it means
 *                               answering it, §7.1.2.1); if not, the
 *                               configured window when below 15;
 *   client_max_window_bits      never unless offered (§7.1.2.2): for an
 *                               offered value, the smaller of it and the
 *                               configured window; for an offer without
 *                               value, the configured window when below 15.
 * The response states the whole agreement: pass it to ws_pmd_configure() as
 * well as to ws_pmd_format(). A window of 8 is accepted: see ws_deflater_config.
 * Returns 1 with *response and *chosen (index into offers) set, 0 if no offer
 * was acceptable (answer without permessage-deflate; not an error), or
 * WS_E_INVALID_ARGUMENT if response or chosen is NULL, offers is NULL with
 * num_offers > 0, or config holds a window outside 8..15. A NULL config is
 * the zero-initialised one.
 */
int ws_pmd_server_choose(const ws_extension *offers, size_t num_offers,
                         const ws_pmd_server_config *config, ws_pmd_params *response,
                         size_t *chosen);

/*
 * Validates the server's accepted extensions (response, from parsing its
 * Sec-WebSocket-Extensions value) against the extensions the client offered
 * (offers), as a client must (§5, §7, §7.1). Elements other than
 * "permessage-deflate" are ignored on both sides (ws_handshake_check_response()
 * judges those). A response is a valid acceptance of an offer when:
 *   it has server_no_context_takeover if the offer had it (§7.1.1.1);
 *   it has server_max_window_bits if the offer had it, with the same or a
 *   smaller value (§7.1.2.1);
 *   it has client_max_window_bits only if the offer had it, and with a value no
 *   larger than the offer's value, if the offer gave one (§7.1.2.2).
 * The response is matched against each offer in turn (a client may offer
 * several); the first it accepts gives the agreement, merged with that offer's
 * own promises: a client_max_window_bits value or client_no_context_takeover
 * in the offer binds the client even if the response leaves it out.
 * Returns 1 with *agreed set (permessage-deflate is in use), 0 if the response
 * has no permessage-deflate element (not in use), or an error:
 *   WS_E_PMD_ACCEPTED_TWICE       more than one permessage-deflate element
 *                                 (both would claim RSV1, §5);
 *   the errors of ws_pmd_parse() for the response;
 *   WS_E_HS_EXTENSION_NOT_OFFERED no permessage-deflate offer was made;
 *   WS_E_PMD_SERVER_NO_CONTEXT_TAKEOVER_MISSING, WS_E_PMD_SERVER_MAX_WINDOW_BITS_MISSING,
 *   WS_E_PMD_SERVER_MAX_WINDOW_BITS_TOO_LARGE, WS_E_PMD_CLIENT_MAX_WINDOW_BITS_NOT_OFFERED,
 *   WS_E_PMD_CLIENT_MAX_WINDOW_BITS_TOO_LARGE
 *                                 the response accepts no offer; the error is
 *                                 the reason it fails the first one;
 *   WS_E_INVALID_ARGUMENT         agreed is NULL, an array is NULL with a
 *                                 count, or one of our own offers does not parse.
 */
int ws_pmd_client_accept(const ws_extension *offers, size_t num_offers,
                         const ws_extension *response, size_t num_response,
                         ws_pmd_params *agreed);

/*
 * Writes params as one Sec-WebSocket-Extensions element, e.g.
 * "permessage-deflate; client_max_window_bits=10", parameters in the order of
 * the struct, followed by a NUL so it can go straight into
 * ws_handshake_request_spec.extensions. Join several offers with ", ".
 * WS_PMD_FORMAT_MAX bytes always suffice. Returns the length without the NUL,
 * WS_E_BUFFER_TOO_SMALL if length and NUL exceed cap (out is then empty if
 * cap > 0), or WS_E_INVALID_ARGUMENT if out or params is NULL or a window is
 * outside 8..15 (WS_PMD_WINDOW_BITS_NO_VALUE is allowed for the client's).
 */
int ws_pmd_format(const ws_pmd_params *params, char *out, size_t cap);

/* ---- payloads ------------------------------------------------------------ */

/*
 * Returned by ws_inflater_feed() and ws_deflater_feed() when the output buffer
 * filled up before the work asked for was done: call again with the input not
 * consumed (possibly none) and fresh output space. Positive, so it is never
 * taken for an error.
 */
#define WS_PMD_OUTPUT_FULL 1

/* The 4 octets every compressed message ends with before the sender strips
 * them and after the receiver puts them back (§7.2.1, §7.2.2). */
#define WS_PMD_TAIL "\x00\x00\xff\xff"

typedef struct ws_inflater_config {
    uint8_t window_bits;        /* the sender's window, 8..15 (its agreed
                                   *_max_window_bits); 0 means 15 */
    bool no_context_takeover;   /* the sender resets its window: so do we, and a
                                   reference to an earlier message is corrupt data */
    uint64_t max_message_size;  /* inflated bytes per message; 0: 64 MiB */
    /* Optional allocator; realloc(ptr, 0) must free. NULL: the C library. */
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
    void *alloc_ctx;
} ws_inflater_config;

typedef struct ws_inflater {
    ws_inflater_config config;
    /* Everything below is private. */
    void *stream;           /* zlib's z_stream, from the allocator */
    int error;              /* sticky */
    uint64_t message_size;  /* bytes inflated in the current message */
    uint8_t tail_fed;       /* octets of WS_PMD_TAIL zlib has taken */
    bool after_final_block; /* a BFINAL block ended and nothing followed yet */
    bool at_block_boundary; /* the last call that did anything ended between blocks */
    bool output_pending;    /* zlib stopped on a full buffer: it may hold more */
    bool has_spare;         /* spare holds a byte the caller had no room for */
    uint8_t spare;
} ws_inflater;

/*
 * Prepares inf for the messages of one connection. Allocates zlib's inflate
 * state now (about 7 KiB) and, on the first byte inflated, the window
 * (2^window_bits bytes); nothing else is ever allocated, so a connection costs
 * at most about 7.1 KiB + 2^window_bits (39.1 KiB at 15, 7.4 KiB at 8).
 * Returns WS_OK, WS_E_NO_MEMORY, WS_E_FAILED if zlib refuses (a library
 * version mismatch), or WS_E_INVALID_ARGUMENT if a pointer is NULL or
 * window_bits is outside 8..15 (0 aside). After a failed init, free is a
 * no-op.
 */
int ws_inflater_init(ws_inflater *inf, const ws_inflater_config *config);

/* Frees zlib's state. inf may be initialised again. */
void ws_inflater_free(ws_inflater *inf);

/*
 * Decompresses the next piece of the payload of one message received with
 * RSV1 set (§7.2.2), in any chunking: in[0 .. in_len) are the (unmasked)
 * payload bytes that follow those fed before, fin is true once the last of
 * them has been given. Inflated bytes go to out[0 .. cap); *consumed and
 * *produced tell how many bytes were taken and written (with no room left,
 * one inflated byte may wait inside for the next call). At fin the inflater
 * appends WS_PMD_TAIL itself, checks that the message ends on a DEFLATE block
 * boundary, and prepares for the next message (with an empty window if
 * no_context_takeover).
 *
 * Returns WS_OK when all of in was consumed (and, at fin, the message is
 * complete); WS_PMD_OUTPUT_FULL when out filled up first (call again, see
 * above); or an error, which is sticky:
 *   WS_E_MESSAGE_TOO_BIG     the message inflates past max_message_size (1009);
 *                            at most one byte past the limit is written, so a
 *                            decompression bomb costs nothing beyond out and
 *                            the window;
 *   WS_E_PMD_DATA_CORRUPT    not valid DEFLATE, or a back-reference before the
 *                            data the window holds (1007);
 *   WS_E_PMD_DATA_TRUNCATED  the message ends inside a DEFLATE block (1007);
 *                            an empty payload is such a case, since 7.2.1
 *                            turns even an empty message into 0x00;
 *   WS_E_NO_MEMORY           the allocator failed (the window, first use);
 *   WS_E_INVALID_ARGUMENT    a NULL pointer with a non-zero length, or NULL
 *                            inf, consumed or produced (not sticky).
 * A block with BFINAL set ends zlib's stream but not the message: whatever
 * follows it in the payload is read as a new DEFLATE stream over the same
 * window, which is how §7.2.3.4 has it ("decompressed in the same manner");
 * bytes that do not form DEFLATE data there are WS_E_PMD_DATA_CORRUPT. A
 * payload that ends exactly at the end of a BFINAL block is accepted and the
 * tail is not used. Inflating at most one window per zlib call, the inflater
 * always reports a reference more than twice the window back as
 * WS_E_PMD_DATA_CORRUPT (nearer ones beyond the window may pass: zlib checks
 * only against what it holds); a conforming peer always inflates the same,
 * whatever the chunking.
 */
int ws_inflater_feed(ws_inflater *inf, const uint8_t *in, size_t in_len, bool fin,
                     uint8_t *out, size_t cap, size_t *consumed, size_t *produced);

typedef struct ws_deflater_config {
    uint8_t window_bits;        /* our window, 8..15 (our agreed *_max_window_bits);
                                   0 means 15. 8: zlib cannot compress within 256
                                   bytes (it quietly uses 512, which a peer holding
                                   256 could not follow), so at 8 the deflater
                                   writes stored (uncompressed) DEFLATE blocks,
                                   which refer to no window at all */
    bool no_context_takeover;   /* reset our window after every message */
    uint8_t level;              /* zlib level 1..9; 0 means 6 */
    uint8_t mem_level;          /* zlib memLevel 1..9; 0 means 8, or window_bits - 3
                                   below window 11 (faster there, as good) */
    /* Optional allocator; realloc(ptr, 0) must free. NULL: the C library. */
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
    void *alloc_ctx;
} ws_deflater_config;

typedef struct ws_deflater {
    ws_deflater_config config;
    /* Everything below is private. */
    void *stream;            /* zlib's z_stream, from the allocator */
    int error;               /* sticky */
    uint64_t message_in;     /* bytes of the current message given to zlib */
    uint8_t held[16];        /* output not yet given out: it may be the tail */
    uint8_t held_len;
    bool finished;           /* the tail is stripped; held is the message's end */
} ws_deflater;

/*
 * Prepares d for the messages of one connection. Allocates zlib's deflate
 * state, once: about 2^(window_bits+2) + 2^(mem_level+9) + 6 KiB (with the
 * default memLevel 262 KiB at window 15, 40 KiB at window 9). Returns WS_OK,
 * WS_E_NO_MEMORY, WS_E_FAILED if zlib refuses (a library version mismatch),
 * or WS_E_INVALID_ARGUMENT if a pointer is NULL or a field is out of range.
 * After a failed init, free is a no-op.
 */
int ws_deflater_init(ws_deflater *d, const ws_deflater_config *config);

/* Frees zlib's state. d may be initialised again. */
void ws_deflater_free(ws_deflater *d);

/*
 * Compresses the next piece of one message we send with RSV1 (§7.2.1), in
 * any chunking: in[0 .. in_len) follows the bytes fed before, fin is true once
 * the last of them has been given. The compressed payload goes to
 * out[0 .. cap), any cap down to one byte; *consumed and *produced tell how
 * many bytes were taken and written. Each message ends with a sync flush whose
 * final 00 00 ff ff is never written: the last 4 bytes produced are held back
 * until it is known whether they are that tail. An empty message is the single
 * byte 0x00 (an empty stored block, tail stripped), as 7.2.1 gives it.
 * After fin the window is kept for the next message, or emptied if
 * no_context_takeover.
 *
 * Returns WS_OK when all of in was consumed (and, at fin, the whole payload
 * has been written); WS_PMD_OUTPUT_FULL when out filled up first (call again
 * with the rest of in and fresh space; at fin, possibly with no input left);
 * WS_E_FAILED if zlib misbehaved (sticky; zlib allocates nothing after
 * init); or WS_E_INVALID_ARGUMENT for a NULL pointer with a non-zero length,
 * or NULL d, consumed or produced.
 */
int ws_deflater_feed(ws_deflater *d, const uint8_t *in, size_t in_len, bool fin, uint8_t *out,
                     size_t cap, size_t *consumed, size_t *produced);

/* ---- from negotiation to payloads -------------------------------------- */

/*
 * Sets the window_bits and no_context_takeover fields of the configurations
 * for what we send (ours) and what we receive (theirs) from the agreed
 * parameters and our role; other fields are left as they are. Absent windows
 * mean 15. Either pointer may be NULL.
 */
void ws_pmd_configure(const ws_pmd_params *agreed, ws_role role,
                      ws_deflater_config *ours, ws_inflater_config *theirs);

#ifdef __cplusplus
}
#endif
#endif

/*
 * One connection of the echo server: a small state machine over a transport.
 *
 * Connection life:
 *   TLS      TLS handshake (wss only)
 *   REQUEST  reading the opening handshake into a bounded head buffer
 *   OPEN     frames go through a ws_assembler; messages are echoed
 *   FAILING  a protocol error was answered with a Close; incoming bytes are
 *            only followed frame by frame, looking for the peer's Close for
 *            up to 1 s (skipped when the error left the peer inside a frame)
 *   DISCARD  the closing handshake is done on our side: input is dropped,
 *            output is flushed, then the write side is shut
 *   LINGER   our FIN is sent; input is dropped until the peer's FIN, so that
 *            closing never turns into a reset that could destroy our Close
 *
 * conn.c runs the life and the I/O; opening.c reads the request, protocol.c
 * the frames, replies.c builds what goes out.
 */
#ifndef WSCONFORM_ECHO_CONN_H
#define WSCONFORM_ECHO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echo/byte_queue.h"
#include "echo/echo.h"
#include "echo/frame_tracker.h"
#include "run/transport.h"
#include "wscodec.h"

#define HEAD_MAX WS_HTTP_MAX_HEAD_DEFAULT /* 8 KiB; 431 beyond */
#define READ_CHUNK (64u * 1024u)          /* the shared read buffer */

/* What every connection of one server shares. */
typedef struct echo_shared {
    const echo_options *options;
    uint32_t lenient;        /* ws_lenient bits from --break */
    uint8_t *read_buffer;    /* READ_CHUNK bytes */
} echo_shared;

typedef enum conn_phase {
    PHASE_TLS,
    PHASE_REQUEST,
    PHASE_OPEN,
    PHASE_FAILING,
    PHASE_DISCARD,
    PHASE_LINGER,
} conn_phase;

typedef struct conn {
    const echo_shared *shared;
    transport t;
    conn_phase phase;
    bool dead;
    bool peer_eof;
    bool close_when_flushed;  /* shut the write side once output is empty */
    uint64_t deadline;        /* monotonic_us; 0: none */
    char *head;               /* request head, HEAD_MAX bytes, until the 101 */
    size_t head_length;
    ws_assembler assembler;
    bool assembler_ready;
    bool deflate;             /* permessage-deflate agreed: both below are ready */
    ws_inflater inflater;
    ws_deflater deflater;
    frame_tracker frames;
    byte_queue out;
    uint32_t frames_sent;
} conn;

static inline bool has_break(const conn *c, uint32_t bit)
{
    return (c->shared->options->breaks & bit) != 0;
}

/* ---- for the server loop (conn.c) ----------------------------------------- */

/* A connection over an accepted socket; NULL (the socket closed) if it cannot
 * be set up. */
conn *conn_accept(const echo_shared *shared, int fd, SSL_CTX *tls);
short conn_poll_events(const conn *c);
/* TLS input already decrypted, which poll() cannot see. */
bool conn_has_buffered_input(const conn *c);
void conn_handle(conn *c, short revents);
void conn_on_timeout(conn *c);
/* Releases everything but the struct itself. Idempotent. */
void conn_destroy(conn *c);

/* ---- between the parts of a connection ------------------------------------ */

/* After the last byte we owe the peer: flush, then shut TCP (conn.c). */
void conn_close_after_flush(conn *c);
/* The closing handshake is complete on our side (conn.c). */
void conn_closing_handshake_done(conn *c);

/* opening.c: the request head grew; answers it once complete. */
void conn_process_request(conn *c);

/* protocol.c */
int conn_init_assembler(conn *c);
void conn_process_frames(conn *c, const uint8_t *buf, size_t len);
void conn_scan_for_close(conn *c, const uint8_t *buf, size_t len);

/* replies.c: each false when memory ran out. */
bool conn_queue_frame(conn *c, uint8_t opcode, uint8_t rsv, const uint8_t *payload, size_t length);
bool conn_queue_close(conn *c, uint16_t code, const char *reason);
bool conn_queue_message(conn *c, uint8_t opcode, const uint8_t *data, size_t length);

#endif

/*
 * The reference echo server (`wsconform echo`).
 *
 * A strict RFC 6455 server: it echoes every text and binary message as one
 * unmasked frame of the same type, answers each Ping with a Pong carrying the
 * same payload, answers a Close with the same code and then closes TCP itself
 * (§7.1.1), and fails the connection with the close code of the violated rule
 * on any protocol error. It offers no subprotocol; it accepts the first
 * permessage-deflate offer it can honour.
 *
 * `--break LIST` (echo/breaks.h) turns it into a deliberately broken server,
 * to prove that a conformance suite catches each kind of breakage.
 *
 * Files: server.c (listener and poll loop), conn.c (a connection's life and
 * I/O), opening.c (the opening handshake), protocol.c (frames in), replies.c
 * (frames out), byte_queue.c, frame_tracker.c, breaks.c; the command line is
 * cli/cmd_echo.c.
 */
#ifndef WSCONFORM_ECHO_H
#define WSCONFORM_ECHO_H

#include <stdbool.h>
#include <stdint.h>

#define ECHO_THREADS_MAX 64
#define ECHO_THREADS_DEFAULT_MAX 8

typedef struct echo_options {
    char host[256];        /* without brackets */
    char port[6];
    const char *tls_cert;  /* both or neither */
    const char *tls_key;
    uint64_t max_message;  /* bytes */
    uint32_t breaks;       /* enum echo_break bits */
    bool no_deflate;       /* never accept permessage-deflate */
    unsigned threads;      /* loops sharing the listener, each with its own connections */
} echo_options;

/* Prints "listening on ws://HOST:PORT/" (wss:// with TLS) on stdout once it
 * accepts connections and runs until SIGINT or SIGTERM. Returns the exit
 * status: 0 after a signal, 1 if it cannot listen or run, 2 for an unusable
 * certificate or key. */
int echo_serve(const echo_options *o);

#endif

/*
 * One connection, plain TCP or TLS, non-blocking, from either end.
 *
 * Client (the runner): transport_open() starts a connect; it polls
 * transport_poll_events() and calls transport_step() until it reports
 * TRANSPORT_READY, then reads and writes.
 * Server (the echo server): transport_accept() takes an accepted socket; with
 * TLS, transport_step() advances the server handshake until TRANSPORT_READY.
 *
 * Both ends read, write and close with the same functions and return values:
 * a read that would block returns TRANSPORT_AGAIN, a write that would block
 * writes 0 bytes.
 */
#ifndef WSCONFORM_TRANSPORT_H
#define WSCONFORM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

typedef struct transport_target {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    const char *host;      /* for SNI and certificate checks */
    SSL_CTX *tls;          /* NULL for plain TCP */
    bool verify_host;      /* check the certificate names the host */
} transport_target;

typedef enum transport_state {
    TRANSPORT_CONNECTING,
    TRANSPORT_TLS_HANDSHAKE,
    TRANSPORT_READY,
    TRANSPORT_FAILED,
    TRANSPORT_CLOSED,
    TRANSPORT_WRITE_SHUT,  /* our write side is closed; reads drain raw bytes */
} transport_state;

typedef struct transport {
    int fd;
    SSL *ssl;
    transport_state state;
    short want;            /* POLLIN/POLLOUT the next step needs */
    char error[160];       /* why it failed */
    /* TLS may need the other direction to go on: the last read would block
     * until the socket is writable, the last write until it is readable. */
    bool read_needs_writable;
    bool write_needs_readable;
} transport;

/* TRANSPORT_RESET: the peer reset the connection (RST), which is how a TCP
 * drop often arrives, not a failure of ours. */
enum { TRANSPORT_AGAIN = -1, TRANSPORT_ERROR = -2, TRANSPORT_RESET = -3 };

/* Creates the TLS client context: verification on unless insecure; ca_file
 * (PEM) replaces the system store when given. NULL with a message on error. */
SSL_CTX *transport_tls_context(const char *ca_file, bool insecure, char *err, size_t cap);

/* Resolves host:port (first address) into target->addr. 0 or -1 with err. */
int transport_resolve(const char *host, unsigned port, transport_target *target, char *err,
                      size_t cap);

/* Starts a non-blocking connect. Returns 0, or -1 (t->state FAILED, t->error). */
int transport_open(transport *t, const transport_target *target);

/* Advances connect and TLS handshake; returns the new state. target is only
 * used while connecting: NULL for an accepted connection. */
transport_state transport_step(transport *t, const transport_target *target);

/* Poll events to wait for: the connect/handshake's needs, or POLLIN plus
 * POLLOUT when the caller has bytes to write. */
short transport_poll_events(const transport *t, bool have_output);

/* Reads up to cap bytes: >0 bytes, 0 end of stream, TRANSPORT_AGAIN, TRANSPORT_RESET,
 * TRANSPORT_ERROR. */
long transport_read(transport *t, void *buf, size_t cap);

/* Writes up to len bytes: >0 bytes written, TRANSPORT_AGAIN, TRANSPORT_ERROR. */
long transport_write(transport *t, const void *buf, size_t len);

/* Closes the connection (sending TLS close_notify if possible). Idempotent. */
void transport_close(transport *t);

/* ---- server side ---------------------------------------------------------- */

/* Creates the TLS server context from a PEM certificate chain and its private
 * key. NULL on error, with err naming the option at fault (--tls-cert or
 * --tls-key) and then OpenSSL's reasons, one per line. */
SSL_CTX *transport_tls_server_context(const char *cert_file, const char *key_file, char *err,
                                      size_t cap);

/* Takes an accepted socket: non-blocking, close-on-exec, TCP_NODELAY; with
 * tls, state TRANSPORT_TLS_HANDSHAKE (the server side of it), else READY.
 * Returns 0, or -1 (state FAILED, t->error); the caller closes it either way. */
int transport_accept(transport *t, int fd, SSL_CTX *tls);

/* True when TLS holds decrypted input, which poll() cannot see. */
bool transport_has_buffered_input(const transport *t);

/* Ends our side: one TLS close_notify (its answer not awaited), then a TCP
 * FIN. State TRANSPORT_WRITE_SHUT: reads then return the raw bytes still
 * arriving, to be dropped until the peer's FIN. */
void transport_shut_write(transport *t);

/* Closes without a TLS close_notify: the peer is gone or the connection is
 * being failed. Idempotent. */
void transport_abort(transport *t);

/* Closes with a TCP reset (RST) instead of a FIN, and no close_notify. */
void transport_reset(transport *t);

#endif

/*
 * One client connection, plain TCP or TLS, non-blocking. The runner polls
 * transport_poll_events() and calls transport_step() until it reports
 * TRANSPORT_READY, then reads and writes.
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
} transport_state;

typedef struct transport {
    int fd;
    SSL *ssl;
    transport_state state;
    short want;            /* POLLIN/POLLOUT the next step needs */
    char error[160];       /* why it failed */
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

/* Advances connect and TLS handshake; returns the new state. */
transport_state transport_step(transport *t, const transport_target *target);

/* Poll events to wait for: the connect/handshake's needs, or POLLIN plus
 * POLLOUT when the caller has bytes to write. */
short transport_poll_events(const transport *t, bool have_output);

/* Reads up to cap bytes: >0 bytes, 0 end of stream, TRANSPORT_AGAIN, TRANSPORT_RESET,
 * TRANSPORT_ERROR. */
long transport_read(transport *t, void *buf, size_t cap);

/* Writes up to len bytes: >=0 bytes written (0: would block), TRANSPORT_ERROR. */
long transport_write(transport *t, const void *buf, size_t len);

/* Closes the connection (sending TLS close_notify if possible). Idempotent. */
void transport_close(transport *t);

#endif

/* Connections over TCP and OpenSSL TLS, non-blocking: client and server side. */
#define _DEFAULT_SOURCE
#include "run/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* Puts `what` in err, followed by OpenSSL's queued reasons: the first one
 * after ": ", or (every) each on its own indented line. Empties the queue. */
static void tls_error_reasons(char *err, size_t cap, const char *what, bool every)
{
    size_t used = (size_t)snprintf(err, cap, "%s", what);
    unsigned long e;
    while (used < cap && (e = ERR_get_error()) != 0) {
        char detail[256];
        ERR_error_string_n(e, detail, sizeof detail);
        used += (size_t)snprintf(err + used, cap - used, "%s%s", every ? "\n  " : ": ", detail);
        if (!every)
            break;
    }
    ERR_clear_error();
}

static void tls_error(char *err, size_t cap, const char *what)
{
    tls_error_reasons(err, cap, what, false);
}

SSL_CTX *transport_tls_context(const char *ca_file, bool insecure, char *err, size_t cap)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        tls_error(err, cap, "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        return ctx;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                         : SSL_CTX_set_default_verify_paths(ctx);
    if (loaded != 1) {
        tls_error(err, cap, ca_file ? "cannot load the CA file" : "cannot load system CAs");
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int transport_resolve(const char *host, unsigned port, transport_target *target, char *err,
                      size_t cap)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC};
    struct addrinfo *res = NULL;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(err, cap, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    memcpy(&target->addr, res->ai_addr, res->ai_addrlen);
    target->addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int fail(transport *t, const char *what)
{
    snprintf(t->error, sizeof t->error, "%s: %s", what, strerror(errno));
    t->state = TRANSPORT_FAILED;
    return -1;
}

int transport_open(transport *t, const transport_target *target)
{
    memset(t, 0, sizeof *t);
    t->fd = socket(target->addr.ss_family, SOCK_STREAM, 0);
    if (t->fd < 0)
        return fail(t, "socket");
    int one = 1;
    setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) | O_NONBLOCK);
    fcntl(t->fd, F_SETFD, FD_CLOEXEC);
    t->state = TRANSPORT_CONNECTING;
    t->want = POLLOUT;
    if (connect(t->fd, (const struct sockaddr *)&target->addr, target->addr_len) != 0 &&
        errno != EINPROGRESS)
        return fail(t, "connect");
    return 0;
}

/* Either end's handshake: SSL_set_connect_state or SSL_set_accept_state chose. */
static transport_state tls_handshake(transport *t)
{
    ERR_clear_error(); /* SSL_get_error reads the queue, shared by every connection */
    int rc = SSL_do_handshake(t->ssl);
    if (rc == 1) {
        t->state = TRANSPORT_READY;
        t->want = POLLIN;
        return t->state;
    }
    int e = SSL_get_error(t->ssl, rc);
    if (e == SSL_ERROR_WANT_READ) {
        t->want = POLLIN;
    } else if (e == SSL_ERROR_WANT_WRITE) {
        t->want = POLLOUT;
    } else {
        long verify = SSL_get_verify_result(t->ssl);
        if (verify != X509_V_OK)
            snprintf(t->error, sizeof t->error, "TLS certificate rejected: %s",
                     X509_verify_cert_error_string(verify));
        else
            tls_error(t->error, sizeof t->error, "TLS handshake failed");
        t->state = TRANSPORT_FAILED;
    }
    return t->state;
}

transport_state transport_step(transport *t, const transport_target *target)
{
    if (t->state == TRANSPORT_CONNECTING) {
        int so_error = 0;
        socklen_t len = sizeof so_error;
        getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
        if (so_error == EINPROGRESS || so_error == EALREADY)
            return t->state;
        if (so_error) {
            errno = so_error;
            fail(t, "connect");
            return t->state;
        }
        if (!target->tls) {
            t->state = TRANSPORT_READY;
            t->want = POLLIN; /* POLLOUT now only when there is something to write */
            return t->state;
        }
        t->ssl = SSL_new(target->tls);
        if (!t->ssl) {
            tls_error(t->error, sizeof t->error, "SSL_new");
            t->state = TRANSPORT_FAILED;
            return t->state;
        }
        SSL_set_fd(t->ssl, t->fd);
        SSL_set_connect_state(t->ssl);
        SSL_set_tlsext_host_name(t->ssl, target->host);
        if (target->verify_host)
            SSL_set1_host(t->ssl, target->host);
        t->state = TRANSPORT_TLS_HANDSHAKE;
    }
    if (t->state == TRANSPORT_TLS_HANDSHAKE)
        return tls_handshake(t);
    return t->state;
}

short transport_poll_events(const transport *t, bool have_output)
{
    if (t->state == TRANSPORT_CONNECTING || t->state == TRANSPORT_TLS_HANDSHAKE)
        return t->want;
    if (t->state != TRANSPORT_READY)
        return 0;
    /* TLS may need to write while reading (renegotiation, key updates). */
    return (short)(POLLIN | (have_output || t->want == POLLOUT ? POLLOUT : 0));
}

long transport_read(transport *t, void *buf, size_t cap)
{
    if (!t->ssl || t->state == TRANSPORT_WRITE_SHUT) {
        ssize_t n = recv(t->fd, buf, cap, 0);
        if (n >= 0)
            return (long)n;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return TRANSPORT_AGAIN;
        snprintf(t->error, sizeof t->error, "read: %s", strerror(errno));
        return errno == ECONNRESET ? TRANSPORT_RESET : TRANSPORT_ERROR;
    }
    size_t got = 0;
    ERR_clear_error();
    errno = 0;
    int rc = SSL_read_ex(t->ssl, buf, cap, &got);
    t->read_needs_writable = false;
    if (rc == 1) {
        t->want = POLLIN;
        return (long)got;
    }
    int e = SSL_get_error(t->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        t->want = e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
        t->read_needs_writable = e == SSL_ERROR_WANT_WRITE;
        return TRANSPORT_AGAIN;
    }
    if (e == SSL_ERROR_ZERO_RETURN)
        return 0;
    /* A peer that drops TCP without close_notify: treat as end of stream. */
    if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        ERR_clear_error();
        return errno == ECONNRESET ? TRANSPORT_RESET : 0;
    }
    tls_error(t->error, sizeof t->error, "TLS read failed");
    return TRANSPORT_ERROR;
}

long transport_write(transport *t, const void *buf, size_t len)
{
    if (!t->ssl) {
        ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return (long)n;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return TRANSPORT_AGAIN;
        snprintf(t->error, sizeof t->error, "write: %s", strerror(errno));
        return TRANSPORT_ERROR;
    }
    size_t done = 0;
    ERR_clear_error();
    int rc = SSL_write_ex(t->ssl, buf, len, &done);
    t->write_needs_readable = false;
    if (rc == 1) {
        t->want = POLLIN;
        return (long)done;
    }
    int e = SSL_get_error(t->ssl, rc);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
        t->want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        t->write_needs_readable = e == SSL_ERROR_WANT_READ;
        return TRANSPORT_AGAIN;
    }
    tls_error(t->error, sizeof t->error, "TLS write failed");
    return TRANSPORT_ERROR;
}

void transport_close(transport *t)
{
    if (t->ssl) {
        if (t->state == TRANSPORT_READY)
            SSL_shutdown(t->ssl);
        SSL_free(t->ssl);
        t->ssl = NULL;
    }
    if (t->fd > 0) {
        close(t->fd);
        t->fd = -1;
    }
    t->state = TRANSPORT_CLOSED;
}

/* ---- server side ------------------------------------------------------------ */

/* NULL with err set to what failed and OpenSSL's reasons. */
static SSL_CTX *server_context_failed(SSL_CTX *ctx, char *err, size_t cap, const char *what)
{
    tls_error_reasons(err, cap, what, true);
    SSL_CTX_free(ctx);
    return NULL;
}

SSL_CTX *transport_tls_server_context(const char *cert_file, const char *key_file, char *err,
                                      size_t cap)
{
    char what[PATH_MAX * 2 + 64];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return server_context_failed(NULL, err, cap, "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    long options = SSL_OP_NO_RENEGOTIATION;
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    options |= SSL_OP_IGNORE_UNEXPECTED_EOF; /* a peer dropping TCP is an end of stream */
#endif
    SSL_CTX_set_options(ctx, options);
    /* Retried writes may come from a moved queue, and partial writes suit a
     * non-blocking loop. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        snprintf(what, sizeof what, "--tls-cert: cannot load a PEM certificate from '%s'",
                 cert_file);
        return server_context_failed(ctx, err, cap, what);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        snprintf(what, sizeof what, "--tls-key: cannot load a PEM private key from '%s'",
                 key_file);
        return server_context_failed(ctx, err, cap, what);
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(what, sizeof what, "--tls-key: '%s' does not match the certificate '%s'",
                 key_file, cert_file);
        return server_context_failed(ctx, err, cap, what);
    }
    return ctx;
}

int transport_accept(transport *t, int fd, SSL_CTX *tls)
{
    memset(t, 0, sizeof *t);
    t->fd = fd;
    t->state = TRANSPORT_READY;
    t->want = POLLIN;
    int flags = fcntl(fd, F_GETFL), one = 1;
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        return fail(t, "accept");
    if (!tls)
        return 0;
    t->ssl = SSL_new(tls);
    if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
        tls_error(t->error, sizeof t->error, "SSL_new");
        t->state = TRANSPORT_FAILED;
        return -1;
    }
    SSL_set_accept_state(t->ssl);
    t->state = TRANSPORT_TLS_HANDSHAKE;
    return 0;
}

bool transport_has_buffered_input(const transport *t)
{
    return t->ssl && t->state == TRANSPORT_READY && SSL_pending(t->ssl) > 0;
}

void transport_shut_write(transport *t)
{
    if (t->ssl) {
        ERR_clear_error();
        SSL_shutdown(t->ssl);
    }
    shutdown(t->fd, SHUT_WR);
    t->read_needs_writable = t->write_needs_readable = false; /* TLS is over */
    t->state = TRANSPORT_WRITE_SHUT;
}

void transport_abort(transport *t)
{
    SSL_free(t->ssl);
    t->ssl = NULL;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    t->state = TRANSPORT_CLOSED;
}

void transport_reset(transport *t)
{
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    if (t->fd >= 0)
        setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    transport_abort(t);
}

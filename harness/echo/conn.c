/* A connection's life over its transport: reading, flushing, the phases
 * that end it, timeouts, and what it waits for in poll(). */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "echo/breaks.h"
#include "echo/conn.h"
#include "run/clock.h"

#define HANDSHAKE_TIMEOUT_US 10000000u   /* TCP accept to the end of the 101 */
#define CLOSE_TIMEOUT_US 2000000u        /* flushing our Close and waiting for FIN */
#define OUTPUT_CAP (256u * 1024u)        /* stop reading while more is unsent */
#define READ_BURST 8                     /* reads per connection per loop turn */
#define WRITE_CHUNK (1024u * 1024u)
#define KEEP_OUTPUT_BUFFER (64u * 1024u) /* larger idle output buffers are freed */

conn *conn_accept(const echo_shared *shared, int fd, SSL_CTX *tls)
{
    conn *c = calloc(1, sizeof *c);
    if (!c || !(c->head = malloc(HEAD_MAX))) {
        free(c);
        close(fd);
        return NULL;
    }
    c->shared = shared;
    if (transport_accept(&c->t, fd, tls) != 0) {
        conn_destroy(c);
        free(c);
        return NULL;
    }
    c->phase = c->t.state == TRANSPORT_TLS_HANDSHAKE ? PHASE_TLS : PHASE_REQUEST;
    c->deadline = monotonic_us() + HANDSHAKE_TIMEOUT_US;
    return c;
}

void conn_destroy(conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    transport_abort(&c->t);
    free(c->head);
    c->head = NULL;
    if (c->assembler_ready)
        ws_assembler_free(&c->assembler);
    c->assembler_ready = false;
    if (c->deflate) {
        ws_inflater_free(&c->inflater);
        ws_deflater_free(&c->deflater);
    }
    c->deflate = false;
    byte_queue_free(&c->out);
}

void conn_close_after_flush(conn *c)
{
    c->phase = PHASE_DISCARD;
    c->close_when_flushed = true;
    c->deadline = monotonic_us() + CLOSE_TIMEOUT_US;
}

void conn_closing_handshake_done(conn *c)
{
    if (has_break(c, BREAK_NO_TCP_CLOSE)) {
        c->phase = PHASE_DISCARD; /* the client has to drop TCP */
        c->deadline = 0;
        return;
    }
    conn_close_after_flush(c);
}

/* Output is empty and we are done: send FIN and wait for the peer's. */
static void shut_write_side(conn *c)
{
    c->close_when_flushed = false;
    if (c->peer_eof) {
        conn_destroy(c);
        return;
    }
    transport_shut_write(&c->t);
    c->phase = PHASE_LINGER;
    c->deadline = monotonic_us() + CLOSE_TIMEOUT_US;
}

static void conn_input(conn *c, const uint8_t *buf, size_t len)
{
    switch (c->phase) {
    case PHASE_OPEN:
        conn_process_frames(c, buf, len);
        break;
    case PHASE_FAILING:
        conn_scan_for_close(c, buf, len);
        break;
    default:
        break; /* discarded */
    }
}

static void on_peer_eof(conn *c)
{
    c->peer_eof = true;
    if (c->phase == PHASE_LINGER || c->phase == PHASE_TLS || c->phase == PHASE_REQUEST ||
        c->out.length == 0) {
        conn_destroy(c);
        return;
    }
    /* Whatever is queued may still be read by a half-closed peer. */
    c->phase = PHASE_DISCARD;
    if (!c->close_when_flushed) {
        c->close_when_flushed = true;
        c->deadline = monotonic_us() + CLOSE_TIMEOUT_US;
    }
}

static bool conn_can_read(const conn *c)
{
    if (c->dead || c->peer_eof || c->phase == PHASE_TLS)
        return false;
    if (c->phase == PHASE_DISCARD || c->phase == PHASE_LINGER)
        return true;
    if (c->phase == PHASE_REQUEST)
        return c->head_length < HEAD_MAX;
    return c->out.length <= OUTPUT_CAP;
}

static void conn_flush(conn *c)
{
    while (c->out.length > 0 && !c->dead) {
        size_t n = c->out.length < WRITE_CHUNK ? c->out.length : WRITE_CHUNK;
        long sent = transport_write(&c->t, byte_queue_head(&c->out), n);
        if (sent == TRANSPORT_AGAIN)
            return; /* would block */
        if (sent < 0) {
            conn_destroy(c);
            return;
        }
        byte_queue_consume(&c->out, (size_t)sent);
        if (c->close_when_flushed) /* a slow reader of a big echo is not cut off */
            c->deadline = monotonic_us() + CLOSE_TIMEOUT_US;
    }
    if (c->dead)
        return;
    if (c->out.capacity > KEEP_OUTPUT_BUFFER)
        byte_queue_free(&c->out);
    if (c->close_when_flushed)
        shut_write_side(c);
}

static void conn_read(conn *c)
{
    uint8_t *chunk = c->shared->read_buffer;
    for (int i = 0; i < READ_BURST && conn_can_read(c); i++) {
        long n;
        if (c->phase == PHASE_REQUEST) {
            n = transport_read(&c->t, c->head + c->head_length, HEAD_MAX - c->head_length);
            if (n > 0) {
                c->head_length += (size_t)n;
                conn_process_request(c);
            }
        } else {
            n = transport_read(&c->t, chunk, READ_CHUNK);
            if (n > 0)
                conn_input(c, chunk, (size_t)n);
        }
        if (n == 0)
            on_peer_eof(c);
        else if (n < 0 && n != TRANSPORT_AGAIN)
            conn_destroy(c); /* TRANSPORT_ERROR or TRANSPORT_RESET */
        if (n <= 0)
            return;
    }
}

void conn_on_timeout(conn *c)
{
    c->deadline = 0;
    if (c->phase == PHASE_FAILING) {
        conn_closing_handshake_done(c); /* the peer never sent its Close */
        if (!c->dead && c->phase == PHASE_DISCARD && c->out.length == 0 && c->close_when_flushed)
            shut_write_side(c);
        return;
    }
    conn_destroy(c); /* handshake too slow, output stuck, or no FIN from the peer */
}

short conn_poll_events(const conn *c)
{
    if (c->phase == PHASE_TLS)
        return c->t.want;
    short events = 0;
    if (conn_can_read(c))
        events |= POLLIN;
    if (c->out.length > 0)
        events |= POLLOUT;
    if (c->t.read_needs_writable)
        events |= POLLOUT;
    if (c->t.write_needs_readable)
        events |= POLLIN;
    return events;
}

bool conn_has_buffered_input(const conn *c)
{
    return conn_can_read(c) && transport_has_buffered_input(&c->t);
}

/* Advances the TLS handshake; true once the request can be read. */
static bool tls_handshake_done(conn *c)
{
    transport_state state = transport_step(&c->t, NULL);
    if (state == TRANSPORT_READY) {
        c->phase = PHASE_REQUEST;
        return true;
    }
    if (state != TRANSPORT_TLS_HANDSHAKE)
        conn_destroy(c);
    return false;
}

void conn_handle(conn *c, short revents)
{
    if (c->phase == PHASE_TLS) {
        if (!revents || !tls_handshake_done(c))
            return;
        revents |= POLLIN; /* the request may already be there */
    }
    /* TLS may wait on the other direction to go on reading or writing. */
    if (c->out.length && (revents & POLLOUT || (c->t.write_needs_readable && revents & POLLIN)))
        conn_flush(c);
    if (!c->dead && conn_can_read(c) &&
        (revents & (POLLIN | POLLHUP | POLLERR) ||
         (c->t.read_needs_writable && revents & POLLOUT) || conn_has_buffered_input(c)))
        conn_read(c);
    if (!c->dead && (c->out.length || c->close_when_flushed))
        conn_flush(c); /* answers go out in the same turn */
    if (!c->dead && revents & (POLLERR | POLLNVAL) && !conn_can_read(c))
        conn_destroy(c);
}

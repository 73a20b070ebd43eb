/*
 * The reference echo server: a single-threaded poll() loop over non-blocking
 * sockets, plain TCP or OpenSSL TLS, one small state machine per connection.
 *
 * Connection life:
 *   TLS      TLS handshake (wss only)
 *   REQUEST  reading the opening handshake into a bounded head buffer
 *   OPEN     frames go through a ws_assembler; messages are echoed
 *   FAILING  a protocol error was answered with a Close; incoming bytes are
 *            only walked frame by frame, looking for the peer's Close for up
 *            to 1 s (skipped when the error left the peer inside a frame)
 *   DISCARD  the closing handshake is done on our side: input is dropped,
 *            output is flushed, then the write side is shut
 *   LINGER   our FIN is sent; input is dropped until the peer's FIN, so that
 *            closing never turns into a reset that could destroy our Close
 */
#include "echo/echo.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "wscodec.h"

/* ---- limits ------------------------------------------------------------- */

#define HEAD_MAX WS_HTTP_MAX_HEAD_DEFAULT /* 8 KiB; 431 beyond */
#define MAX_HEADERS 64                    /* 431 beyond */
#define EXTENSION_OFFERS_MAX 16           /* permessage-deflate offers looked at */
#define HANDSHAKE_TIMEOUT_MS 10000        /* TCP accept to the end of the 101 */
#define CLOSE_TIMEOUT_MS 2000             /* flushing our Close and waiting for FIN */
#define FAIL_WAIT_MS 1000                 /* waiting for the peer's Close after an error */
#define OUTPUT_CAP (256u * 1024u)         /* stop reading while more is unsent */
#define READ_CHUNK (64u * 1024u)
#define READ_BURST 8                      /* reads per connection per loop turn */
#define WRITE_CHUNK (1024u * 1024u)
#define KEEP_OUTPUT_BUFFER (64u * 1024u)  /* larger idle output buffers are freed */
#define KEEP_MESSAGE_BUFFER (1024u * 1024u)
#define ACCEPT_BURST 128
#define ACCEPT_PAUSE_MS 100               /* after EMFILE/ENFILE */

/* ---- broken variants ---------------------------------------------------- */

enum echo_break {
    BREAK_RSV = 1u << 0,
    BREAK_MASKING = 1u << 1,
    BREAK_OPCODE = 1u << 2,
    BREAK_FRAGMENTATION = 1u << 3,
    BREAK_UTF8 = 1u << 4,
    BREAK_LATE_UTF8 = 1u << 5,
    BREAK_CLOSE_PAYLOAD = 1u << 6,
    BREAK_NO_PONG = 1u << 7,
    BREAK_NO_CLOSE_REPLY = 1u << 8,
    BREAK_NO_TCP_CLOSE = 1u << 9,
    BREAK_WRONG_ACCEPT = 1u << 10,
    BREAK_ANY_VERSION = 1u << 11,
    BREAK_MASKED_REPLIES = 1u << 12,
    BREAK_RESET_ON_ERROR = 1u << 13,
    BREAK_REJECT_REGISTERED_CODES = 1u << 14,
};

static const struct {
    const char *name;
    uint32_t bit;
    const char *help;
} break_names[] = {
    {"rsv", BREAK_RSV, "accept frames with RSV bits set (RFC 6455 5.2)"},
    {"masking", BREAK_MASKING, "accept unmasked client frames (5.1)"},
    {"opcode", BREAK_OPCODE, "skip frames with reserved opcodes instead of failing (5.2)"},
    {"fragmentation", BREAK_FRAGMENTATION,
     "accept stray continuations and data frames inside a message (5.4)"},
    {"utf8", BREAK_UTF8, "echo text without checking UTF-8 (8.1)"},
    {"late-utf8", BREAK_LATE_UTF8,
     "check UTF-8 only when a message is complete, not as it arrives"},
    {"close-payload", BREAK_CLOSE_PAYLOAD,
     "accept any Close payload and echo it back as it came (5.5.1, 7.4)"},
    {"no-pong", BREAK_NO_PONG, "never answer a Ping (5.5.2)"},
    {"no-close-reply", BREAK_NO_CLOSE_REPLY,
     "never answer a Close; keep the connection open (5.5.1)"},
    {"no-tcp-close", BREAK_NO_TCP_CLOSE,
     "after the closing handshake, wait for the client to drop TCP (7.1.1)"},
    {"wrong-accept", BREAK_WRONG_ACCEPT, "send a wrong Sec-WebSocket-Accept (4.2.2)"},
    {"any-version", BREAK_ANY_VERSION,
     "accept any Sec-WebSocket-Version instead of answering 426 (4.2.2)"},
    {"masked-replies", BREAK_MASKED_REPLIES, "mask the frames it sends (5.1)"},
    {"reset-on-error", BREAK_RESET_ON_ERROR,
     "fail a connection with a TCP reset and no Close frame (7.1.7 SHOULD)"},
    {"reject-registered-codes", BREAK_REJECT_REGISTERED_CODES,
     "answer a Close with 1012-1014 (IANA registered, not in RFC 6455) with 1002"},
};

#define BREAK_COUNT (sizeof break_names / sizeof break_names[0])

/* ---- options ------------------------------------------------------------ */

typedef struct echo_options {
    char host[256];    /* without brackets */
    char port[6];
    const char *tls_cert;
    const char *tls_key;
    uint64_t max_message;
    uint32_t breaks;
    bool no_deflate;   /* never accept permessage-deflate */
} echo_options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wsconform echo [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
            "                      [--max-message BYTES] [--no-deflate] [--break LIST]\n"
            "\n"
            "The reference echo server: a strict RFC 6455 server that echoes every text\n"
            "and binary message, answers Pings, answers a Close with the same code and\n"
            "then closes TCP, and fails the connection with the close code of the rule\n"
            "broken on any protocol error. It accepts no subprotocol; it accepts the first\n"
            "permessage-deflate offer (RFC 7692) it can honour, and then inflates what\n"
            "it receives and compresses every message it echoes.\n"
            "Once it accepts connections it prints \"listening on ws://HOST:PORT/\"\n"
            "(wss:// with TLS); it runs until SIGINT or SIGTERM.\n"
            "\n"
            "  --listen HOST:PORT   address to listen on (default 127.0.0.1:9001); port 0\n"
            "                       picks a free port; IPv6 in brackets: [::1]:0\n"
            "  --tls-cert FILE      serve wss:// with this PEM certificate (chain)\n"
            "  --tls-key FILE       PEM private key of --tls-cert\n"
            "  --max-message BYTES  largest message accepted (default 64M; suffixes K, M, G);\n"
            "                       a bigger one (inflated, with compression) fails the\n"
            "                       connection with 1009\n"
            "  --no-deflate         accept no extension, permessage-deflate included\n"
            "  --break LIST         FOR TESTING A CONFORMANCE SUITE ONLY: break the named\n"
            "                       rules on purpose, so a suite can prove it catches a\n"
            "                       broken server. Comma-separated, repeatable:\n");
    for (size_t i = 0; i < BREAK_COUNT; i++)
        fprintf(f, "      %-15s %s\n", break_names[i].name, break_names[i].help);
    fprintf(f, "  -h, --help           this text\n"
               "\n"
               "Exit status: 0 after SIGINT/SIGTERM, 1 if it cannot listen, 2 for bad\n"
               "arguments or an unusable certificate or key.\n");
}

static void list_break_names(FILE *f)
{
    fprintf(f, "valid --break names:");
    for (size_t i = 0; i < BREAK_COUNT; i++)
        fprintf(f, "%s %s", i ? "," : "", break_names[i].name);
    fprintf(f, "\n");
}

static int parse_listen(const char *arg, echo_options *o)
{
    const char *host = arg, *host_end, *port;
    if (arg[0] == '[') {
        host = arg + 1;
        host_end = strchr(host, ']');
        if (!host_end || host_end[1] != ':')
            return -1;
        port = host_end + 2;
    } else {
        host_end = strrchr(arg, ':');
        if (!host_end)
            return -1;
        port = host_end + 1;
        if (memchr(arg, ':', (size_t)(host_end - arg)))
            return -1; /* an IPv6 literal needs brackets */
    }
    size_t host_len = (size_t)(host_end - host);
    if (host_len == 0 || host_len >= sizeof o->host)
        return -1;
    size_t port_len = strlen(port);
    if (port_len == 0 || port_len > 5 || strspn(port, "0123456789") != port_len ||
        strtoul(port, NULL, 10) > 65535)
        return -1;
    memcpy(o->host, host, host_len);
    o->host[host_len] = '\0';
    memcpy(o->port, port, port_len + 1);
    return 0;
}

static int parse_size(const char *arg, uint64_t *out)
{
    if (!*arg || !strchr("0123456789", arg[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno)
        return -1;
    uint64_t unit = 1;
    if (*end == 'K' || *end == 'k')
        unit = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        unit = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        unit = 1024 * 1024 * 1024, end++;
    if (*end || v == 0 || v > (uint64_t)(SIZE_MAX / 2) / unit)
        return -1;
    *out = (uint64_t)v * unit;
    return 0;
}

static int parse_breaks(const char *arg, uint32_t *breaks)
{
    const char *p = arg;
    for (;;) {
        size_t len = strcspn(p, ",");
        size_t i;
        for (i = 0; i < BREAK_COUNT; i++)
            if (strlen(break_names[i].name) == len && memcmp(break_names[i].name, p, len) == 0)
                break;
        if (i == BREAK_COUNT) {
            fprintf(stderr, "wsconform echo: --break: unknown name '%.*s'\n", (int)len, p);
            list_break_names(stderr);
            return -1;
        }
        *breaks |= break_names[i].bit;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, echo_options *o)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"max-message", required_argument, NULL, 'm'},
        {"break", required_argument, NULL, 'b'},
        {"no-deflate", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    strcpy(o->host, "127.0.0.1");
    strcpy(o->port, "9001");
    o->max_message = WS_DEFAULT_MAX_MESSAGE_SIZE;

    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'l':
            if (parse_listen(optarg, o) != 0) {
                fprintf(stderr,
                        "wsconform echo: --listen: expected HOST:PORT (IPv6 as [ADDR]:PORT, "
                        "port 0-65535), got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'c':
            o->tls_cert = optarg;
            break;
        case 'k':
            o->tls_key = optarg;
            break;
        case 'm':
            if (parse_size(optarg, &o->max_message) != 0) {
                fprintf(stderr,
                        "wsconform echo: --max-message: expected a positive byte count "
                        "(suffix K, M or G allowed), got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'b':
            if (parse_breaks(optarg, &o->breaks) != 0)
                return 2;
            break;
        case 'D':
            o->no_deflate = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "wsconform echo: option '%s' needs an argument\n", argv[optind - 1]);
            return 2;
        default:
            if (optopt)
                fprintf(stderr, "wsconform echo: unknown option '-%c'\n", optopt);
            else
                fprintf(stderr, "wsconform echo: unknown option '%s'\n", argv[optind - 1]);
            fprintf(stderr, "Try 'wsconform echo --help'.\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "wsconform echo: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if ((o->tls_cert != NULL) != (o->tls_key != NULL)) {
        fprintf(stderr, "wsconform echo: %s needs %s as well\n",
                o->tls_cert ? "--tls-cert" : "--tls-key", o->tls_cert ? "--tls-key" : "--tls-cert");
        return 2;
    }
    return -1;
}

/* ---- signals ------------------------------------------------------------ */

/* The write end of the self-pipe that turns SIGINT/SIGTERM into poll input. */
static int signal_pipe_write = -1;

static void on_stop_signal(int sig)
{
    (void)sig;
    int saved = errno;
    if (signal_pipe_write >= 0) {
        ssize_t ignored = write(signal_pipe_write, "", 1);
        (void)ignored;
    }
    errno = saved;
}

/* ---- small helpers ------------------------------------------------------ */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Unsent output: bytes data[start .. start+length). */
typedef struct byte_queue {
    uint8_t *data;
    size_t start, length, capacity;
} byte_queue;

/* Room for n more bytes at the tail; NULL when memory ran out. */
static uint8_t *queue_reserve(byte_queue *q, size_t n)
{
    if (q->length == 0)
        q->start = 0;
    if (q->capacity - q->start - q->length >= n)
        return q->data + q->start + q->length;
    if (q->capacity - q->length >= n) {
        memmove(q->data, q->data + q->start, q->length);
        q->start = 0;
        return q->data + q->length;
    }
    if (n > SIZE_MAX / 2 - q->length)
        return NULL;
    size_t capacity = q->capacity ? q->capacity : 4096;
    while (capacity < q->length + n)
        capacity *= 2;
    uint8_t *data = malloc(capacity);
    if (!data)
        return NULL;
    if (q->length)
        memcpy(data, q->data + q->start, q->length);
    free(q->data);
    q->data = data;
    q->start = 0;
    q->capacity = capacity;
    return q->data + q->length;
}

static void queue_consume(byte_queue *q, size_t n)
{
    q->start += n;
    q->length -= n;
    if (q->length == 0)
        q->start = 0;
}

static void queue_free(byte_queue *q)
{
    free(q->data);
    memset(q, 0, sizeof *q);
}

/*
 * Follows frame boundaries without judging frames, so that after a protocol
 * error the peer's Close can still be found among whatever it sent next.
 */
typedef struct frame_walker {
    uint8_t header[WS_FRAME_HEADER_MAX];
    uint8_t header_have;
    bool in_payload;
    bool broken;         /* an undecodable header: boundaries are lost */
    uint8_t opcode;
    uint64_t payload_left;
} frame_walker;

/* Walks buf; returns true as soon as a complete Close frame has gone by. */
static bool walker_feed(frame_walker *w, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len && !w->broken) {
        if (!w->in_payload) {
            size_t have = w->header_have;
            size_t take = WS_FRAME_HEADER_MAX - have;
            if (take > len - pos)
                take = len - pos;
            memcpy(w->header + have, buf + pos, take);
            ws_frame_header h;
            int r = ws_frame_decode_header(w->header, have + take, &h);
            if (r == WS_NEED_MORE) {
                w->header_have = (uint8_t)(have + take);
                return false;
            }
            if (r < 0) {
                w->broken = true;
                return false;
            }
            pos += (size_t)r - have;
            w->header_have = 0;
            w->in_payload = true;
            w->opcode = h.opcode;
            w->payload_left = h.payload_length;
        }
        uint64_t take = len - pos;
        if (take > w->payload_left)
            take = w->payload_left;
        pos += (size_t)take;
        w->payload_left -= take;
        if (w->payload_left == 0) {
            w->in_payload = false;
            if (w->opcode == WS_OP_CLOSE)
                return true;
        }
    }
    return false;
}

/* ---- connections -------------------------------------------------------- */

typedef enum conn_phase {
    PHASE_TLS,
    PHASE_REQUEST,
    PHASE_OPEN,
    PHASE_FAILING,
    PHASE_DISCARD,
    PHASE_LINGER,
} conn_phase;

enum { IO_AGAIN = -1, IO_ERROR = -2 };

typedef struct echo_server echo_server;

typedef struct conn {
    echo_server *server;
    int fd;
    SSL *ssl;
    conn_phase phase;
    bool dead;
    bool peer_eof;
    bool close_when_flushed;  /* shut the write side once output is empty */
    bool read_wants_write;    /* TLS: SSL_read needs the socket writable */
    bool write_wants_read;    /* TLS: SSL_write needs the socket readable */
    short tls_want;           /* TLS handshake: POLLIN or POLLOUT */
    int64_t deadline;         /* monotonic ms; 0: none */
    char *head;               /* request head, HEAD_MAX bytes, until the 101 */
    size_t head_length;
    ws_assembler assembler;
    bool assembler_ready;
    bool deflate;             /* permessage-deflate agreed: both below are ready */
    ws_inflater inflater;
    ws_deflater deflater;
    frame_walker walker;
    byte_queue out;
    uint32_t frames_sent;
} conn;

struct echo_server {
    echo_options options;
    uint32_t lenient;        /* ws_lenient bits from --break */
    int listen_fd;
    int signal_fd;           /* read end of the self-pipe */
    SSL_CTX *tls;
    conn **conns;
    size_t conn_count, conn_capacity;
    struct pollfd *pollfds;
    size_t pollfd_capacity;
    uint8_t *read_buffer;    /* READ_CHUNK bytes shared by all connections */
    int64_t accept_paused_until;
};

static void conn_destroy(conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    if (c->ssl)
        SSL_free(c->ssl);
    c->ssl = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
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
    queue_free(&c->out);
}

static bool has_break(const conn *c, uint32_t bit)
{
    return (c->server->options.breaks & bit) != 0;
}

/* Bytes read, 0 at end of stream, IO_AGAIN or IO_ERROR. */
static ptrdiff_t conn_recv(conn *c, uint8_t *buf, size_t cap)
{
    if (c->ssl && c->phase != PHASE_LINGER) {
        ERR_clear_error();
        errno = 0;
        int n = SSL_read(c->ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap);
        c->read_wants_write = false;
        if (n > 0)
            return n;
        switch (SSL_get_error(c->ssl, n)) {
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        case SSL_ERROR_WANT_READ:
            return IO_AGAIN;
        case SSL_ERROR_WANT_WRITE:
            c->read_wants_write = true;
            return IO_AGAIN;
        case SSL_ERROR_SYSCALL:
            return ERR_peek_error() == 0 && errno == 0 ? 0 : IO_ERROR;
        default:
            return IO_ERROR;
        }
    }
    for (;;) {
        ssize_t n = recv(c->fd, buf, cap, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? IO_AGAIN : IO_ERROR;
    }
}

/* Bytes written, IO_AGAIN or IO_ERROR. */
static ptrdiff_t conn_send(conn *c, const uint8_t *buf, size_t len)
{
    if (c->ssl) {
        ERR_clear_error();
        int n = SSL_write(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
        c->write_wants_read = false;
        if (n > 0)
            return n;
        switch (SSL_get_error(c->ssl, n)) {
        case SSL_ERROR_WANT_WRITE:
            return IO_AGAIN;
        case SSL_ERROR_WANT_READ:
            c->write_wants_read = true;
            return IO_AGAIN;
        default:
            return IO_ERROR;
        }
    }
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? IO_AGAIN : IO_ERROR;
    }
}

/* Queues one frame with FIN set; masked only when broken on purpose. */
static bool queue_frame(conn *c, uint8_t opcode, uint8_t rsv, const uint8_t *payload,
                        size_t length)
{
    ws_frame_spec spec = {.fin = true, .rsv = rsv, .opcode = opcode};
    if (has_break(c, BREAK_MASKED_REPLIES)) {
        uint32_t k = 0x9e3779b9u * ++c->frames_sent; /* any key will do */
        spec.masked = true;
        memcpy(spec.mask_key, &k, 4);
        if (spec.mask_key[0] == 0)
            spec.mask_key[0] = 0x5a; /* never the all-zero key, which changes nothing */
    }
    if (length > SIZE_MAX - WS_FRAME_HEADER_MAX)
        return false;
    if (!payload)
        payload = (const uint8_t *)"";
    size_t cap = WS_FRAME_HEADER_MAX + length, written;
    uint8_t *dest = queue_reserve(&c->out, cap);
    if (!dest)
        return false;
    if (ws_frame_encode(&spec, payload, length, dest, cap, &written) != WS_OK)
        return false;
    c->out.length += written;
    return true;
}

static bool queue_close(conn *c, uint16_t code, const char *reason)
{
    uint8_t payload[WS_CONTROL_PAYLOAD_MAX];
    size_t reason_length = reason ? strlen(reason) : 0;
    int n = ws_close_build(code, (const uint8_t *)reason, reason_length, payload, sizeof payload);
    return n >= 0 && queue_frame(c, WS_OP_CLOSE, 0, payload, (size_t)n);
}

/* Queues a message in one frame, compressed (RSV1, RFC 7692 §7.2.1) when
 * permessage-deflate was agreed. */
static bool queue_message(conn *c, uint8_t opcode, const uint8_t *data, size_t length)
{
    if (!c->deflate)
        return queue_frame(c, opcode, 0, data, length);
    size_t cap = length + length / 8 + 64, have = 0, used = 0;
    uint8_t *packed = malloc(cap);
    int r = packed ? WS_PMD_OUTPUT_FULL : WS_E_NO_MEMORY;
    while (r == WS_PMD_OUTPUT_FULL) {
        if (have == cap) {
            uint8_t *grown = cap <= SIZE_MAX / 2 ? realloc(packed, cap * 2) : NULL;
            if (!grown)
                break;
            packed = grown;
            cap *= 2;
        }
        size_t took = 0, made = 0;
        r = ws_deflater_feed(&c->deflater, data ? data + used : NULL, length - used, true,
                             packed + have, cap - have, &took, &made);
        used += took;
        have += made;
    }
    bool queued = r == WS_OK && queue_frame(c, opcode, WS_RSV1, packed, have);
    free(packed);
    return queued;
}

/* After the last byte we owe the peer: flush, then shut TCP. */
static void close_after_flush(conn *c)
{
    c->phase = PHASE_DISCARD;
    c->close_when_flushed = true;
    c->deadline = monotonic_ms() + CLOSE_TIMEOUT_MS;
}

/* The closing handshake is complete on our side. */
static void closing_handshake_done(conn *c)
{
    if (has_break(c, BREAK_NO_TCP_CLOSE)) {
        c->phase = PHASE_DISCARD; /* the client has to drop TCP */
        c->deadline = 0;
        return;
    }
    close_after_flush(c);
}

/* Output is empty and we are done: send FIN and wait for the peer's. */
static void shut_write_side(conn *c)
{
    c->close_when_flushed = false;
    if (c->peer_eof) {
        conn_destroy(c);
        return;
    }
    if (c->ssl) {
        ERR_clear_error();
        SSL_shutdown(c->ssl); /* one close_notify; its answer is not awaited */
    }
    shutdown(c->fd, SHUT_WR);
    c->read_wants_write = c->write_wants_read = false; /* TLS is over */
    c->phase = PHASE_LINGER;
    c->deadline = monotonic_ms() + CLOSE_TIMEOUT_MS;
}

/* Answers a protocol error with a Close naming the rule, then waits for the
 * peer's Close (RFC 6455 §7.1.7). */
static void fail_connection(conn *c, int err)
{
    if (has_break(c, BREAK_RESET_ON_ERROR)) {
        struct linger reset = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        conn_destroy(c);
        return;
    }
    const ws_error_info *info = ws_error_lookup(err);
    uint16_t code = info && info->close_code ? info->close_code : WS_CLOSE_INTERNAL_ERROR;
    char reason[WS_CONTROL_PAYLOAD_MAX - 1]; /* at most 123 bytes of ASCII */
    if (info && info->rfc_section[0])
        snprintf(reason, sizeof reason, "%s: %s", info->rfc_section, info->message);
    else
        snprintf(reason, sizeof reason, "%s", info ? info->message : "internal error");
    if (!queue_close(c, code, reason)) {
        conn_destroy(c);
        return;
    }
    c->phase = PHASE_FAILING;
    c->deadline = monotonic_ms() + FAIL_WAIT_MS;
}

/* In FAILING: only the peer's Close matters. Once frame boundaries are lost
 * to an undecodable header it can never be recognised, so waiting is moot. */
static void scan_for_close(conn *c, const uint8_t *buf, size_t len)
{
    if (walker_feed(&c->walker, buf, len) || c->walker.broken)
        closing_handshake_done(c);
}

static int init_assembler(conn *c)
{
    ws_assembler_config config = {
        .role = WS_ROLE_SERVER,
        .lenient = c->server->lenient,
        .max_message_size = c->server->options.max_message,
        .rsv_allowed = c->deflate ? WS_RSV1 : 0,
        .inflater = c->deflate ? &c->inflater : NULL,
    };
    c->assembler_ready = ws_assembler_init(&c->assembler, &config) == WS_OK;
    return c->assembler_ready ? 0 : -1;
}

static void on_close_frame(conn *c, const ws_event *ev)
{
    if (has_break(c, BREAK_NO_CLOSE_REPLY)) {
        c->phase = PHASE_DISCARD;
        c->deadline = 0;
        return;
    }
    bool queued;
    if (has_break(c, BREAK_CLOSE_PAYLOAD))
        queued = queue_frame(c, WS_OP_CLOSE, 0, ev->data, ev->length);
    else if (has_break(c, BREAK_REJECT_REGISTERED_CODES) && ev->close.has_code &&
             ev->close.code >= 1012 && ev->close.code <= 1014)
        queued = queue_close(c, WS_CLOSE_PROTOCOL_ERROR, NULL);
    else if (ev->close.has_code)
        queued = queue_close(c, ev->close.code, NULL);
    else
        queued = queue_frame(c, WS_OP_CLOSE, 0, NULL, 0);
    if (!queued) {
        conn_destroy(c);
        return;
    }
    closing_handshake_done(c);
}

/* Handles one event; false when no more frames are to be processed. */
static bool on_event(conn *c, const ws_event *ev)
{
    switch (ev->type) {
    case WS_EVENT_MESSAGE:
        if (has_break(c, BREAK_LATE_UTF8) && ev->opcode == WS_OP_TEXT &&
            ws_utf8_validate(ev->data, ev->length, NULL) != WS_OK) {
            fail_connection(c, WS_E_UTF8_INVALID);
            return false;
        }
        if (!queue_message(c, ev->opcode, ev->data, ev->length)) {
            conn_destroy(c);
            return false;
        }
        /* Between messages the stream is at a frame boundary, so a fresh
         * assembler can take over and a large message buffer is released. */
        if (ev->length > KEEP_MESSAGE_BUFFER) {
            ws_assembler_free(&c->assembler);
            if (init_assembler(c) != 0) {
                conn_destroy(c);
                return false;
            }
        }
        return true;
    case WS_EVENT_PING:
        if (!has_break(c, BREAK_NO_PONG) &&
            !queue_frame(c, WS_OP_PONG, 0, ev->data, ev->length)) {
            conn_destroy(c);
            return false;
        }
        return true;
    case WS_EVENT_CLOSE:
        on_close_frame(c, ev);
        return false;
    case WS_EVENT_PONG:
    case WS_EVENT_NONE:
        return true;
    }
    return true;
}

/*
 * Starts looking for the peer's Close in the input that followed an error.
 * If the peer is still inside a frame's payload, where that frame ends (and
 * so where a Close would start) is not to be trusted: a peer that sees our
 * Close may abandon the frame. Then TCP is closed without waiting.
 */
static void start_failing_scan(conn *c, const uint8_t *rest, size_t len)
{
    if (c->dead || c->phase != PHASE_FAILING)
        return;
    scan_for_close(c, rest, len);
    if (!c->dead && c->phase == PHASE_FAILING && c->walker.in_payload)
        closing_handshake_done(c);
}

static void process_frames(conn *c, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len && c->phase == PHASE_OPEN && !c->dead) {
        ws_event ev;
        ptrdiff_t used = ws_assembler_feed(&c->assembler, buf + pos, len - pos, &ev);
        if (used < 0) {
            fail_connection(c, (int)used);
            start_failing_scan(c, buf + pos, len - pos);
            return;
        }
        walker_feed(&c->walker, buf + pos, (size_t)used);
        pos += (size_t)used;
        if (!on_event(c, &ev))
            break;
    }
    start_failing_scan(c, buf + pos, len - pos); /* after a late UTF-8 failure */
}

static void refuse_handshake(conn *c, int err)
{
    char response[1024];
    int n = ws_handshake_build_error(err, response, sizeof response);
    uint8_t *dest = n > 0 ? queue_reserve(&c->out, (size_t)n) : NULL;
    if (!dest) {
        conn_destroy(c);
        return;
    }
    memcpy(dest, response, (size_t)n);
    c->out.length += (size_t)n;
    close_after_flush(c);
}

/* Changes one character of the Sec-WebSocket-Accept value. */
static void spoil_accept(char *response, size_t length)
{
    static const char field[] = "Sec-WebSocket-Accept: ";
    size_t field_len = sizeof field - 1;
    for (size_t i = 0; i + field_len < length; i++) {
        if (memcmp(response + i, field, field_len) == 0) {
            char *v = response + i + field_len;
            *v = *v == 'A' ? 'B' : 'A';
            return;
        }
    }
}

/*
 * Chooses among the client's permessage-deflate offers (RFC 7692 §5) and sets
 * up the inflater and deflater. Looks at the first EXTENSION_OFFERS_MAX
 * extensions offered. True with the response's extension value in out.
 */
static bool agree_deflate(conn *c, const ws_http_header *headers, size_t num_headers, char *out,
                          size_t cap)
{
    ws_extension offers[EXTENSION_OFFERS_MAX];
    size_t num = 0;
    for (const ws_http_header *h =
             ws_http_find_header(headers, num_headers, "Sec-WebSocket-Extensions", NULL);
         h && num < EXTENSION_OFFERS_MAX;
         h = ws_http_find_header(headers, num_headers, "Sec-WebSocket-Extensions", h))
        ws_handshake_parse_extensions(h->value, h->value_len, offers, EXTENSION_OFFERS_MAX, &num);
    ws_pmd_params agreed;
    size_t chosen;
    if (ws_pmd_server_choose(offers, num, NULL, &agreed, &chosen) != 1 ||
        ws_pmd_format(&agreed, out, cap) < 0)
        return false;
    ws_deflater_config ours = {0};
    ws_inflater_config theirs = {.max_message_size = c->server->options.max_message};
    ws_pmd_configure(&agreed, WS_ROLE_SERVER, &ours, &theirs);
    if (ws_inflater_init(&c->inflater, &theirs) != WS_OK)
        return false;
    if (ws_deflater_init(&c->deflater, &ours) != WS_OK) {
        ws_inflater_free(&c->inflater);
        return false;
    }
    c->deflate = true;
    return true;
}

static void process_request(conn *c)
{
    ws_http_header headers[MAX_HEADERS];
    ws_http_request req = {.headers = headers, .max_headers = MAX_HEADERS};
    int head = ws_http_parse_request(c->head, c->head_length, HEAD_MAX, &req);
    if (head == WS_NEED_MORE)
        return;
    if (head < 0) {
        refuse_handshake(c, head);
        return;
    }
    ws_handshake_request_info info = {0};
    int err = ws_handshake_check_request(&req, &info);
    if (err == WS_E_HS_VERSION && has_break(c, BREAK_ANY_VERSION))
        err = WS_OK;
    if (err != WS_OK) {
        refuse_handshake(c, err);
        return;
    }
    /* No subprotocol is ever accepted; permessage-deflate is, when offered. */
    ws_handshake_response_spec spec = {.key = info.key, .key_len = info.key_len};
    char extensions[WS_PMD_FORMAT_MAX];
    if (info.num_extensions && !c->server->options.no_deflate &&
        agree_deflate(c, headers, req.num_headers, extensions, sizeof extensions)) {
        spec.extensions = extensions;
        spec.extensions_len = strlen(extensions);
    }
    char response[512 + WS_PMD_FORMAT_MAX];
    int n = ws_handshake_build_response(&spec, response, sizeof response);
    if (n < 0 || init_assembler(c) != 0) {
        refuse_handshake(c, n < 0 ? n : WS_E_NO_MEMORY);
        return;
    }
    if (has_break(c, BREAK_WRONG_ACCEPT))
        spoil_accept(response, (size_t)n);
    uint8_t *dest = queue_reserve(&c->out, (size_t)n);
    if (!dest) {
        conn_destroy(c);
        return;
    }
    memcpy(dest, response, (size_t)n);
    c->out.length += (size_t)n;
    c->phase = PHASE_OPEN;
    c->deadline = 0; /* idle connections may stay */

    /* Frames that came with the request are processed, then the head goes. */
    char *rest_owner = c->head;
    size_t rest_length = c->head_length - (size_t)head;
    c->head = NULL;
    c->head_length = 0;
    if (rest_length)
        process_frames(c, (const uint8_t *)rest_owner + head, rest_length);
    free(rest_owner);
}

static void conn_input(conn *c, const uint8_t *buf, size_t len)
{
    switch (c->phase) {
    case PHASE_OPEN:
        process_frames(c, buf, len);
        break;
    case PHASE_FAILING:
        scan_for_close(c, buf, len);
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
        c->deadline = monotonic_ms() + CLOSE_TIMEOUT_MS;
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
        ptrdiff_t sent = conn_send(c, c->out.data + c->out.start, n);
        if (sent == IO_AGAIN)
            return;
        if (sent == IO_ERROR) {
            conn_destroy(c);
            return;
        }
        queue_consume(&c->out, (size_t)sent);
        if (c->close_when_flushed) /* a slow reader of a big echo is not cut off */
            c->deadline = monotonic_ms() + CLOSE_TIMEOUT_MS;
    }
    if (c->dead)
        return;
    if (c->out.capacity > KEEP_OUTPUT_BUFFER)
        queue_free(&c->out);
    if (c->close_when_flushed)
        shut_write_side(c);
}

static void conn_read(conn *c)
{
    uint8_t *chunk = c->server->read_buffer;
    for (int i = 0; i < READ_BURST && conn_can_read(c); i++) {
        ptrdiff_t n;
        if (c->phase == PHASE_REQUEST) {
            n = conn_recv(c, (uint8_t *)c->head + c->head_length, HEAD_MAX - c->head_length);
            if (n > 0) {
                c->head_length += (size_t)n;
                process_request(c);
            }
        } else {
            n = conn_recv(c, chunk, READ_CHUNK);
            if (n > 0)
                conn_input(c, chunk, (size_t)n);
        }
        if (n == 0)
            on_peer_eof(c);
        else if (n == IO_ERROR)
            conn_destroy(c);
        if (n <= 0)
            return;
    }
}

static void tls_step(conn *c)
{
    ERR_clear_error();
    int r = SSL_accept(c->ssl);
    if (r == 1) {
        c->phase = PHASE_REQUEST;
        c->tls_want = 0;
        return;
    }
    switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        c->tls_want = POLLIN;
        break;
    case SSL_ERROR_WANT_WRITE:
        c->tls_want = POLLOUT;
        break;
    default:
        conn_destroy(c);
    }
}

static void on_timeout(conn *c)
{
    c->deadline = 0;
    if (c->phase == PHASE_FAILING) {
        closing_handshake_done(c); /* the peer never sent its Close */
        if (!c->dead && c->phase == PHASE_DISCARD && c->out.length == 0 && c->close_when_flushed)
            shut_write_side(c);
        return;
    }
    conn_destroy(c); /* handshake too slow, output stuck, or no FIN from the peer */
}

static short conn_poll_events(const conn *c)
{
    if (c->phase == PHASE_TLS)
        return c->tls_want;
    short events = 0;
    if (conn_can_read(c))
        events |= POLLIN;
    if (c->out.length > 0)
        events |= POLLOUT;
    if (c->read_wants_write)
        events |= POLLOUT;
    if (c->write_wants_read)
        events |= POLLIN;
    return events;
}

/* TLS records already decrypted are invisible to poll(). */
static bool conn_has_buffered_input(const conn *c)
{
    return c->ssl && c->phase != PHASE_TLS && c->phase != PHASE_LINGER && conn_can_read(c) &&
           SSL_pending(c->ssl) > 0;
}

static void conn_handle(conn *c, short revents)
{
    if (c->phase == PHASE_TLS) {
        if (!revents)
            return;
        tls_step(c);
        if (c->dead || c->phase == PHASE_TLS)
            return;
        revents |= POLLIN; /* the request may already be there */
    }
    if (c->out.length && (revents & POLLOUT || (c->write_wants_read && revents & POLLIN)))
        conn_flush(c);
    if (!c->dead && conn_can_read(c) &&
        (revents & (POLLIN | POLLHUP | POLLERR) || (c->read_wants_write && revents & POLLOUT) ||
         conn_has_buffered_input(c)))
        conn_read(c);
    if (!c->dead && (c->out.length || c->close_when_flushed))
        conn_flush(c); /* answers go out in the same turn */
    if (!c->dead && revents & (POLLERR | POLLNVAL) && !conn_can_read(c))
        conn_destroy(c);
}

/* ---- server ------------------------------------------------------------- */

static int open_listener(const echo_options *o, unsigned *port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int r = getaddrinfo(o->host, o->port, &hints, &res);
    if (r != 0) {
        fprintf(stderr, "wsconform echo: --listen: cannot resolve '%s': %s\n", o->host,
                gai_strerror(r));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0 &&
            set_nonblocking(fd) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "wsconform echo: cannot listen on %s port %s: %s\n", o->host, o->port,
                strerror(saved));
        return -1;
    }
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        fprintf(stderr, "wsconform echo: getsockname: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    *port = addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port)
                                       : ntohs(((struct sockaddr_in *)&addr)->sin_port);
    return fd;
}

static void print_tls_errors(void)
{
    unsigned long e;
    char buf[256];
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        fprintf(stderr, "  %s\n", buf);
    }
}

static SSL_CTX *tls_server_context(const echo_options *o)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        fprintf(stderr, "wsconform echo: cannot create a TLS context\n");
        print_tls_errors();
        return NULL;
    }
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
    if (SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert) != 1) {
        fprintf(stderr, "wsconform echo: --tls-cert: cannot load a PEM certificate from '%s'\n",
                o->tls_cert);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, o->tls_key, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "wsconform echo: --tls-key: cannot load a PEM private key from '%s'\n",
                o->tls_key);
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        fprintf(stderr, "wsconform echo: --tls-key: '%s' does not match the certificate '%s'\n",
                o->tls_key, o->tls_cert);
        goto fail;
    }
    return ctx;
fail:
    print_tls_errors();
    SSL_CTX_free(ctx);
    return NULL;
}

static void accept_connections(echo_server *s)
{
    for (int i = 0; i < ACCEPT_BURST; i++) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                s->accept_paused_until = monotonic_ms() + ACCEPT_PAUSE_MS;
            return; /* EAGAIN, or a connection that died in the backlog */
        }
        int one = 1;
        conn *c = calloc(1, sizeof *c);
        if (s->conn_count == s->conn_capacity) {
            size_t capacity = s->conn_capacity ? s->conn_capacity * 2 : 64;
            conn **grown = realloc(s->conns, capacity * sizeof *grown);
            if (grown) {
                s->conns = grown;
                s->conn_capacity = capacity;
            }
        }
        if (!c || s->conn_count == s->conn_capacity || set_nonblocking(fd) != 0 ||
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
            !(c->head = malloc(HEAD_MAX))) {
            free(c);
            close(fd);
            continue;
        }
        c->server = s;
        c->fd = fd;
        c->phase = PHASE_REQUEST;
        c->deadline = monotonic_ms() + HANDSHAKE_TIMEOUT_MS;
        if (s->tls) {
            c->ssl = SSL_new(s->tls);
            if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
                conn_destroy(c);
                free(c);
                continue;
            }
            SSL_set_accept_state(c->ssl);
            c->phase = PHASE_TLS;
            c->tls_want = POLLIN;
        }
        s->conns[s->conn_count++] = c;
    }
}

static void reap_connections(echo_server *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->conn_count; i++) {
        if (s->conns[i]->dead)
            free(s->conns[i]);
        else
            s->conns[kept++] = s->conns[i];
    }
    s->conn_count = kept;
}

/* Runs until a stop signal; returns 0, or 1 if the loop itself failed. */
static int run_loop(echo_server *s)
{
    for (;;) {
        size_t need = s->conn_count + 2;
        if (need > s->pollfd_capacity) {
            struct pollfd *grown = realloc(s->pollfds, need * 2 * sizeof *grown);
            if (!grown) {
                fprintf(stderr, "wsconform echo: out of memory\n");
                return 1;
            }
            s->pollfds = grown;
            s->pollfd_capacity = need * 2;
        }
        int64_t now = monotonic_ms();
        int64_t wake = -1;
        bool accepting = now >= s->accept_paused_until;
        if (!accepting)
            wake = s->accept_paused_until;
        s->pollfds[0] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
        s->pollfds[1] = (struct pollfd){.fd = accepting ? s->listen_fd : -1, .events = POLLIN};
        size_t polled = s->conn_count;
        for (size_t i = 0; i < polled; i++) {
            conn *c = s->conns[i];
            s->pollfds[i + 2] = (struct pollfd){.fd = c->fd, .events = conn_poll_events(c)};
            if (c->deadline && (wake < 0 || c->deadline < wake))
                wake = c->deadline;
            if (conn_has_buffered_input(c))
                wake = now;
        }
        int timeout = wake < 0 ? -1 : wake <= now ? 0 : (int)(wake - now);
        int n = poll(s->pollfds, polled + 2, timeout);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "wsconform echo: poll: %s\n", strerror(errno));
            return 1;
        }
        if (n < 0)
            continue;
        if (s->pollfds[0].revents)
            return 0;
        if (s->pollfds[1].revents & POLLIN)
            accept_connections(s);
        for (size_t i = 0; i < polled; i++) {
            conn *c = s->conns[i];
            short revents = s->pollfds[i + 2].revents;
            if (revents || conn_has_buffered_input(c))
                conn_handle(c, revents);
        }
        now = monotonic_ms();
        for (size_t i = 0; i < s->conn_count; i++) {
            conn *c = s->conns[i];
            if (!c->dead && c->deadline && now >= c->deadline)
                on_timeout(c);
        }
        reap_connections(s);
    }
}

/* More descriptors than the usual soft limit of 1024 may be needed. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = want;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static uint32_t lenient_bits(uint32_t breaks)
{
    uint32_t bits = 0;
    if (breaks & BREAK_RSV)
        bits |= WS_LENIENT_RSV;
    if (breaks & BREAK_MASKING)
        bits |= WS_LENIENT_MASKING;
    if (breaks & BREAK_OPCODE)
        bits |= WS_LENIENT_OPCODE;
    if (breaks & BREAK_FRAGMENTATION)
        bits |= WS_LENIENT_FRAGMENTATION;
    if (breaks & (BREAK_UTF8 | BREAK_LATE_UTF8))
        bits |= WS_LENIENT_UTF8;
    if (breaks & BREAK_CLOSE_PAYLOAD)
        bits |= WS_LENIENT_CLOSE;
    return bits;
}

int cmd_echo(int argc, char **argv)
{
    echo_server s;
    memset(&s, 0, sizeof s);
    s.listen_fd = s.signal_fd = -1;
    int status = parse_options(argc, argv, &s.options);
    if (status >= 0)
        return status;
    s.lenient = lenient_bits(s.options.breaks);

    if (s.options.tls_cert && !(s.tls = tls_server_context(&s.options)))
        return 2;

    int pipefd[2];
    struct sigaction stop = {.sa_handler = on_stop_signal}, ignore = {.sa_handler = SIG_IGN};
    struct sigaction old_int, old_term, old_pipe;
    if (pipe(pipefd) != 0 || set_nonblocking(pipefd[0]) != 0 || set_nonblocking(pipefd[1]) != 0) {
        fprintf(stderr, "wsconform echo: pipe: %s\n", strerror(errno));
        SSL_CTX_free(s.tls);
        return 1;
    }
    s.signal_fd = pipefd[0];
    signal_pipe_write = pipefd[1];
    sigemptyset(&stop.sa_mask);
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &stop, &old_int);
    sigaction(SIGTERM, &stop, &old_term);
    sigaction(SIGPIPE, &ignore, &old_pipe); /* a peer gone mid-write is an error return */

    raise_fd_limit();
    unsigned port;
    s.listen_fd = open_listener(&s.options, &port);
    s.read_buffer = malloc(READ_CHUNK);
    if (s.listen_fd >= 0 && s.read_buffer) {
        bool v6 = strchr(s.options.host, ':') != NULL;
        printf("listening on %s://%s%s%s:%u/\n", s.tls ? "wss" : "ws", v6 ? "[" : "",
               s.options.host, v6 ? "]" : "", port);
        fflush(stdout);
        status = run_loop(&s);
    } else {
        status = 1;
    }

    for (size_t i = 0; i < s.conn_count; i++) {
        conn_destroy(s.conns[i]);
        free(s.conns[i]);
    }
    free(s.conns);
    free(s.pollfds);
    free(s.read_buffer);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    SSL_CTX_free(s.tls);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    signal_pipe_write = -1;
    close(pipefd[0]);
    close(pipefd[1]);
    return status;
}

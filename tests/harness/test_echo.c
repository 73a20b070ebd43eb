/*
 * The reference echo server, run as a separate process ($WSCONFORM_BIN echo,
 * default build/wsconform) and driven by a small blocking client built on the
 * codec: opening handshake, echo, control frames, the closing handshake, each
 * protocol error, limits, TLS, IPv6, and every --break variant.
 */
#define _DEFAULT_SOURCE /* usleep */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tap.h"
#include "wscodec.h"

enum { EV_TIMEOUT = -9000, EV_IO_ERROR = -9001 };

#define CLIENT_BUFFER 16384
#define DEFAULT_WAIT_MS 5000

static const char *program(void)
{
    const char *bin = getenv("WSCONFORM_BIN");
    return bin && *bin ? bin : "build/wsconform";
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms) { usleep((useconds_t)ms * 1000); }

static void skip(const char *what, const char *why) { ok(1, "%s # SKIP %s", what, why); }

/* ---- the server process ------------------------------------------------- */

typedef struct server {
    pid_t pid;
    unsigned port;
    char line[256];  /* the "listening on" line */
} server;

/* Starts `$WSCONFORM_BIN echo --listen LISTEN args...`; 0 once it listens. */
static int server_start(server *s, const char *listen, const char *const *args)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = program();
    argv[n++] = "echo";
    argv[n++] = "--listen";
    argv[n++] = listen;
    for (size_t i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    memset(s, 0, sizeof *s);
    int out[2];
    if (pipe(out) != 0)
        return -1;
    fflush(stdout);
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    size_t have = 0;
    int64_t deadline = now_ms() + DEFAULT_WAIT_MS;
    while (have < sizeof s->line - 1 && !memchr(s->line, '\n', have)) {
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        int64_t left = deadline - now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t r = read(out[0], s->line + have, sizeof s->line - 1 - have);
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    close(out[0]);
    s->line[have] = '\0';
    char *nl = strchr(s->line, '\n');
    if (!nl) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
        return -1;
    }
    *nl = '\0';
    char *slash = strrchr(s->line, '/');
    char *colon = strrchr(s->line, ':');
    if (!slash || !colon || colon > slash)
        return -1;
    s->port = (unsigned)strtoul(colon + 1, NULL, 10);
    return 0;
}

/* Waits up to ms for the child; its wait status, or -1 if it did not end. */
static int wait_child(pid_t pid, int ms)
{
    int64_t deadline = now_ms() + ms;
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 || now_ms() > deadline)
            break;
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* SIGTERM; returns true if the server exited with status 0. */
static bool server_stop(server *s)
{
    if (s->pid <= 0)
        return false;
    kill(s->pid, SIGTERM);
    int status = wait_child(s->pid, DEFAULT_WAIT_MS);
    s->pid = 0;
    return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Runs `$WSCONFORM_BIN echo args...` expecting it to exit; returns its exit
 * status (-1 if it did not exit) and its stderr in err. */
static int run_expecting_exit(const char *const *args, char *err, size_t cap)
{
    const char *argv[16];
    size_t n = 0;
    argv[n++] = program();
    argv[n++] = "echo";
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t have = 0;
    int64_t deadline = now_ms() + DEFAULT_WAIT_MS;
    for (;;) {
        struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
        int64_t left = deadline - now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        char tmp[512];
        ssize_t r = read(pipefd[0], tmp, sizeof tmp);
        if (r <= 0)
            break;
        size_t take = (size_t)r < cap - 1 - have ? (size_t)r : cap - 1 - have;
        memcpy(err + have, tmp, take);
        have += take;
    }
    err[have] = '\0';
    close(pipefd[0]);
    int status = wait_child(pid, DEFAULT_WAIT_MS);
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- byte strings and frames -------------------------------------------- */

typedef struct bytes {
    uint8_t *data;
    size_t length, capacity;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->length + n > b->capacity) {
        size_t cap = b->capacity ? b->capacity : 256;
        while (cap < b->length + n)
            cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data)
            abort();
        b->capacity = cap;
    }
    if (n)
        memcpy(b->data + b->length, p, n);
    b->length += n;
}

static void bytes_free(bytes *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

typedef struct frame_opts {
    bool more;       /* FIN clear */
    uint8_t rsv;
    bool unmasked;
} frame_opts;

/* Appends one frame, masked as a client must unless told otherwise. */
static void put_frame_opts(bytes *b, uint8_t opcode, const void *payload, size_t length,
                           frame_opts o)
{
    static uint32_t counter = 0x1234567;
    ws_frame_spec spec = {.fin = !o.more, .rsv = o.rsv, .opcode = opcode, .masked = !o.unmasked};
    counter = counter * 1103515245u + 12345u;
    memcpy(spec.mask_key, &counter, 4);
    uint8_t header[WS_FRAME_HEADER_MAX];
    int n = ws_frame_encode_header(&spec, length, header);
    if (n < 0)
        abort();
    put(b, header, (size_t)n);
    size_t at = b->length;
    put(b, payload ? payload : "", length);
    if (spec.masked)
        ws_mask(b->data + at, length, spec.mask_key, 0);
}

static void put_frame(bytes *b, uint8_t opcode, const void *payload, size_t length)
{
    put_frame_opts(b, opcode, payload, length, (frame_opts){0});
}

static void put_close(bytes *b, uint16_t code, const char *reason)
{
    uint8_t payload[256];
    size_t reason_length = reason ? strlen(reason) : 0;
    int n = ws_close_build(code, (const uint8_t *)reason, reason_length, payload, sizeof payload);
    if (n < 0)
        abort();
    put_frame(b, WS_OP_CLOSE, payload, (size_t)n);
}

static uint8_t *pattern(size_t n, uint8_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 31 + (i >> 8));
    return p;
}

/* ---- the client ---------------------------------------------------------- */

typedef struct client {
    int fd;
    SSL *ssl;
    ws_assembler assembler;
    bool assembler_ready;
    uint8_t *buf;
    size_t have, pos;
    char key[WS_HANDSHAKE_KEY_LEN + 1];
    int status;          /* HTTP status of the handshake response */
    int check;           /* ws_handshake_check_response() result */
    char response[2048]; /* the response head, NUL-terminated */
} client;

static int tcp_connect(int family, unsigned port)
{
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static void client_close(client *c)
{
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
    if (c->assembler_ready)
        ws_assembler_free(&c->assembler);
    free(c->buf);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* Connects (and does the TLS handshake when tls is given). */
static bool client_connect(client *c, int family, unsigned port, SSL_CTX *tls)
{
    memset(c, 0, sizeof *c);
    c->buf = malloc(CLIENT_BUFFER);
    c->fd = tcp_connect(family, port);
    if (c->fd < 0)
        return false;
    if (tls) {
        c->ssl = SSL_new(tls);
        SSL_set_fd(c->ssl, c->fd);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), "127.0.0.1");
        if (SSL_connect(c->ssl) != 1) {
            ERR_print_errors_fp(stdout);
            return false;
        }
    }
    return true;
}

static bool send_raw(client *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n;
        if (c->ssl) {
            int r = SSL_write(c->ssl, p, len > INT32_MAX ? INT32_MAX : (int)len);
            n = r > 0 ? r : -1;
        } else {
            n = send(c->fd, p, len, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
        }
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool send_bytes(client *c, const bytes *b) { return send_raw(c, b->data, b->length); }

/* Sends in pieces of chop bytes, each its own write, pausing pause_us. */
static bool send_chopped(client *c, const bytes *b, size_t chop, int pause_us)
{
    for (size_t at = 0; at < b->length; at += chop) {
        size_t n = b->length - at < chop ? b->length - at : chop;
        if (!send_raw(c, b->data + at, n))
            return false;
        if (pause_us)
            usleep((useconds_t)pause_us);
    }
    return true;
}

/* Bytes read into c->buf (after discarding what was consumed), 0 at end of
 * stream, EV_TIMEOUT or EV_IO_ERROR. */
static int fill(client *c, int64_t deadline)
{
    if (c->pos == c->have)
        c->pos = c->have = 0;
    if (c->have == CLIENT_BUFFER) {
        memmove(c->buf, c->buf + c->pos, c->have - c->pos);
        c->have -= c->pos;
        c->pos = 0;
    }
    if (!(c->ssl && SSL_pending(c->ssl) > 0)) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int64_t left = deadline - now_ms();
        if (left < 0)
            left = 0;
        int r = poll(&p, 1, (int)left);
        if (r == 0)
            return EV_TIMEOUT;
        if (r < 0)
            return EV_IO_ERROR;
    }
    ssize_t n;
    if (c->ssl) {
        int r = SSL_read(c->ssl, c->buf + c->have, (int)(CLIENT_BUFFER - c->have));
        if (r <= 0) {
            int e = SSL_get_error(c->ssl, r);
            return e == SSL_ERROR_ZERO_RETURN ? 0 : EV_IO_ERROR;
        }
        n = r;
    } else {
        n = recv(c->fd, c->buf + c->have, CLIENT_BUFFER - c->have, 0);
        if (n < 0)
            return errno == EAGAIN ? EV_TIMEOUT : EV_IO_ERROR;
    }
    c->have += (size_t)n;
    return (int)n;
}

/* Sends a request and reads the response head; the HTTP status, or -1. */
static int http_exchange(client *c, const char *request, size_t length)
{
    if (!send_raw(c, request, length))
        return -1;
    int64_t deadline = now_ms() + DEFAULT_WAIT_MS;
    for (;;) {
        ws_http_header headers[32];
        ws_http_response res = {.headers = headers, .max_headers = 32};
        int r = ws_http_parse_response((const char *)c->buf, c->have, 4096, &res);
        if (r > 0) {
            size_t n = (size_t)r < sizeof c->response - 1 ? (size_t)r : sizeof c->response - 1;
            memcpy(c->response, c->buf, n);
            c->response[n] = '\0';
            c->pos = (size_t)r;
            c->status = res.status;
            return res.status;
        }
        if (r != WS_NEED_MORE || fill(c, deadline) <= 0)
            return -1;
    }
}

static bool response_has(const client *c, const char *line)
{
    return strstr(c->response, line) != NULL;
}

/* A spec for the usual request from this client. */
static ws_handshake_request_spec request_spec(client *c, unsigned port)
{
    ws_handshake_make_key(c->key);
    return (ws_handshake_request_spec){.host = "127.0.0.1", .port = (uint16_t)port, .key = c->key};
}

static void init_client_assembler(client *c, uint32_t lenient)
{
    ws_assembler_config config = {.role = WS_ROLE_CLIENT, .lenient = lenient};
    c->assembler_ready = ws_assembler_init(&c->assembler, &config) == WS_OK;
}

/* Sends spec's request; returns the status and sets c->check. */
static int handshake_with(client *c, const ws_handshake_request_spec *spec, uint32_t lenient)
{
    char request[2048];
    int n = ws_handshake_build_request(spec, request, sizeof request);
    if (n < 0)
        return -1;
    int status = http_exchange(c, request, (size_t)n);
    if (status < 0)
        return -1;
    ws_http_header headers[32];
    ws_http_response res = {.headers = headers, .max_headers = 32};
    ws_http_parse_response(c->response, strlen(c->response), 4096, &res);
    c->check = ws_handshake_check_response(&res, spec, NULL);
    init_client_assembler(c, lenient);
    return status;
}

/* Connects and completes the opening handshake; false on any failure. */
static bool client_open_ex(client *c, int family, unsigned port, SSL_CTX *tls, uint32_t lenient)
{
    if (!client_connect(c, family, port, tls))
        return false;
    ws_handshake_request_spec spec = request_spec(c, port);
    spec.secure = tls != NULL;
    return handshake_with(c, &spec, lenient) == 101 && c->check == WS_OK;
}

static bool client_open(client *c, unsigned port)
{
    return client_open_ex(c, AF_INET, port, NULL, 0);
}

/* 1 with *ev filled (data valid until the next call), 0 at end of stream,
 * EV_TIMEOUT, EV_IO_ERROR, or the assembler's error. */
static int next_event(client *c, ws_event *ev, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        if (c->pos < c->have) {
            ptrdiff_t r = ws_assembler_feed(&c->assembler, c->buf + c->pos, c->have - c->pos, ev);
            if (r < 0)
                return (int)r;
            c->pos += (size_t)r;
            if (ev->type != WS_EVENT_NONE)
                return 1;
        }
        int n = fill(c, deadline);
        if (n <= 0)
            return n;
    }
}

/* Reads until the server ends the stream; ms it took, EV_TIMEOUT if it did
 * not within timeout_ms, EV_IO_ERROR on a reset. Data is discarded. */
static int wait_eof(client *c, int timeout_ms)
{
    int64_t start = now_ms(), deadline = start + timeout_ms;
    for (;;) {
        c->pos = c->have = 0;
        int n = fill(c, deadline);
        if (n == 0)
            return (int)(now_ms() - start);
        if (n < 0)
            return n;
    }
}

static bool is_message(int r, const ws_event *ev, uint8_t opcode, const void *data, size_t len)
{
    return r == 1 && ev->type == WS_EVENT_MESSAGE && ev->opcode == opcode && ev->length == len &&
           (len == 0 || memcmp(ev->data, data, len) == 0);
}

static bool is_control(int r, const ws_event *ev, ws_event_type type, const void *data,
                       size_t len)
{
    return r == 1 && ev->type == type && ev->length == len &&
           (len == 0 || memcmp(ev->data, data, len) == 0);
}

static bool is_close(int r, const ws_event *ev, uint16_t code)
{
    return r == 1 && ev->type == WS_EVENT_CLOSE && ev->close.has_code && ev->close.code == code;
}

static void describe(int r, const ws_event *ev)
{
    if (r != 1)
        tap_diag("     got %s (%d)", r == 0 ? "end of stream" : r == EV_TIMEOUT ? "timeout"
                                                  : r == EV_IO_ERROR      ? "I/O error"
                                                                          : ws_strerror(r),
                 r);
    else
        tap_diag("     got event %d opcode %d length %zu code %d", ev->type, ev->opcode,
                 ev->length, ev->close.has_code ? ev->close.code : -1);
}

/* Sends one message and checks it comes back as one frame of the same type. */
static void check_echo(client *c, uint8_t opcode, size_t length, const char *what)
{
    uint8_t *payload = pattern(length, (uint8_t)length);
    if (opcode == WS_OP_TEXT)
        memset(payload, '*', length);
    bytes b = {0};
    put_frame(&b, opcode, payload, length);
    ws_event ev;
    int r = send_bytes(c, &b) ? next_event(c, &ev, 20000) : EV_IO_ERROR;
    if (!ok(is_message(r, &ev, opcode, payload, length) && ev.frames == 1, "%s", what))
        describe(r, &ev);
    bytes_free(&b);
    free(payload);
}

/* Closes with 1000 from our side and checks the echo and the server's FIN. */
static void check_clean_close(client *c, const char *what)
{
    bytes b = {0};
    put_close(&b, 1000, NULL);
    ws_event ev;
    int r = send_bytes(c, &b) ? next_event(c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    int eof = r == 1 ? wait_eof(c, 1000) : EV_IO_ERROR;
    if (!ok(is_close(r, &ev, 1000) && eof >= 0,
            "%s: Close 1000 answered, then the server closes TCP", what))
        describe(r, &ev);
    bytes_free(&b);
}

/* When the server is expected to end TCP after failing a connection. */
typedef enum fail_end {
    END_AFTER_OUR_CLOSE, /* we answer its Close with ours; it closes at once */
    END_AT_ONCE,         /* the offending frame was our Close already, or it is
                            unfinished, so a Close could not be told apart */
} fail_end;

/* Sends bytes expected to break a rule; checks the Close code and a reason
 * naming the RFC, then when and how the server ends TCP. */
static void check_failure(unsigned port, const bytes *b, uint16_t code, fail_end end,
                          const char *what)
{
    client c;
    if (!client_open(&c, port)) {
        ok(0, "%s: connection", what);
        client_close(&c);
        return;
    }
    ws_event ev;
    int r = send_bytes(&c, b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    bool reason_ok = r == 1 && ev.type == WS_EVENT_CLOSE && ev.close.reason_length >= 9 &&
                     ev.close.reason_length <= 123 &&
                     memcmp(ev.close.reason, "RFC ", 4) == 0;
    if (!ok(is_close(r, &ev, code) && reason_ok, "%s: Close %u with a reason naming the RFC", what,
            code))
        describe(r, &ev);
    if (end != END_AT_ONCE) {
        bytes reply = {0};
        put_close(&reply, 1000, NULL);
        send_bytes(&c, &reply);
        bytes_free(&reply);
    }
    int eof = wait_eof(&c, 3000);
    ok(eof >= 0 && eof < 500, "%s: the server closes TCP %s (%d ms)", what,
       end == END_AT_ONCE ? "at once" : "after our Close", eof);
    client_close(&c);
}

/* ---- the tests ----------------------------------------------------------- */

/* permessage-deflate (RFC 7692): offered, agreed, inflated, echoed compressed. */
static void test_deflate(unsigned port, bool server_accepts)
{
    const char *label = server_accepts ? "permessage-deflate" : "--no-deflate";
    client c;
    bool connected = client_connect(&c, AF_INET, port, NULL);
    ws_handshake_request_spec spec = request_spec(&c, port);
    spec.extensions = "x-unknown, permessage-deflate; client_max_window_bits";
    int status = connected ? handshake_with(&c, &spec, 0) : -1;
    ok(status == 101 && c.check == WS_OK, "%s: 101", label);
    if (!server_accepts) {
        ok(!strstr(c.response, "Sec-WebSocket-Extensions"), "%s: no extension accepted", label);
        client_close(&c);
        return;
    }
    ok(response_has(&c, "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"),
       "%s: the offer is accepted, nothing else", label);

    /* The client inflates what the server sends. */
    ws_inflater inf;
    ws_inflater_config ic = {0};
    ws_inflater_init(&inf, &ic);
    ws_assembler_free(&c.assembler);
    ws_assembler_config ac = {.role = WS_ROLE_CLIENT, .rsv_allowed = WS_RSV1, .inflater = &inf};
    ws_assembler_init(&c.assembler, &ac);

    /* RFC 7692 7.2.3.1 and 7.2.3.2: "Hello", then "Hello" on the shared window. */
    static const uint8_t hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    static const uint8_t hello_again[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
    bytes b = {0};
    put_frame_opts(&b, WS_OP_TEXT, hello, sizeof hello, (frame_opts){.rsv = WS_RSV1});
    put_frame_opts(&b, WS_OP_TEXT, hello_again, sizeof hello_again, (frame_opts){.rsv = WS_RSV1});
    put_frame(&b, WS_OP_BINARY, "plain", 5);
    send_bytes(&c, &b);
    bytes_free(&b);
    static const char *const want[] = {"Hello", "Hello", "plain"};
    for (int i = 0; i < 3; i++) {
        ws_event ev;
        int r = next_event(&c, &ev, DEFAULT_WAIT_MS);
        uint8_t opcode = i < 2 ? WS_OP_TEXT : WS_OP_BINARY;
        if (!ok(is_message(r, &ev, opcode, want[i], 5) && ev.rsv == WS_RSV1,
                "%s: message %d inflated, echoed compressed (RSV1)", label, i + 1))
            describe(r, &ev);
    }
    check_echo(&c, WS_OP_BINARY, 100000, "permessage-deflate: 100000 bytes round trip");
    check_clean_close(&c, label);
    client_close(&c);
    ws_inflater_free(&inf);
}


static void test_arguments(void)
{
    char err[4096];
    static const char *const bad_listen[] = {"--listen", "localhost", NULL};
    ok(run_expecting_exit(bad_listen, err, sizeof err) == 2 && strstr(err, "--listen"),
       "--listen without a port: exit 2 naming --listen");
    static const char *const v6_no_brackets[] = {"--listen", "::1:0", NULL};
    ok(run_expecting_exit(v6_no_brackets, err, sizeof err) == 2 && strstr(err, "--listen"),
       "--listen with an IPv6 address without brackets: exit 2");
    static const char *const bad_port[] = {"--listen", "127.0.0.1:70000", NULL};
    ok(run_expecting_exit(bad_port, err, sizeof err) == 2 && strstr(err, "--listen"),
       "--listen with port 70000: exit 2");
    static const char *const bad_size[] = {"--max-message", "lots", NULL};
    ok(run_expecting_exit(bad_size, err, sizeof err) == 2 && strstr(err, "--max-message"),
       "--max-message lots: exit 2 naming --max-message");
    static const char *const zero_size[] = {"--max-message", "0", NULL};
    ok(run_expecting_exit(zero_size, err, sizeof err) == 2 && strstr(err, "--max-message"),
       "--max-message 0: exit 2");
    static const char *const old_unit[] = {"--max-message", "64M", NULL};
    ok(run_expecting_exit(old_unit, err, sizeof err) == 2 && strstr(err, "'64M'") &&
           strstr(err, "Ki") && strstr(err, "Mi"),
       "--max-message 64M: exit 2 naming the sizes accepted (Ki, Mi)");
    static const char *const bad_break[] = {"--break", "rsv,nonsense", NULL};
    ok(run_expecting_exit(bad_break, err, sizeof err) == 2 && strstr(err, "nonsense") &&
           strstr(err, "no-tcp-close") && strstr(err, "masked-replies"),
       "--break with an unknown name: exit 2 listing the valid names");
    static const char *const unknown[] = {"--frobnicate", NULL};
    ok(run_expecting_exit(unknown, err, sizeof err) == 2 && strstr(err, "--frobnicate"),
       "unknown option: exit 2 naming it");
    static const char *const missing[] = {"--listen", NULL};
    ok(run_expecting_exit(missing, err, sizeof err) == 2 && strstr(err, "--listen"),
       "--listen without its argument: exit 2 naming it");
    static const char *const cert_only[] = {"--tls-cert", "/nonexistent.pem", NULL};
    ok(run_expecting_exit(cert_only, err, sizeof err) == 2 && strstr(err, "--tls-key"),
       "--tls-cert without --tls-key: exit 2");
    static const char *const no_files[] = {"--listen", "127.0.0.1:0", "--tls-cert",
                                           "/nonexistent/cert.pem", "--tls-key",
                                           "/nonexistent/key.pem", NULL};
    ok(run_expecting_exit(no_files, err, sizeof err) == 2 && strstr(err, "--tls-cert"),
       "unreadable certificate: exit 2 naming --tls-cert");
    static const char *const extra[] = {"stray", NULL};
    ok(run_expecting_exit(extra, err, sizeof err) == 2 && strstr(err, "stray"),
       "a stray argument: exit 2");
    static const char *const help[] = {"--help", NULL};
    ok(run_expecting_exit(help, err, sizeof err) == 0, "--help: exit 0");
}

static void test_handshake(unsigned port)
{
    client c;
    /* A valid request that offers a subprotocol and an unknown extension:
     * neither is accepted, so the response must carry neither field. */
    bool connected = client_connect(&c, AF_INET, port, NULL);
    ws_handshake_request_spec spec = request_spec(&c, port);
    spec.protocols = "chat, superchat";
    spec.extensions = "x-unknown; mode=fast";
    int status = connected ? handshake_with(&c, &spec, 0) : -1;
    is_int(status, 101, "handshake: 101 Switching Protocols");
    is_int(c.check, WS_OK, "handshake: Upgrade, Connection and the right Sec-WebSocket-Accept");
    ok(!strstr(c.response, "Sec-WebSocket-Protocol") &&
           !strstr(c.response, "Sec-WebSocket-Extensions"),
       "handshake: no subprotocol and no extension accepted");
    check_echo(&c, WS_OP_TEXT, 5, "handshake: the connection echoes");
    client_close(&c);

    static const char missing_key[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                      "Sec-WebSocket-Version: 13\r\n\r\n";
    client_connect(&c, AF_INET, port, NULL);
    is_int(http_exchange(&c, missing_key, sizeof missing_key - 1), 400,
           "missing Sec-WebSocket-Key: 400");
    ok(wait_eof(&c, 3000) >= 0, "missing Sec-WebSocket-Key: the server closes the connection");
    client_close(&c);

    client_connect(&c, AF_INET, port, NULL);
    spec = request_spec(&c, port);
    spec.version = "8";
    is_int(handshake_with(&c, &spec, 0), 426, "Sec-WebSocket-Version: 8: 426");
    ok(response_has(&c, "\r\nSec-WebSocket-Version: 13\r\n"),
       "Sec-WebSocket-Version: 8: the 426 names version 13");
    ok(wait_eof(&c, 3000) >= 0, "Sec-WebSocket-Version: 8: the server closes the connection");
    client_close(&c);

    static const char post[] = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n";
    client_connect(&c, AF_INET, port, NULL);
    is_int(http_exchange(&c, post, sizeof post - 1), 405, "POST: 405");
    ok(response_has(&c, "\r\nAllow: GET\r\n"), "POST: the 405 allows GET");
    client_close(&c);

    /* A head over 8 KiB. */
    bytes big = {0};
    static const char start[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    put(&big, start, sizeof start - 1);
    for (int i = 0; i < 100; i++) {
        char line[128];
        int n = snprintf(line, sizeof line, "X-Filler-%03d: %080d\r\n", i, i);
        put(&big, line, (size_t)n);
    }
    put(&big, "\r\n", 2);
    client_connect(&c, AF_INET, port, NULL);
    is_int(http_exchange(&c, (const char *)big.data, big.length), 431, "head over 8 KiB: 431");
    client_close(&c);
    bytes_free(&big);

    /* Frames sent in the same write as the request are kept. */
    client_connect(&c, AF_INET, port, NULL);
    spec = request_spec(&c, port);
    char request[1024];
    int n = ws_handshake_build_request(&spec, request, sizeof request);
    bytes both = {0};
    put(&both, request, (size_t)n);
    put_frame(&both, WS_OP_TEXT, "early", 5);
    put_frame(&both, WS_OP_PING, "p", 1);
    status = http_exchange(&c, (const char *)both.data, both.length);
    is_int(status, 101, "frames with the request: 101");
    init_client_assembler(&c, 0);
    ws_event ev;
    int r = next_event(&c, &ev, DEFAULT_WAIT_MS);
    ok(is_message(r, &ev, WS_OP_TEXT, "early", 5), "frames with the request: text echoed");
    r = next_event(&c, &ev, DEFAULT_WAIT_MS);
    ok(is_control(r, &ev, WS_EVENT_PONG, "p", 1), "frames with the request: ping answered");
    client_close(&c);
    bytes_free(&both);
}

static void test_echo(unsigned port)
{
    client c;
    if (!ok(client_open(&c, port), "echo: connection opened")) {
        client_close(&c);
        return;
    }
    static const size_t sizes[] = {0, 125, 126, 127, 65535, 65536};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "text of %zu bytes echoed", sizes[i]);
        check_echo(&c, WS_OP_TEXT, sizes[i], what);
        snprintf(what, sizeof what, "binary of %zu bytes echoed", sizes[i]);
        check_echo(&c, WS_OP_BINARY, sizes[i], what);
    }
    check_echo(&c, WS_OP_BINARY, 16u << 20, "binary of 16 MiB echoed");
    check_echo(&c, WS_OP_TEXT, 16u << 20, "text of 16 MiB echoed");

    /* 1 MiB text in 997-byte writes. */
    size_t len = 1u << 20;
    uint8_t *text = malloc(len);
    memset(text, 'x', len);
    bytes b = {0};
    put_frame(&b, WS_OP_TEXT, text, len);
    ws_event ev;
    int r = send_chopped(&c, &b, 997, 0) ? next_event(&c, &ev, 20000) : EV_IO_ERROR;
    ok(is_message(r, &ev, WS_OP_TEXT, text, len), "1 MiB text written in 997-byte pieces echoed");
    bytes_free(&b);
    free(text);

    /* Fragmented: empty first and last fragments around a middle one. */
    put_frame_opts(&b, WS_OP_TEXT, "", 0, (frame_opts){.more = true});
    put_frame_opts(&b, WS_OP_CONTINUATION, "middle frame payload", 20, (frame_opts){.more = true});
    put_frame(&b, WS_OP_CONTINUATION, "", 0);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_message(r, &ev, WS_OP_TEXT, "middle frame payload", 20) && ev.frames == 1,
       "three text fragments echoed as one frame");
    bytes_free(&b);

    /* 65536 binary bytes in 1300-byte fragments. */
    uint8_t *data = pattern(65536, 9);
    for (size_t at = 0; at < 65536; at += 1300) {
        size_t n = 65536 - at < 1300 ? 65536 - at : 1300;
        put_frame_opts(&b, at ? WS_OP_CONTINUATION : WS_OP_BINARY, data + at, n,
                       (frame_opts){.more = at + n < 65536});
    }
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_message(r, &ev, WS_OP_BINARY, data, 65536) && ev.frames == 1,
       "binary in 51 fragments echoed as one frame");
    bytes_free(&b);
    free(data);

    /* Trickled byte by byte, fragments ending inside code points. */
    static const char utf8[] =
        "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!";
    size_t ulen = sizeof utf8 - 1;
    put_frame(&b, WS_OP_TEXT, utf8, ulen);
    r = send_chopped(&c, &b, 1, 1000) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_message(r, &ev, WS_OP_TEXT, utf8, ulen), "text trickled one byte per write echoed");
    bytes_free(&b);
    for (size_t i = 0; i < ulen; i++)
        put_frame_opts(&b, i ? WS_OP_CONTINUATION : WS_OP_TEXT, utf8 + i, 1,
                       (frame_opts){.more = i + 1 < ulen});
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_message(r, &ev, WS_OP_TEXT, utf8, ulen), "text in 1-byte fragments echoed");
    bytes_free(&b);

    /* Pings. */
    put_frame(&b, WS_OP_PING, NULL, 0);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_control(r, &ev, WS_EVENT_PONG, NULL, 0), "empty ping: empty pong");
    bytes_free(&b);
    uint8_t ping[125];
    memset(ping, 0xfe, sizeof ping);
    put_frame(&b, WS_OP_PING, ping, sizeof ping);
    r = send_chopped(&c, &b, 1, 200) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_control(r, &ev, WS_EVENT_PONG, ping, sizeof ping),
       "125-byte ping trickled byte by byte: pong with the same payload");
    bytes_free(&b);
    for (int i = 0; i < 10; i++) {
        char p[16];
        int n = snprintf(p, sizeof p, "payload-%d", i);
        put_frame(&b, WS_OP_PING, p, (size_t)n);
    }
    bool all = send_bytes(&c, &b);
    for (int i = 0; i < 10 && all; i++) {
        char p[16];
        int n = snprintf(p, sizeof p, "payload-%d", i);
        all = is_control(next_event(&c, &ev, DEFAULT_WAIT_MS), &ev, WS_EVENT_PONG, p, (size_t)n);
    }
    ok(all, "10 pings back to back: 10 pongs in order");
    bytes_free(&b);

    /* A ping in the middle of a fragmented message is answered first. */
    put_frame_opts(&b, WS_OP_TEXT, "fragment1", 9, (frame_opts){.more = true});
    put_frame(&b, WS_OP_PING, "ping payload", 12);
    put_frame(&b, WS_OP_CONTINUATION, "fragment2", 9);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_control(r, &ev, WS_EVENT_PONG, "ping payload", 12),
       "ping inside a fragmented message: pong first");
    r = next_event(&c, &ev, DEFAULT_WAIT_MS);
    ok(is_message(r, &ev, WS_OP_TEXT, "fragment1fragment2", 18),
       "ping inside a fragmented message: then the message");
    bytes_free(&b);

    /* An unsolicited pong is ignored. */
    put_frame(&b, WS_OP_PONG, "unsolicited", 11);
    put_frame(&b, WS_OP_PING, "ping", 4);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_control(r, &ev, WS_EVENT_PONG, "ping", 4), "unsolicited pong ignored");
    bytes_free(&b);

    check_clean_close(&c, "echo");
    client_close(&c);
}

static void test_close(unsigned port)
{
    client c;
    ws_event ev;
    bytes b = {0};
    int r;

    static const struct {
        uint16_t code;
        const char *reason;
    } valid[] = {{1000, NULL}, {1001, "going"}, {3000, NULL}, {4999, "Hello World!"}};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        client_open(&c, port);
        put_close(&b, valid[i].code, valid[i].reason);
        r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
        if (!ok(is_close(r, &ev, valid[i].code) && ev.length == 2,
                "Close %u: answered with the same code", valid[i].code))
            describe(r, &ev);
        int eof = wait_eof(&c, 2000);
        ok(eof >= 0 && eof < 500, "Close %u: then the server closes TCP (%d ms)", valid[i].code,
           eof);
        client_close(&c);
        bytes_free(&b);
    }

    client_open(&c, port);
    put_frame(&b, WS_OP_CLOSE, NULL, 0);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(r == 1 && ev.type == WS_EVENT_CLOSE && ev.length == 0,
       "empty Close: answered with an empty Close");
    ok(wait_eof(&c, 2000) >= 0, "empty Close: then the server closes TCP");
    client_close(&c);
    bytes_free(&b);

    /* Nothing is processed after a Close. */
    client_open(&c, port);
    put_close(&b, 1000, NULL);
    put_frame(&b, WS_OP_TEXT, "after close", 11);
    put_frame(&b, WS_OP_PING, "after close", 11);
    put_close(&b, 1000, NULL);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_close(r, &ev, 1000), "Close then text, ping, Close: only the Close is answered");
    r = next_event(&c, &ev, 2000);
    is_int(r, 0, "Close then text, ping, Close: nothing else, then end of stream");
    client_close(&c);
    bytes_free(&b);

    /* A Close in the middle of a fragmented message. */
    client_open(&c, port);
    put_frame_opts(&b, WS_OP_TEXT, "fragment1", 9, (frame_opts){.more = true});
    put_close(&b, 1000, NULL);
    put_frame(&b, WS_OP_CONTINUATION, "fragment2", 9);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_close(r, &ev, 1000), "Close inside a fragmented message: answered with 1000");
    ok(wait_eof(&c, 2000) >= 0, "Close inside a fragmented message: then the server closes TCP");
    client_close(&c);
    bytes_free(&b);

    /* Invalid Close payloads: the offending frame is the peer's Close. */
    put_close(&b, 1005, NULL);
    check_failure(port, &b, 1002, END_AT_ONCE, "Close code 1005");
    bytes_free(&b);
    put_close(&b, 999, NULL);
    check_failure(port, &b, 1002, END_AT_ONCE, "Close code 999");
    bytes_free(&b);
    put_close(&b, 1004, NULL);
    check_failure(port, &b, 1002, END_AT_ONCE, "Close code 1004");
    bytes_free(&b);
    put_frame(&b, WS_OP_CLOSE, "a", 1);
    check_failure(port, &b, 1002, END_AT_ONCE, "one-byte Close payload");
    bytes_free(&b);
    put_close(&b, 1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80" "edited");
    check_failure(port, &b, 1007, END_AT_ONCE, "Close reason not UTF-8");
    bytes_free(&b);
    char reason[125];
    memset(reason, 'r', 124);
    reason[124] = '\0';
    put_close(&b, 1000, reason);
    check_failure(port, &b, 1002, END_AT_ONCE, "Close payload of 126 bytes");
    bytes_free(&b);
}

static void test_protocol_errors(unsigned port)
{
    bytes b = {0};
    put_frame_opts(&b, WS_OP_TEXT, "Hello, world!", 13, (frame_opts){.rsv = WS_RSV1});
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "RSV1 without an extension");
    bytes_free(&b);
    put_frame_opts(&b, WS_OP_BINARY, "\x00\xff", 2, (frame_opts){.rsv = WS_RSV2 | WS_RSV3});
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "RSV2|RSV3 on binary");
    bytes_free(&b);
    put_frame(&b, 3, NULL, 0);
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "reserved data opcode 3");
    bytes_free(&b);
    put_frame(&b, 11, "payload", 7);
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "reserved control opcode 11");
    bytes_free(&b);
    put_frame_opts(&b, WS_OP_TEXT, "unmasked", 8, (frame_opts){.unmasked = true});
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "unmasked frame");
    bytes_free(&b);
    put_frame_opts(&b, WS_OP_PING, "fragment1", 9, (frame_opts){.more = true});
    put_frame(&b, WS_OP_CONTINUATION, "fragment2", 9);
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "fragmented ping");
    bytes_free(&b);
    uint8_t big_ping[126];
    memset(big_ping, 0xfe, sizeof big_ping);
    put_frame(&b, WS_OP_PING, big_ping, sizeof big_ping);
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "ping of 126 bytes");
    bytes_free(&b);
    put_frame(&b, WS_OP_CONTINUATION, "fragment1", 9);
    put_frame(&b, WS_OP_TEXT, "text", 4);
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "continuation without a start");
    bytes_free(&b);
    put_frame_opts(&b, WS_OP_TEXT, "fragment1", 9, (frame_opts){.more = true});
    put_frame(&b, WS_OP_TEXT, "fragment2", 9);
    check_failure(port, &b, 1002, END_AFTER_OUR_CLOSE, "new text frame inside a message");
    bytes_free(&b);
    static const char bad_utf8[] =
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80" "edited";
    put_frame(&b, WS_OP_TEXT, bad_utf8, sizeof bad_utf8 - 1);
    check_failure(port, &b, 1007, END_AFTER_OUR_CLOSE, "text with a UTF-16 surrogate");
    bytes_free(&b);
    put_frame(&b, WS_OP_TEXT, "\xc0\xaf", 2);
    check_failure(port, &b, 1007, END_AFTER_OUR_CLOSE, "text with an overlong '/'");
    bytes_free(&b);
    put_frame(&b, WS_OP_TEXT, "\xce", 1);
    check_failure(port, &b, 1007, END_AFTER_OUR_CLOSE, "text ending inside a code point");
    bytes_free(&b);
    /* A 64-bit length with its most significant bit set (RFC 6455 5.2). */
    static const uint8_t msb[] = {0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
    put(&b, msb, sizeof msb);
    check_failure(port, &b, 1002, END_AT_ONCE, "64-bit length with its top bit set");
    bytes_free(&b);

    /* Invalid UTF-8 inside a frame whose end has not arrived: the frame's
     * end, and so a Close after it, cannot be trusted (6.4.3). */
    static const uint8_t part[] = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80";
    ws_frame_spec spec = {.fin = true, .opcode = WS_OP_TEXT, .masked = true,
                          .mask_key = {1, 2, 3, 4}};
    uint8_t header[WS_FRAME_HEADER_MAX];
    int hn = ws_frame_encode_header(&spec, 21, header);
    put(&b, header, (size_t)hn);
    size_t at = b.length;
    put(&b, part, sizeof part - 1);
    ws_mask(b.data + at, sizeof part - 1, spec.mask_key, 0);
    check_failure(port, &b, 1007, END_AT_ONCE, "invalid UTF-8 in an unfinished frame");
    bytes_free(&b);

    /* A valid message before the bad frame is echoed first (3.2). */
    client c;
    client_open(&c, port);
    put_frame(&b, WS_OP_TEXT, "Hello, world!", 13);
    put_frame_opts(&b, WS_OP_TEXT, "Hello, world!", 13, (frame_opts){.rsv = WS_RSV2});
    put_frame(&b, WS_OP_PING, NULL, 0);
    ws_event ev;
    int r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_message(r, &ev, WS_OP_TEXT, "Hello, world!", 13),
       "text, bad RSV, ping: the text is echoed");
    r = next_event(&c, &ev, DEFAULT_WAIT_MS);
    ok(is_close(r, &ev, 1002), "text, bad RSV, ping: then Close 1002 and no pong");
    /* Without our Close, the server waits about a second, then closes. */
    int eof = wait_eof(&c, 4000);
    ok(eof >= 700 && eof <= 2500,
       "no Close from the client: the server closes TCP after about 1 s (%d ms)", eof);
    client_close(&c);
    bytes_free(&b);

    /* Invalid UTF-8 fails fast: before the message is complete. */
    client_open(&c, port);
    put_frame_opts(&b, WS_OP_TEXT, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11,
                   (frame_opts){.more = true});
    put_frame_opts(&b, WS_OP_CONTINUATION, "\xf4\x90\x80\x80", 4, (frame_opts){.more = true});
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_close(r, &ev, 1007), "invalid UTF-8 in an unfinished message: Close 1007 at once");
    client_close(&c);
    bytes_free(&b);

    /* A peer that drops TCP after our Close. */
    client_open(&c, port);
    put_frame(&b, 3, NULL, 0);
    r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_close(r, &ev, 1002), "reserved opcode, then the client drops TCP: Close 1002");
    client_close(&c);
    bytes_free(&b);
}

static void test_no_deflate(void)
{
    server s;
    static const char *const args[] = {"--no-deflate", NULL};
    if (!ok(server_start(&s, "127.0.0.1:0", args) == 0, "--no-deflate: server started"))
        return;
    test_deflate(s.port, false);
    ok(server_stop(&s), "--no-deflate: server exits 0 on SIGTERM");
}

static void test_max_message(void)
{
    server s;
    static const char *const args[] = {"--max-message", "1000", NULL};
    if (!ok(server_start(&s, "127.0.0.1:0", args) == 0, "--max-message 1000: server started"))
        return;
    client c;
    client_open(&c, s.port);
    check_echo(&c, WS_OP_BINARY, 1000, "--max-message 1000: 1000 bytes echoed");
    check_clean_close(&c, "--max-message 1000");
    client_close(&c);
    bytes b = {0};
    uint8_t *data = pattern(1001, 1);
    put_frame(&b, WS_OP_BINARY, data, 1001);
    check_failure(s.port, &b, 1009, END_AFTER_OUR_CLOSE,
                  "--max-message 1000: 1001 bytes in one frame");
    bytes_free(&b);
    put_frame_opts(&b, WS_OP_BINARY, data, 600, (frame_opts){.more = true});
    put_frame(&b, WS_OP_CONTINUATION, data + 600, 401);
    check_failure(s.port, &b, 1009, END_AFTER_OUR_CLOSE,
                  "--max-message 1000: 1001 bytes in two fragments");
    bytes_free(&b);
    /* A huge declared length fails before its payload arrives. */
    static const uint8_t huge[] = {0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
    put(&b, huge, sizeof huge);
    check_failure(s.port, &b, 1009, END_AT_ONCE, "--max-message 1000: a frame announcing 4 GiB");
    bytes_free(&b);
    free(data);
    ok(server_stop(&s), "--max-message 1000: server exits 0 on SIGTERM");
}

/* Sizes as the case language writes them: 1Ki is 1024 bytes. */
static void test_max_message_units(void)
{
    server s;
    static const char *const args[] = {"--max-message", "1Ki", NULL};
    if (!ok(server_start(&s, "127.0.0.1:0", args) == 0, "--max-message 1Ki: server started"))
        return;
    client c;
    client_open(&c, s.port);
    check_echo(&c, WS_OP_BINARY, 1024, "--max-message 1Ki: 1024 bytes echoed");
    check_clean_close(&c, "--max-message 1Ki");
    client_close(&c);
    bytes b = {0};
    uint8_t *data = pattern(1025, 1);
    put_frame(&b, WS_OP_BINARY, data, 1025);
    check_failure(s.port, &b, 1009, END_AFTER_OUR_CLOSE, "--max-message 1Ki: 1025 bytes");
    bytes_free(&b);
    free(data);
    ok(server_stop(&s), "--max-message 1Ki: server exits 0 on SIGTERM");
}

/* A client that writes without reading: the server must stop reading it
 * rather than queue unbounded output, and keep serving others. */
static void test_backpressure(unsigned port)
{
    client slow, other;
    client_open(&slow, port);
    int flags = fcntl(slow.fd, F_GETFL);
    fcntl(slow.fd, F_SETFL, flags | O_NONBLOCK);
    size_t message = 256 * 1024, total = 256u << 20, sent = 0;
    uint8_t *data = pattern(message, 3);
    bytes frame = {0};
    put_frame(&frame, WS_OP_BINARY, data, message);
    size_t frame_at = 0, frames_sent = 0;
    bool blocked = false;
    int64_t deadline = now_ms() + 20000;
    while (sent < total && now_ms() < deadline) {
        ssize_t n = send(slow.fd, frame.data + frame_at, frame.length - frame_at, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* Give the server time to drain what the kernel holds. */
            struct pollfd p = {.fd = slow.fd, .events = POLLOUT};
            if (poll(&p, 1, 500) == 0) {
                blocked = true;
                break;
            }
            continue;
        }
        if (n <= 0)
            break;
        sent += (size_t)n;
        frame_at += (size_t)n;
        if (frame_at == frame.length) {
            frame_at = 0;
            frames_sent++;
        }
    }
    ok(blocked, "a client that does not read is no longer read from (stalled after %zu MiB)",
       sent >> 20);
    ok(client_open(&other, port), "meanwhile another client connects");
    check_echo(&other, WS_OP_TEXT, 10, "meanwhile another client is echoed");
    check_clean_close(&other, "meanwhile another client");
    client_close(&other);

    /* Now read everything back while finishing the last frame: still
     * non-blocking, since the server reads again only as we read. */
    bool echoes_ok = true;
    size_t echoes = 0;
    size_t expected = frames_sent + (frame_at ? 1 : 0);
    deadline = now_ms() + 30000;
    while (echoes_ok && echoes < expected && now_ms() < deadline) {
        if (frame_at) {
            ssize_t n = send(slow.fd, frame.data + frame_at, frame.length - frame_at, MSG_NOSIGNAL);
            if (n > 0)
                frame_at = (frame_at + (size_t)n) % frame.length;
        }
        ws_event ev;
        int r = next_event(&slow, &ev, 100);
        if (r == EV_TIMEOUT)
            continue;
        echoes_ok = is_message(r, &ev, WS_OP_BINARY, data, message);
        echoes += echoes_ok;
    }
    fcntl(slow.fd, F_SETFL, flags);
    ok(echoes_ok && echoes == expected, "the stalled client then gets all %zu echoes (%zu)",
       expected, echoes);
    check_clean_close(&slow, "the stalled client");
    client_close(&slow);
    bytes_free(&frame);
    free(data);
}

static void test_many_connections(unsigned port)
{
    enum { COUNT = 520 };
    client *cs = calloc(COUNT, sizeof *cs);
    int opened = 0;
    for (int i = 0; i < COUNT; i++) {
        if (!client_connect(&cs[i], AF_INET, port, NULL))
            break;
        opened++;
    }
    /* All connected before any handshake: the server holds them at once. */
    int upgraded = 0;
    for (int i = 0; i < opened; i++) {
        ws_handshake_request_spec spec = request_spec(&cs[i], port);
        if (handshake_with(&cs[i], &spec, 0) == 101 && cs[i].check == WS_OK)
            upgraded++;
    }
    int echoed = 0;
    for (int i = 0; i < opened; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "connection %d", i);
        bytes b = {0};
        put_frame(&b, WS_OP_TEXT, text, (size_t)n);
        send_bytes(&cs[i], &b);
        bytes_free(&b);
    }
    for (int i = 0; i < opened; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "connection %d", i);
        ws_event ev;
        echoed += is_message(next_event(&cs[i], &ev, DEFAULT_WAIT_MS), &ev, WS_OP_TEXT, text,
                             (size_t)n);
    }
    is_int(upgraded, COUNT, "%d concurrent connections upgraded", COUNT);
    is_int(echoed, COUNT, "%d concurrent connections echoed", COUNT);
    for (int i = 0; i < COUNT; i++)
        client_close(&cs[i]);
    free(cs);
}

static void test_ipv6(void)
{
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
    bool have_v6 = probe >= 0 && bind(probe, (struct sockaddr *)&a, sizeof a) == 0;
    if (probe >= 0)
        close(probe);
    if (!have_v6) {
        for (int i = 0; i < 4; i++)
            skip("IPv6", "no IPv6 loopback on this machine");
        return;
    }
    server s;
    ok(server_start(&s, "[::1]:0", NULL) == 0 &&
           strncmp(s.line, "listening on ws://[::1]:", 24) == 0,
       "IPv6: listening on ws://[::1]:PORT/ (%s)", s.line);
    client c;
    ok(client_open_ex(&c, AF_INET6, s.port, NULL, 0), "IPv6: handshake");
    check_echo(&c, WS_OP_TEXT, 100, "IPv6: echo");
    client_close(&c);
    ok(server_stop(&s), "IPv6: server exits 0 on SIGTERM");
}

static bool command_exists(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static void test_tls(void)
{
    enum { TLS_TESTS = 9 };
    if (!command_exists("openssl")) {
        for (int i = 0; i < TLS_TESTS; i++)
            skip("TLS", "the openssl command is not installed, so no test certificate");
        return;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/wsconform-echo-tls-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        for (int i = 0; i < TLS_TESTS; i++)
            skip("TLS", "cannot create a temporary directory");
        return;
    }
    char cert[300], key[300], cmd[1024];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout %s -out %s -days 1 -subj /CN=localhost "
             "-addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1",
             key, cert);
    if (!ok(system(cmd) == 0, "TLS: throwaway self-signed certificate generated")) {
        for (int i = 1; i < TLS_TESTS; i++)
            skip("TLS", "no certificate");
        return;
    }
    server s;
    const char *args[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    ok(server_start(&s, "127.0.0.1:0", args) == 0 &&
           strncmp(s.line, "listening on wss://127.0.0.1:", 29) == 0,
       "TLS: listening on wss://127.0.0.1:PORT/ (%s)", s.line);

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, cert, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    client c;
    ok(client_open_ex(&c, AF_INET, s.port, ctx, 0),
       "TLS: verified TLS handshake and WebSocket handshake");
    const char *version = c.ssl ? SSL_get_version(c.ssl) : "";
    ok(strcmp(version, "TLSv1.2") == 0 || strcmp(version, "TLSv1.3") == 0,
       "TLS: TLS 1.2 or later (%s)", version);
    check_echo(&c, WS_OP_TEXT, 13, "TLS: text echoed");
    check_echo(&c, WS_OP_BINARY, 4u << 20, "TLS: 4 MiB binary echoed");
    bytes b = {0};
    put_frame(&b, WS_OP_PING, "tls ping", 8);
    ws_event ev;
    int r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
    ok(is_control(r, &ev, WS_EVENT_PONG, "tls ping", 8), "TLS: ping answered");
    bytes_free(&b);
    check_clean_close(&c, "TLS");
    client_close(&c);
    SSL_CTX_free(ctx);
    ok(server_stop(&s), "TLS: server exits 0 on SIGTERM");
    unlink(cert);
    unlink(key);
    rmdir(dir);
}

/* Starts a server with --break=name; false (after a failed assertion) if not. */
static bool start_broken(server *s, const char *name)
{
    char arg[64];
    snprintf(arg, sizeof arg, "--break=%s", name);
    const char *args[] = {arg, NULL};
    return ok(server_start(s, "127.0.0.1:0", args) == 0, "--break=%s: server started", name);
}

static void stop_broken(server *s, const char *name)
{
    ok(server_stop(s), "--break=%s: server exits 0 on SIGTERM", name);
}

/* Sends b on a fresh connection (lenient client) and returns the first event. */
static int first_event(unsigned port, const bytes *b, uint32_t lenient, client *c, ws_event *ev,
                       int timeout_ms)
{
    if (!client_open_ex(c, AF_INET, port, NULL, lenient))
        return EV_IO_ERROR;
    return send_bytes(c, b) ? next_event(c, ev, timeout_ms) : EV_IO_ERROR;
}

static void test_broken_frames(void)
{
    server s;
    client c;
    ws_event ev;
    bytes b = {0};
    int r;

    if (start_broken(&s, "rsv")) {
        put_frame_opts(&b, WS_OP_TEXT, "rsv", 3, (frame_opts){.rsv = WS_RSV1});
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "rsv", 3), "--break=rsv: RSV1 text echoed");
        client_close(&c);
        bytes_free(&b);
        put_frame_opts(&b, WS_OP_TEXT, "unmasked", 8, (frame_opts){.unmasked = true});
        check_failure(s.port, &b, 1002, END_AFTER_OUR_CLOSE, "--break=rsv: unmasked frame still");
        bytes_free(&b);
        stop_broken(&s, "rsv");
    }

    if (start_broken(&s, "masking")) {
        put_frame_opts(&b, WS_OP_TEXT, "unmasked", 8, (frame_opts){.unmasked = true});
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "unmasked", 8), "--break=masking: unmasked text echoed");
        check_echo(&c, WS_OP_BINARY, 300, "--break=masking: masked binary still echoed");
        check_clean_close(&c, "--break=masking");
        client_close(&c);
        bytes_free(&b);
        stop_broken(&s, "masking");
    }

    if (start_broken(&s, "opcode")) {
        put_frame(&b, 3, "reserved", 8);
        put_frame(&b, WS_OP_TEXT, "after", 5);
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "after", 5),
           "--break=opcode: reserved opcode skipped, next text echoed");
        client_close(&c);
        bytes_free(&b);
        put_frame_opts(&b, WS_OP_TEXT, "x", 1, (frame_opts){.rsv = WS_RSV1});
        check_failure(s.port, &b, 1002, END_AFTER_OUR_CLOSE, "--break=opcode: RSV1 still");
        bytes_free(&b);
        stop_broken(&s, "opcode");
    }

    if (start_broken(&s, "fragmentation")) {
        put_frame(&b, WS_OP_CONTINUATION, "stray", 5);
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_BINARY, "stray", 5),
           "--break=fragmentation: stray continuation echoed");
        bytes_free(&b);
        put_frame_opts(&b, WS_OP_TEXT, "frag", 4, (frame_opts){.more = true});
        put_frame(&b, WS_OP_CONTINUATION, "mented", 6);
        r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
        ok(is_message(r, &ev, WS_OP_TEXT, "fragmented", 10),
           "--break=fragmentation: a proper fragmented message still echoed");
        client_close(&c);
        bytes_free(&b);
        stop_broken(&s, "fragmentation");
    }

    if (start_broken(&s, "utf8")) {
        put_frame(&b, WS_OP_TEXT, "\xc0\xaf", 2);
        r = first_event(s.port, &b, WS_LENIENT_UTF8, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "\xc0\xaf", 2),
           "--break=utf8: invalid UTF-8 text echoed instead of Close 1007");
        client_close(&c);
        bytes_free(&b);
        put_close(&b, 1000, "\xc0\xaf");
        check_failure(s.port, &b, 1007, END_AT_ONCE, "--break=utf8: invalid Close reason still");
        bytes_free(&b);
        stop_broken(&s, "utf8");
    }

    if (start_broken(&s, "late-utf8")) {
        put_frame_opts(&b, WS_OP_TEXT, "ok \xf4\x90\x80\x80", 7, (frame_opts){.more = true});
        r = first_event(s.port, &b, 0, &c, &ev, 500);
        is_int(r, EV_TIMEOUT, "--break=late-utf8: no Close while the bad message is unfinished");
        bytes_free(&b);
        put_frame(&b, WS_OP_CONTINUATION, "end", 3);
        r = send_bytes(&c, &b) ? next_event(&c, &ev, DEFAULT_WAIT_MS) : EV_IO_ERROR;
        ok(is_close(r, &ev, 1007), "--break=late-utf8: Close 1007 once the message is complete");
        client_close(&c);
        bytes_free(&b);
        stop_broken(&s, "late-utf8");
    }

    if (start_broken(&s, "close-payload")) {
        put_close(&b, 999, NULL);
        r = first_event(s.port, &b, WS_LENIENT_CLOSE, &c, &ev, DEFAULT_WAIT_MS);
        ok(r == 1 && ev.type == WS_EVENT_CLOSE && ev.length == 2 && ev.data[0] == 999 >> 8 &&
               ev.data[1] == (999 & 0xff),
           "--break=close-payload: Close 999 echoed instead of 1002");
        client_close(&c);
        bytes_free(&b);
        put_frame(&b, WS_OP_CLOSE, "a", 1);
        r = first_event(s.port, &b, WS_LENIENT_CLOSE, &c, &ev, DEFAULT_WAIT_MS);
        ok(r == 1 && ev.type == WS_EVENT_CLOSE && ev.length == 1,
           "--break=close-payload: one-byte Close payload echoed");
        client_close(&c);
        bytes_free(&b);
        put_frame(&b, 3, NULL, 0);
        check_failure(s.port, &b, 1002, END_AFTER_OUR_CLOSE,
                      "--break=close-payload: reserved opcode still");
        bytes_free(&b);
        stop_broken(&s, "close-payload");
    }
}

static void test_broken_behaviour(void)
{
    server s;
    client c;
    ws_event ev;
    bytes b = {0};
    int r;

    if (start_broken(&s, "no-pong")) {
        put_frame(&b, WS_OP_PING, "ping", 4);
        put_frame(&b, WS_OP_TEXT, "text", 4);
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "text", 4),
           "--break=no-pong: ping unanswered, text echoed");
        check_clean_close(&c, "--break=no-pong");
        client_close(&c);
        bytes_free(&b);
        stop_broken(&s, "no-pong");
    }

    if (start_broken(&s, "no-close-reply")) {
        put_frame(&b, WS_OP_TEXT, "text", 4);
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "text", 4), "--break=no-close-reply: text echoed");
        bytes_free(&b);
        put_close(&b, 1000, NULL);
        r = send_bytes(&c, &b) ? next_event(&c, &ev, 1000) : EV_IO_ERROR;
        is_int(r, EV_TIMEOUT, "--break=no-close-reply: Close unanswered, connection left open");
        client_close(&c);
        bytes_free(&b);
        stop_broken(&s, "no-close-reply");
    }

    if (start_broken(&s, "no-tcp-close")) {
        put_close(&b, 1000, NULL);
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_close(r, &ev, 1000), "--break=no-tcp-close: Close 1000 answered");
        is_int(wait_eof(&c, 1500), EV_TIMEOUT,
               "--break=no-tcp-close: but the server does not close TCP");
        client_close(&c);
        bytes_free(&b);
        stop_broken(&s, "no-tcp-close");
    }

    if (start_broken(&s, "wrong-accept")) {
        client_connect(&c, AF_INET, s.port, NULL);
        ws_handshake_request_spec spec = request_spec(&c, s.port);
        is_int(handshake_with(&c, &spec, 0), 101, "--break=wrong-accept: 101");
        is_int(c.check, WS_E_HS_ACCEPT_MISMATCH,
               "--break=wrong-accept: Sec-WebSocket-Accept is wrong");
        client_close(&c);
        client_connect(&c, AF_INET, s.port, NULL);
        spec = request_spec(&c, s.port);
        spec.version = "8";
        is_int(handshake_with(&c, &spec, 0), 426, "--break=wrong-accept: version 8 still 426");
        client_close(&c);
        stop_broken(&s, "wrong-accept");
    }

    if (start_broken(&s, "any-version")) {
        client_connect(&c, AF_INET, s.port, NULL);
        ws_handshake_request_spec spec = request_spec(&c, s.port);
        spec.version = "8";
        is_int(handshake_with(&c, &spec, 0), 101, "--break=any-version: version 8 accepted");
        is_int(c.check, WS_OK, "--break=any-version: with the right Sec-WebSocket-Accept");
        client_close(&c);
        static const char missing_key[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                          "Sec-WebSocket-Version: 13\r\n\r\n";
        client_connect(&c, AF_INET, s.port, NULL);
        is_int(http_exchange(&c, missing_key, sizeof missing_key - 1), 400,
               "--break=any-version: missing key still 400");
        client_close(&c);
        stop_broken(&s, "any-version");
    }

    if (start_broken(&s, "masked-replies")) {
        put_frame(&b, WS_OP_TEXT, "masked?", 7);
        r = first_event(s.port, &b, 0, &c, &ev, DEFAULT_WAIT_MS);
        is_int(r, WS_E_FRAME_MASKED, "--break=masked-replies: the echo is masked");
        client_close(&c);
        r = first_event(s.port, &b, WS_LENIENT_MASKING, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "masked?", 7),
           "--break=masked-replies: and unmasks to the right payload");
        client_close(&c);
        bytes_free(&b);
        stop_broken(&s, "masked-replies");
    }

    /* Several at once. */
    static const char *const args[] = {"--break", "rsv,utf8", NULL};
    if (ok(server_start(&s, "127.0.0.1:0", args) == 0, "--break rsv,utf8: server started")) {
        put_frame_opts(&b, WS_OP_TEXT, "\xff", 1, (frame_opts){.rsv = WS_RSV3});
        r = first_event(s.port, &b, WS_LENIENT_UTF8, &c, &ev, DEFAULT_WAIT_MS);
        ok(is_message(r, &ev, WS_OP_TEXT, "\xff", 1),
           "--break rsv,utf8: invalid text with RSV3 echoed");
        client_close(&c);
        bytes_free(&b);
        ok(server_stop(&s), "--break rsv,utf8: server exits 0 on SIGTERM");
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2048 && rl.rlim_max >= 2048) {
        rl.rlim_cur = 2048;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    tap_diag("server: %s", program());

    test_arguments();

    server s;
    if (!ok(server_start(&s, "127.0.0.1:0", NULL) == 0 &&
                strncmp(s.line, "listening on ws://127.0.0.1:", 28) == 0 && s.port > 0,
            "prints 'listening on ws://127.0.0.1:PORT/' (%s)", s.line))
        return done_testing();

    /* Opened now, looked at last: one stalls in the handshake (the server
     * drops it after 10 s), one is upgraded and stays idle (it must live). */
    client stalled, idle;
    client_connect(&stalled, AF_INET, s.port, NULL);
    send_raw(&stalled, "GET / HTTP/1.1\r\n", 16);
    bool idle_open = client_open(&idle, s.port);
    int64_t started = now_ms();

    test_handshake(s.port);
    test_echo(s.port);
    test_close(s.port);
    test_protocol_errors(s.port);
    test_deflate(s.port, true);
    test_backpressure(s.port);
    test_many_connections(s.port);

    int64_t left = started + 13000 - now_ms();
    int eof = wait_eof(&stalled, left > 0 ? (int)left : 0);
    int64_t after = now_ms() - started;
    ok(eof >= 0 && after >= 9500, "a stalled opening handshake is dropped after 10 s (%lld ms)",
       (long long)after);
    client_close(&stalled);
    ok(idle_open, "an idle connection was opened");
    check_echo(&idle, WS_OP_TEXT, 4, "an idle connection still echoes after 10 s");
    check_clean_close(&idle, "the idle connection");
    client_close(&idle);

    ok(server_stop(&s), "server exits 0 on SIGTERM");

    test_no_deflate();
    test_max_message();
    test_max_message_units();
    test_ipv6();
    test_tls();
    test_broken_frames();
    test_broken_behaviour();
    return done_testing();
}

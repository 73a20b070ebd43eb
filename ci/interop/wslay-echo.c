/* Echo server on Debian's wslay (libwslay-dev), its event-based API.
 *
 * Usage: wslay-echo [PORT]   (default 0: a free port)
 * ci/interop.sh compiles it into build/interop/ with WSLAY_PACKAGE_VERSION
 * set to the Debian package's version (wslayver.h in Debian says 1.0.1-DEV).
 * Listens on 127.0.0.1 only, any path. Prints "version X" and then
 * "listening on ws://127.0.0.1:PORT/" once it accepts connections. One
 * thread, poll(), non-blocking sockets. Echoes every text and binary message.
 *
 * wslay frames and unframes only: the opening handshake is this file's
 * (RFC 6455 4.2.1 and 4.2.2: GET, Host, Upgrade: websocket, Connection:
 * upgrade, one Host, one Sec-WebSocket-Key of 16 bytes, Sec-WebSocket-Version:
 * 13; 426 with the version otherwise; Sec-WebSocket-Protocol and
 * -Extensions are not read, so no subprotocol and no extension). wslay
 * itself checks UTF-8, close codes and the framing. Library defaults
 * otherwise, except the message limit: 32 MiB instead of 2 GiB - 1, enough
 * for the 16 MiB messages.
 */
#include <wslay/wslay.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef WSLAY_PACKAGE_VERSION
#define WSLAY_PACKAGE_VERSION WSLAY_VERSION
#endif

#define MAX_CONNS 1024
#define MAX_HEAD 16384
#define MAX_MESSAGE (32u << 20)
/* After an HTTP error the rest of the request is read and dropped for up to
 * this long before closing: closing with unread input would send a reset,
 * which can destroy the error response before the client reads it. */
#define DRAIN_SECONDS 2

struct conn {
    int fd;
    wslay_event_context_ptr ws; /* NULL until the handshake is done */
    char head[MAX_HEAD + 1];
    size_t head_len;
    size_t head_used;  /* bytes of head that belong to the HTTP request */
    size_t head_fed;   /* bytes after the request already given to wslay */
    char reply[512];
    size_t reply_len, reply_sent;
    int close_after_reply;
    time_t drain_until; /* nonzero: refused, reading what is left until then */
};

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    struct conn *c = user;
    if (c->head_fed < c->head_len - c->head_used) { /* frames sent along with the request */
        size_t n = c->head_len - c->head_used - c->head_fed;
        if (n > len)
            n = len;
        memcpy(buf, c->head + c->head_used + c->head_fed, n);
        c->head_fed += n;
        return (ssize_t)n;
    }
    ssize_t n = recv(c->fd, buf, len, 0);
    if (n > 0)
        return n;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    else
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
    (void)flags;
    struct conn *c = user;
    ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    else
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
    (void)user;
    if (wslay_is_ctrl_frame(arg->opcode)) /* wslay answers Ping and Close itself */
        return;
    struct wslay_event_msg echo = {arg->opcode, arg->msg, arg->msg_length};
    wslay_event_queue_msg(ctx, &echo);
}

static const struct wslay_event_callbacks callbacks = {recv_cb, send_cb, NULL, NULL, NULL, NULL, on_msg};

/* The value of header field NAME (the first one), trimmed, or NULL. */
static const char *field(const char *head, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
        const char *p = line + 2;
        if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':')
            continue;
        p += nlen + 1;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = strstr(p, "\r\n");
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        size_t n = (size_t)(end - p);
        if (n >= cap)
            n = cap - 1;
        memcpy(out, p, n);
        out[n] = '\0';
        return out;
    }
    return NULL;
}

/* How many header fields are called NAME. */
static int field_count(const char *head, const char *name)
{
    size_t nlen = strlen(name);
    int n = 0;
    for (const char *line = strstr(head, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, name, nlen) == 0 && line[2 + nlen] == ':')
            n++;
    return n;
}

/* 1 if any header field NAME holds TOKEN in its comma-separated list. */
static int has_token(const char *head, const char *name, const char *token)
{
    size_t nlen = strlen(name), tlen = strlen(token);
    for (const char *line = strstr(head, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
        const char *p = line + 2;
        if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':')
            continue;
        const char *end = strstr(p, "\r\n");
        p += nlen + 1;
        while (p < end) {
            while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
                p++;
            const char *t = p;
            while (p < end && *p != ',')
                p++;
            const char *te = p;
            while (te > t && (te[-1] == ' ' || te[-1] == '\t'))
                te--;
            if ((size_t)(te - t) == tlen && strncasecmp(t, token, tlen) == 0)
                return 1;
        }
    }
    return 0;
}

static void set_reply(struct conn *c, const char *status, const char *extra, int close_after)
{
    int n = snprintf(c->reply, sizeof c->reply, "HTTP/1.1 %s\r\n%sContent-Length: 0\r\n\r\n", status, extra);
    c->reply_len = (size_t)n < sizeof c->reply ? (size_t)n : sizeof c->reply - 1;
    c->reply_sent = 0;
    c->close_after_reply = close_after;
}

/* Answers a complete request head (head_used bytes). */
static void answer(struct conn *c)
{
    char req[MAX_HEAD + 1], key[128], version[32], b64_check[64];
    memcpy(req, c->head, c->head_used);
    req[c->head_used] = '\0';
    unsigned char raw[64];
    int keylen = -1;
    if (field(req, "Sec-WebSocket-Key", key, sizeof key) && strlen(key) == 24) {
        keylen = EVP_DecodeBlock(raw, (const unsigned char *)key, 24);
        if (keylen == 18 && key[22] == '=' && key[23] == '=')
            keylen = 16; /* EVP_DecodeBlock counts the padding */
        EVP_EncodeBlock((unsigned char *)b64_check, raw, 16);
        if (keylen == 16 && strcmp(b64_check, key) != 0)
            keylen = -1;
    }
    /* Host and Sec-WebSocket-Key must appear once (RFC 7230 5.4, RFC 6455 11.3.1) */
    if (strncmp(req, "GET ", 4) != 0 || !strstr(req, " HTTP/1.1\r\n") || field_count(req, "Host") != 1 ||
        field_count(req, "Sec-WebSocket-Key") != 1 ||
        !has_token(req, "Upgrade", "websocket") || !has_token(req, "Connection", "upgrade") || keylen != 16) {
        set_reply(c, "400 Bad Request", "", 1);
        return;
    }
    if (!field(req, "Sec-WebSocket-Version", version, sizeof version) || strcmp(version, "13") != 0) {
        set_reply(c, "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n", 1);
        return;
    }
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char both[128];
    unsigned char digest[SHA_DIGEST_LENGTH];
    char accept[64];
    snprintf(both, sizeof both, "%s%s", key, guid);
    SHA1((const unsigned char *)both, strlen(both), digest);
    EVP_EncodeBlock((unsigned char *)accept, digest, SHA_DIGEST_LENGTH);
    int n = snprintf(c->reply, sizeof c->reply,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    c->reply_len = (size_t)n;
    c->reply_sent = 0;
    c->close_after_reply = 0;
    if (wslay_event_context_server_init(&c->ws, &callbacks, c) != 0) {
        c->ws = NULL;
        set_reply(c, "500 Internal Server Error", "", 1);
        return;
    }
    wslay_event_config_set_max_recv_msg_length(c->ws, MAX_MESSAGE);
}

/* Reads the request head; 0 to keep the connection, -1 to drop it. */
static int read_head(struct conn *c)
{
    ssize_t n = recv(c->fd, c->head + c->head_len, MAX_HEAD - c->head_len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return -1;
    if (n < 0)
        return 0;
    c->head_len += (size_t)n;
    c->head[c->head_len] = '\0';
    char *end = strstr(c->head, "\r\n\r\n");
    if (end) {
        c->head_used = (size_t)(end + 4 - c->head);
        answer(c);
    } else if (c->head_len == MAX_HEAD) {
        set_reply(c, "431 Request Header Fields Too Large", "", 1);
    }
    return 0;
}

static void drop(struct conn *c)
{
    if (c->ws)
        wslay_event_context_free(c->ws);
    close(c->fd);
    free(c);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t salen = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 128) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &salen) != 0) {
        perror("wslay-echo: listen");
        return 1;
    }
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    struct sigaction act = {.sa_handler = on_signal};
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("version %s\n", WSLAY_PACKAGE_VERSION);
    printf("listening on ws://127.0.0.1:%d/\n", ntohs(sa.sin_port));
    fflush(stdout);

    static struct conn *conns[MAX_CONNS];
    static struct pollfd fds[MAX_CONNS + 1];
    size_t count = 0;
    while (!stopping) {
        fds[0] = (struct pollfd){.fd = lfd, .events = count < MAX_CONNS ? POLLIN : 0};
        for (size_t i = 0; i < count; i++) {
            struct conn *c = conns[i];
            short ev = 0;
            if (c->drain_until)
                ev = POLLIN;
            else if (c->reply_sent < c->reply_len)
                ev = POLLOUT;
            else if (!c->ws)
                ev = POLLIN;
            else
                ev = (short)((wslay_event_want_read(c->ws) ? POLLIN : 0) | (wslay_event_want_write(c->ws) ? POLLOUT : 0));
            fds[i + 1] = (struct pollfd){.fd = c->fd, .events = ev};
        }
        if (poll(fds, count + 1, 1000) < 0)
            continue; /* EINTR: look at stopping */
        size_t kept = 0;
        for (size_t i = 0; i < count; i++) {
            struct conn *c = conns[i];
            short re = fds[i + 1].revents;
            int bad = 0;
            if (c->drain_until) {
                char sink[4096];
                ssize_t n = re ? recv(c->fd, sink, sizeof sink, 0) : 1;
                bad = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || time(NULL) >= c->drain_until;
            } else if (re && c->reply_sent < c->reply_len) {
                ssize_t n = send(c->fd, c->reply + c->reply_sent, c->reply_len - c->reply_sent, MSG_NOSIGNAL);
                if (n > 0)
                    c->reply_sent += (size_t)n;
                else if (n < 0 && errno != EAGAIN && errno != EINTR)
                    bad = 1;
                if (c->reply_sent == c->reply_len && c->close_after_reply) {
                    shutdown(c->fd, SHUT_WR);
                    c->drain_until = time(NULL) + DRAIN_SECONDS;
                }
                else if (c->reply_sent == c->reply_len && c->head_len > c->head_used)
                    bad = wslay_event_recv(c->ws) != 0 || wslay_event_send(c->ws) != 0;
            } else if (re && !c->ws) {
                bad = read_head(c) != 0;
            } else if (re) {
                if ((re & (POLLIN | POLLHUP | POLLERR)) && wslay_event_recv(c->ws) != 0)
                    bad = 1;
                if (!bad && wslay_event_send(c->ws) != 0)
                    bad = 1;
                if (!bad && !wslay_event_want_read(c->ws) && !wslay_event_want_write(c->ws))
                    bad = 1;
            }
            if (bad)
                drop(c);
            else
                conns[kept++] = c;
        }
        count = kept;
        if ((fds[0].revents & POLLIN) && count < MAX_CONNS) {
            int fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                struct conn *c = calloc(1, sizeof *c);
                if (!c) {
                    close(fd);
                    continue;
                }
                fcntl(fd, F_SETFL, O_NONBLOCK);
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                c->fd = fd;
                conns[count++] = c;
            }
        }
    }
    for (size_t i = 0; i < count; i++)
        drop(conns[i]);
    close(lfd);
    return 0;
}

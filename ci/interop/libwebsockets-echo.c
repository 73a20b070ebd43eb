/* Echo server on Debian's libwebsockets (libwebsockets-dev).
 *
 * Usage: libwebsockets-echo [PORT]   (default 0: a free port)
 * ci/interop.sh compiles it into build/interop/. Listens on 127.0.0.1 only,
 * endpoint "/" (any path is accepted). Prints "version X" and then
 * "listening on ws://127.0.0.1:PORT/" once it accepts connections. Echoes
 * every text and binary message as one frame of the same type.
 *
 * Library defaults except: LWS_SERVER_OPTION_VALIDATE_UTF8 on (the library
 * leaves the UTF-8 check of text messages to the application unless asked),
 * no extensions (so no permessage-deflate), and a 32 MiB message limit kept
 * here, since libwebsockets hands the application frames in pieces and has no
 * message limit of its own. A longer message, or a frame announcing one, is
 * refused with Close 1009.
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE (32u << 20)
/* Echoes not yet written above this stop the reading until they drain. */
#define MAX_QUEUED (64u << 20)

struct message {
    struct message *next;
    int binary;
    size_t len, cap;
    unsigned char *buf; /* LWS_PRE bytes of headroom, then the payload */
};

struct session {
    struct message *partial;     /* message being received */
    struct message *head, *tail; /* complete messages waiting to be echoed */
    size_t queued;               /* payload bytes in head..tail */
    int paused;
};

static volatile sig_atomic_t stopping;
static struct lws_context *context;

static void message_free(struct message *m)
{
    if (m) {
        free(m->buf);
        free(m);
    }
}

static int append(struct message *m, const void *in, size_t len)
{
    if (len > MAX_MESSAGE - m->len)
        return -1;
    if (!m->buf || m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + len)
            cap *= 2;
        if (cap > MAX_MESSAGE)
            cap = MAX_MESSAGE;
        unsigned char *buf = realloc(m->buf, LWS_PRE + cap);
        if (!buf)
            return -1;
        m->buf = buf;
        m->cap = cap;
    }
    if (len)
        memcpy(m->buf + LWS_PRE + m->len, in, len);
    m->len += len;
    return 0;
}

static void session_clear(struct session *s)
{
    message_free(s->partial);
    s->partial = NULL;
    while (s->head) {
        struct message *m = s->head;
        s->head = m->next;
        message_free(m);
    }
    s->tail = NULL;
    s->queued = 0;
}

static int on_receive(struct lws *wsi, struct session *s, const void *in, size_t len)
{
    if (!s->partial) {
        s->partial = calloc(1, sizeof *s->partial);
        if (!s->partial || append(s->partial, NULL, 0) != 0)
            return -1;
        s->partial->binary = lws_frame_is_binary(wsi);
    }
    /* The rest of the frame counts too: a frame that announces more than the
     * limit is refused at once rather than after the bytes have come. */
    size_t room = MAX_MESSAGE - s->partial->len;
    if (len > room || lws_remaining_packet_payload(wsi) > room - len || append(s->partial, in, len) != 0) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
        return -1;
    }
    if (!lws_is_final_fragment(wsi))
        return 0;
    struct message *m = s->partial;
    s->partial = NULL;
    if (s->tail)
        s->tail->next = m;
    else
        s->head = m;
    s->tail = m;
    s->queued += m->len;
    if (s->queued > MAX_QUEUED && !s->paused) {
        s->paused = 1;
        lws_rx_flow_control(wsi, 0);
    }
    lws_callback_on_writable(wsi);
    return 0;
}

static int on_writeable(struct lws *wsi, struct session *s)
{
    struct message *m = s->head;
    if (!m)
        return 0;
    s->head = m->next;
    if (!s->head)
        s->tail = NULL;
    s->queued -= m->len;
    int n = lws_write(wsi, m->buf + LWS_PRE, m->len, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
    size_t len = m->len;
    message_free(m);
    if (n < 0 || (size_t)n < len)
        return -1;
    if (s->paused && s->queued <= MAX_QUEUED) {
        s->paused = 0;
        lws_rx_flow_control(wsi, 1);
    }
    if (s->head)
        lws_callback_on_writable(wsi);
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct session *s = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        memset(s, 0, sizeof *s);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return on_receive(wsi, s, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writeable(wsi, s);
    case LWS_CALLBACK_CLOSED:
        session_clear(s);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols protocols[] = {
    {"echo", callback, sizeof(struct session), 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
    if (context)
        lws_cancel_service(context);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
    info.gid = -1;
    info.uid = -1;

    context = lws_create_context(&info);
    if (!context) {
        fprintf(stderr, "libwebsockets-echo: cannot create the context\n");
        return 1;
    }
    struct lws_vhost *vhost = lws_get_vhost_by_name(context, "default");
    int bound = vhost ? lws_get_vhost_listen_port(vhost) : -1;
    if (bound <= 0) {
        fprintf(stderr, "libwebsockets-echo: no listening port\n");
        lws_context_destroy(context);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    /* Debian's build leaves the git hash after the '-' empty */
    char version[32];
    snprintf(version, sizeof version, "%s", LWS_LIBRARY_VERSION);
    version[strcspn(version, "-")] = '\0';
    printf("version %s\n", version);
    printf("listening on ws://127.0.0.1:%d/\n", bound);
    fflush(stdout);

    while (!stopping)
        if (lws_service(context, 0) < 0)
            break;
    lws_context_destroy(context);
    return 0;
}

/* The echo server: poll() loops over a listening socket, the connections
 * each accepts (echo/conn.h) and a self-pipe for SIGINT and SIGTERM. With
 * --threads N, N loops share the listener, each on a thread of its own with
 * its own connections: nothing else is shared but the options and the TLS
 * context. The self-pipe is never read, so every loop sees the stop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo/breaks.h"
#include "echo/conn.h"
#include "echo/echo.h"
#include "run/clock.h"

#define ACCEPT_BURST 128
#define ACCEPT_PAUSE_US 100000u /* after EMFILE/ENFILE */

typedef struct echo_server {
    echo_shared shared;
    int listen_fd;
    int signal_fd;           /* read end of the self-pipe */
    SSL_CTX *tls;
    conn **conns;
    size_t conn_count, conn_capacity;
    struct pollfd *pollfds;
    size_t pollfd_capacity;
    uint64_t accept_paused_until;
} echo_server;

/* ---- signals ---------------------------------------------------------------- */

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

typedef struct saved_signals {
    struct sigaction on_int, on_term, on_pipe;
} saved_signals;

static void catch_signals(saved_signals *saved)
{
    struct sigaction stop = {.sa_handler = on_stop_signal}, ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&stop.sa_mask);
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &stop, &saved->on_int);
    sigaction(SIGTERM, &stop, &saved->on_term);
    sigaction(SIGPIPE, &ignore, &saved->on_pipe); /* a peer gone mid-write is an error return */
}

static void restore_signals(const saved_signals *saved)
{
    sigaction(SIGINT, &saved->on_int, NULL);
    sigaction(SIGTERM, &saved->on_term, NULL);
    sigaction(SIGPIPE, &saved->on_pipe, NULL);
}

/* ---- the listener ------------------------------------------------------------ */

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* The first of the addresses that binds and listens; -1 with errno. */
static int bind_first(const struct addrinfo *res)
{
    int saved = 0;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0 &&
            set_nonblocking(fd) == 0)
            return fd;
        saved = errno;
        close(fd);
    }
    errno = saved;
    return -1;
}

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
    int fd = bind_first(res);
    int saved = errno;
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

/* ---- connections --------------------------------------------------------------- */

static bool room_for_one_more(echo_server *s)
{
    if (s->conn_count < s->conn_capacity)
        return true;
    size_t capacity = s->conn_capacity ? s->conn_capacity * 2 : 64;
    conn **grown = realloc(s->conns, capacity * sizeof *grown);
    if (!grown)
        return false;
    s->conns = grown;
    s->conn_capacity = capacity;
    return true;
}

static void accept_connections(echo_server *s)
{
    for (int i = 0; i < ACCEPT_BURST; i++) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                s->accept_paused_until = monotonic_us() + ACCEPT_PAUSE_US;
            return; /* EAGAIN, or a connection that died in the backlog */
        }
        if (!room_for_one_more(s)) {
            close(fd);
            continue;
        }
        conn *c = conn_accept(&s->shared, fd, s->tls);
        if (c)
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

/* ---- the loop --------------------------------------------------------------------- */

/* Fills the poll set: the signal pipe, the listener (unless accepting is
 * paused), then every connection. Returns poll()'s timeout in ms. */
static int fill_poll_set(echo_server *s, uint64_t now)
{
    uint64_t wake = 0; /* 0: nothing to wake for */
    bool accepting = now >= s->accept_paused_until;
    if (!accepting)
        wake = s->accept_paused_until;
    s->pollfds[0] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
    s->pollfds[1] = (struct pollfd){.fd = accepting ? s->listen_fd : -1, .events = POLLIN};
    for (size_t i = 0; i < s->conn_count; i++) {
        conn *c = s->conns[i];
        s->pollfds[i + 2] = (struct pollfd){.fd = c->t.fd, .events = conn_poll_events(c)};
        if (c->deadline && (!wake || c->deadline < wake))
            wake = c->deadline;
        if (conn_has_buffered_input(c))
            wake = now;
    }
    if (!wake)
        return -1;
    return wake <= now ? 0 : (int)((wake - now + 999) / 1000);
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
        size_t polled = s->conn_count;
        int timeout = fill_poll_set(s, monotonic_us());
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
        uint64_t now = monotonic_us();
        for (size_t i = 0; i < s->conn_count; i++) {
            conn *c = s->conns[i];
            if (!c->dead && c->deadline && now >= c->deadline)
                conn_on_timeout(c);
        }
        reap_connections(s);
    }
}

static void free_connections(echo_server *s)
{
    for (size_t i = 0; i < s->conn_count; i++) {
        conn_destroy(s->conns[i]);
        free(s->conns[i]);
    }
    free(s->conns);
    free(s->pollfds);
    free(s->shared.read_buffer);
}

static void *worker_main(void *arg)
{
    echo_server *w = arg;
    w->shared.read_buffer = malloc(READ_CHUNK);
    intptr_t status = w->shared.read_buffer ? run_loop(w) : 1;
    return (void *)status;
}

/* The loop on this thread and threads-1 more, until a stop; the exit status. */
static int run_loops(echo_server *s, unsigned threads)
{
    echo_server *workers = calloc(threads, sizeof *workers);
    pthread_t *ids = calloc(threads, sizeof *ids);
    unsigned started = 0;
    for (unsigned t = 1; workers && ids && t < threads; t++, started++) {
        workers[t] = (echo_server){.shared = {.options = s->shared.options,
                                              .lenient = s->shared.lenient},
                                   .listen_fd = s->listen_fd, .signal_fd = s->signal_fd,
                                   .tls = s->tls};
        if (pthread_create(&ids[t], NULL, worker_main, &workers[t]) != 0)
            break;
    }
    int status = run_loop(s);
    for (unsigned t = 1; t <= started; t++) {
        void *worker_status;
        pthread_join(ids[t], &worker_status);
        if ((intptr_t)worker_status != 0)
            status = 1;
        free_connections(&workers[t]);
    }
    free(workers);
    free(ids);
    return status;
}

/* Listens and runs the loops; the exit status. */
static int listen_and_run(echo_server *s, const echo_options *o)
{
    raise_fd_limit();
    unsigned port;
    s->listen_fd = open_listener(o, &port);
    s->shared.read_buffer = malloc(READ_CHUNK);
    if (s->listen_fd < 0 || !s->shared.read_buffer)
        return 1;
    bool v6 = strchr(o->host, ':') != NULL;
    printf("listening on %s://%s%s%s:%u/\n", s->tls ? "wss" : "ws", v6 ? "[" : "", o->host,
           v6 ? "]" : "", port);
    fflush(stdout);
    return run_loops(s, o->threads ? o->threads : 1);
}

int echo_serve(const echo_options *o)
{
    echo_server s;
    memset(&s, 0, sizeof s);
    s.listen_fd = s.signal_fd = -1;
    s.shared.options = o;
    s.shared.lenient = echo_break_lenient_bits(o->breaks);
    if (o->tls_cert) {
        char err[3 * PATH_MAX];
        s.tls = transport_tls_server_context(o->tls_cert, o->tls_key, err, sizeof err);
        if (!s.tls) {
            fprintf(stderr, "wsconform echo: %s\n", err);
            return 2;
        }
    }
    int pipefd[2];
    if (pipe(pipefd) != 0 || set_nonblocking(pipefd[0]) != 0 || set_nonblocking(pipefd[1]) != 0) {
        fprintf(stderr, "wsconform echo: pipe: %s\n", strerror(errno));
        SSL_CTX_free(s.tls);
        return 1;
    }
    s.signal_fd = pipefd[0];
    signal_pipe_write = pipefd[1];
    saved_signals saved;
    catch_signals(&saved);

    int status = listen_and_run(&s, o);

    free_connections(&s);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    SSL_CTX_free(s.tls);
    restore_signals(&saved);
    signal_pipe_write = -1;
    close(pipefd[0]);
    close(pipefd[1]);
    return status;
}

/* `wsconform echo`: the echo server's command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "echo/breaks.h"
#include "echo/echo.h"
#include "lang/quantity.h"
#include "wscodec.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wsconform echo [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
            "                      [--max-message BYTES] [--no-deflate] [--threads N]\n"
            "                      [--break LIST]\n"
            "\n"
            "The reference echo server: a strict RFC 6455 server that echoes every text\n"
            "and binary message, answers Pings, answers a Close with the same code and\n"
            "then closes TCP, and fails the connection with the close code of the rule\n"
            "broken on any protocol error. It accepts no subprotocol; it accepts the first\n"
            "permessage-deflate offer (RFC 7692) it can honour, and then inflates what\n"
            "it receives and compresses every message it echoes (zlib level 1).\n"
            "Once it accepts connections it prints \"listening on ws://HOST:PORT/\"\n"
            "(wss:// with TLS); it runs until SIGINT or SIGTERM.\n"
            "\n"
            "  --listen HOST:PORT   address to listen on (default 127.0.0.1:9001); port 0\n"
            "                       picks a free port; IPv6 in brackets: [::1]:0\n"
            "  --tls-cert FILE      serve wss:// with this PEM certificate (chain)\n"
            "  --tls-key FILE       PEM private key of --tls-cert\n"
            "  --max-message BYTES  largest message accepted (default 64Mi; suffix Ki or Mi);\n"
            "                       a bigger one (inflated, with compression) fails the\n"
            "                       connection with 1009\n"
            "  --no-deflate         accept no extension, permessage-deflate included\n"
            "  --threads N          serve connections on N threads, 1..64 (default: one\n"
            "                       per CPU, at most 8); each connection stays on one\n"
            "                       thread, so nothing about a connection depends on N\n"
            "  --break LIST         FOR TESTING A CONFORMANCE SUITE ONLY: break the named\n"
            "                       rules on purpose, so a suite can prove it catches a\n"
            "                       broken server. Comma-separated, repeatable:\n");
    int width = 0; /* the longest name: the help texts line up */
    for (size_t i = 0; i < echo_break_count; i++)
        if ((int)strlen(echo_breaks[i].name) > width)
            width = (int)strlen(echo_breaks[i].name);
    for (size_t i = 0; i < echo_break_count; i++)
        fprintf(f, "      %-*s %s\n", width, echo_breaks[i].name, echo_breaks[i].help);
    fprintf(f, "  -h, --help           this text\n"
               "\n"
               "Exit status: 0 after SIGINT/SIGTERM, 1 if it cannot listen, 2 for bad\n"
               "arguments or an unusable certificate or key.\n");
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

/* A number with a one-letter K, M or G suffix: a size in a syntax that is
 * not wsconform's. */
static bool single_letter_unit(const char *arg)
{
    size_t digits = strspn(arg, "0123456789");
    return digits > 0 && arg[digits] && strchr("KkMmGg", arg[digits]) && !arg[digits + 1];
}

/* A size as the case language writes it (lang/quantity.h), above zero and
 * small enough to allocate. */
static int parse_max_message(const char *arg, uint64_t *out)
{
    uint64_t v;
    if (!quantity_size(arg, strlen(arg), (uint64_t)(SIZE_MAX / 2), &v) || v == 0) {
        const char *hint =
            single_letter_unit(arg) ? " (K and M are written Ki and Mi, G as 1024Mi)" : "";
        fprintf(stderr,
                "wsconform echo: --max-message: expected a positive size in bytes, with an "
                "optional suffix Ki or Mi (65536, 512Ki, 64Mi), got '%s'%s\n",
                arg, hint);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_breaks(const char *arg, uint32_t *breaks)
{
    const char *p = arg;
    for (;;) {
        size_t len = strcspn(p, ",");
        uint32_t bit = echo_break_find(p, len);
        if (!bit) {
            fprintf(stderr, "wsconform echo: --break: unknown name '%.*s'\n", (int)len, p);
            fprintf(stderr, "valid --break names:");
            for (size_t i = 0; i < echo_break_count; i++)
                fprintf(stderr, "%s %s", i ? "," : "", echo_breaks[i].name);
            fprintf(stderr, "\n");
            return -1;
        }
        *breaks |= bit;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

/* Reports getopt's complaint about argv; the exit status. */
static int bad_option(int opt, char **argv)
{
    if (opt == ':') {
        fprintf(stderr, "wsconform echo: option '%s' needs an argument\n", argv[optind - 1]);
        return 2;
    }
    if (optopt)
        fprintf(stderr, "wsconform echo: unknown option '-%c'\n", optopt);
    else
        fprintf(stderr, "wsconform echo: unknown option '%s'\n", argv[optind - 1]);
    fprintf(stderr, "Try 'wsconform echo --help'.\n");
    return 2;
}

/* One option; OPTIONS_CONTINUE to go on, or the exit status. */
static int take_option(int opt, char **argv, echo_options *o)
{
    switch (opt) {
    case 'l':
        if (parse_listen(optarg, o) == 0)
            return OPTIONS_CONTINUE;
        fprintf(stderr,
                "wsconform echo: --listen: expected HOST:PORT (IPv6 as [ADDR]:PORT, "
                "port 0-65535), got '%s'\n",
                optarg);
        return 2;
    case 'c':
        o->tls_cert = optarg;
        return OPTIONS_CONTINUE;
    case 'k':
        o->tls_key = optarg;
        return OPTIONS_CONTINUE;
    case 'm':
        return parse_max_message(optarg, &o->max_message) == 0 ? OPTIONS_CONTINUE : 2;
    case 'b':
        return parse_breaks(optarg, &o->breaks) == 0 ? OPTIONS_CONTINUE : 2;
    case 'D':
        o->no_deflate = true;
        return OPTIONS_CONTINUE;
    case 't': {
        long n;
        if (options_whole_number(optarg, 1, ECHO_THREADS_MAX, &n) != 0) {
            fprintf(stderr, "wsconform echo: --threads expects a whole number 1..%d, got '%s'\n",
                    ECHO_THREADS_MAX, optarg);
            return 2;
        }
        o->threads = (unsigned)n;
        return OPTIONS_CONTINUE;
    }
    case 'h':
        usage(stdout);
        return 0;
    default:
        return bad_option(opt, argv);
    }
}

/* Returns OPTIONS_CONTINUE to go on, or the exit status. */
static int parse_options(int argc, char **argv, echo_options *o)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"max-message", required_argument, NULL, 'm'},
        {"break", required_argument, NULL, 'b'},
        {"no-deflate", no_argument, NULL, 'D'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    strcpy(o->host, "127.0.0.1");
    strcpy(o->port, "9001");
    o->max_message = WS_DEFAULT_MAX_MESSAGE_SIZE;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cpus < 1 ? 1 : cpus > ECHO_THREADS_DEFAULT_MAX ? ECHO_THREADS_DEFAULT_MAX
                                                               : (unsigned)cpus;

    options_reset();
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        int status = take_option(opt, argv, o);
        if (status != OPTIONS_CONTINUE)
            return status;
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
    return OPTIONS_CONTINUE;
}

int cmd_echo(int argc, char **argv)
{
    echo_options options;
    int status = parse_options(argc, argv, &options);
    if (status != OPTIONS_CONTINUE)
        return status;
    return echo_serve(&options);
}

/* ws:// and wss:// URLs: host (names, IPv4, [IPv6]), port and request target. */
#ifndef WSCONFORM_URL_H
#define WSCONFORM_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ws_url {
    bool secure;
    char host[256];   /* without brackets */
    bool ipv6_literal;
    uint16_t port;    /* explicit or 80/443 */
    bool port_given;
    char target[2048]; /* path and query; "/" at least */
} ws_url;

/* Parses text into *url. Returns 0, or -1 with a message in err (cap bytes). */
int ws_url_parse(const char *text, ws_url *url, char *err, size_t cap);

#endif

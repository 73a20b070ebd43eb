/* ws:// and wss:// URLs: host (names, IPv4, [IPv6]), port and request target. */
#ifndef WSCONFORM_TARGET_URL_H
#define WSCONFORM_TARGET_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct target_url {
    bool secure;
    char host[256];   /* without brackets */
    bool ipv6_literal;
    uint16_t port;    /* explicit or 80/443 */
    bool port_given;
    char target[2048]; /* path and query; "/" at least */
} target_url;

/* Parses text into *url. Returns 0, or -1 with a message in err (cap bytes). */
int target_url_parse(const char *text, target_url *url, char *err, size_t cap);

#endif

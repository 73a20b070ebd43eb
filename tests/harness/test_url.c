/* ws:// and wss:// URLs. */
#include "tap.h"
#include "url.h"

int main(void)
{
    ws_url u;
    char err[200];
    is_int(ws_url_parse("ws://example.com/chat?x=1", &u, err, sizeof err), 0, "plain URL parses");
    ok(!u.secure && strcmp(u.host, "example.com") == 0 && u.port == 80 && !u.port_given &&
           strcmp(u.target, "/chat?x=1") == 0,
       "host, default port 80, target with query");
    is_int(ws_url_parse("wss://h:8443", &u, err, sizeof err), 0, "wss with port, no path");
    ok(u.secure && u.port == 8443 && strcmp(u.target, "/") == 0, "port 8443, target /");
    is_int(ws_url_parse("wss://h", &u, err, sizeof err), 0, "wss without port");
    is_int(u.port, 443, "wss defaults to 443");
    is_int(ws_url_parse("ws://[::1]:9001/", &u, err, sizeof err), 0, "IPv6 literal");
    ok(u.ipv6_literal && strcmp(u.host, "::1") == 0 && u.port == 9001, "brackets removed, port kept");
    is_int(ws_url_parse("WS://H:1?q", &u, err, sizeof err), 0, "scheme is case-insensitive");
    is_int(strcmp(u.target, "/?q"), 0, "a bare query gets a leading slash");

    static const char *const bad[] = {
        "http://h/", "ws://", "ws://h:0/", "ws://h:65536/", "ws://h:x/", "ws://[::1/",
        "ws://h/#frag", "ws://user@h/", "ws://h/a b", "ws://[]:80/", "ws://h:80x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ok(ws_url_parse(bad[i], &u, err, sizeof err) == -1 && strstr(err, bad[i]),
           "rejected with the URL named: %s (%s)", bad[i], err);
    }
    return done_testing();
}

/* ws:// and wss:// URLs. */
#include "tap.h"
#include "run/target_url.h"
#include "lang/url_vars.h"

/* text expanded against url_text. */
static bool expands(const char *url_text, const char *text, const char *want)
{
    target_url u;
    char err[200];
    if (target_url_parse(url_text, &u, err, sizeof err) != 0)
        return false;
    char *got = url_vars_expand(text, &u);
    bool same = got && strcmp(got, want) == 0;
    if (!same)
        tap_diag("%s with %s: got '%s', want '%s'", text, url_text, got ? got : "(null)", want);
    free(got);
    return same;
}

static void url_variables(void)
{
    ok(expands("ws://[::1]:9001/chat?room=1", "http://$authority$target",
               "http://[::1]:9001/chat?room=1"),
       "$authority and $target rebuild the URL as an absolute target");
    ok(expands("ws://[::1]:9001/chat?room=1", "$path?x=1", "/chat?x=1"), "$path drops the query");
    ok(expands("wss://example.com/", "$host:$port", "example.com:443"), "$host and $port");
    ok(expands("wss://example.com:443/", "$authority", "example.com"),
       "$authority leaves out the scheme's own port");
    ok(expands("ws://h:8080/a", "$$path=$path$$", "$path=/a$"), "$$ is a dollar sign");
    ok(expands("ws://h/", "no names", "no names"), "text without names is unchanged");
    char err[200];
    is_int(url_vars_check("$target $$ $host", err, sizeof err), 0, "known names pass the check");
    ok(url_vars_check("/$x", err, sizeof err) == -1 && strstr(err, "found '$x'"),
       "an unknown name is named: %s", err);
    ok(url_vars_check("trailing $", err, sizeof err) == -1, "a lone $ at the end is refused");
}

int main(void)
{
    url_variables();
    target_url u;
    char err[200];
    is_int(target_url_parse("ws://example.com/chat?x=1", &u, err, sizeof err), 0, "plain URL parses");
    ok(!u.secure && strcmp(u.host, "example.com") == 0 && u.port == 80 && !u.port_given &&
           strcmp(u.target, "/chat?x=1") == 0,
       "host, default port 80, target with query");
    is_int(target_url_parse("wss://h:8443", &u, err, sizeof err), 0, "wss with port, no path");
    ok(u.secure && u.port == 8443 && strcmp(u.target, "/") == 0, "port 8443, target /");
    is_int(target_url_parse("wss://h", &u, err, sizeof err), 0, "wss without port");
    is_int(u.port, 443, "wss defaults to 443");
    is_int(target_url_parse("ws://[::1]:9001/", &u, err, sizeof err), 0, "IPv6 literal");
    ok(u.ipv6_literal && strcmp(u.host, "::1") == 0 && u.port == 9001, "brackets removed, port kept");
    is_int(target_url_parse("WS://H:1?q", &u, err, sizeof err), 0, "scheme is case-insensitive");
    is_int(strcmp(u.target, "/?q"), 0, "a bare query gets a leading slash");

    static const char *const bad[] = {
        "http://h/", "ws://", "ws://h:0/", "ws://h:65536/", "ws://h:x/", "ws://[::1/",
        "ws://h/#frag", "ws://user@h/", "ws://h/a b", "ws://[]:80/", "ws://h:80x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ok(target_url_parse(bad[i], &u, err, sizeof err) == -1 && strstr(err, bad[i]),
           "rejected with the URL named: %s (%s)", bad[i], err);
    }
    return done_testing();
}

/*
 * Opening handshake (RFC 6455 §4): keys, header value grammars, the checks
 * each role applies to the other's head, and the heads each role sends.
 */
#include "wscodec/handshake.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "wscodec/error.h"

/* ---- small helpers -------------------------------------------------------- */

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *skip_ows(const char *p, const char *end)
{
    while (p < end && is_ows(*p))
        p++;
    return p;
}

static size_t token_span(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && ws_http_is_tchar((unsigned char)*q))
        q++;
    return (size_t)(q - p);
}

static bool has_crlf(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

/* True if any field called name lists token; repeated fields form one list
 * (RFC 7230 §3.2.2). */
static bool fields_list(const ws_http_header *hs, size_t n, const char *name, const char *token)
{
    for (const ws_http_header *h = ws_http_find_header(hs, n, name, NULL); h;
         h = ws_http_find_header(hs, n, name, h))
        if (ws_handshake_list_contains(h->value, h->value_len, token))
            return true;
    return false;
}

/* ---- keys ----------------------------------------------------------------- */

int ws_handshake_make_key(char out[WS_HANDSHAKE_KEY_LEN + 1])
{
    unsigned char nonce[16];
    if (!out)
        return WS_E_INVALID_ARGUMENT;
    out[0] = '\0';
    if (RAND_bytes(nonce, (int)sizeof nonce) != 1)
        return WS_E_CRYPTO;
    /* EVP_EncodeBlock writes 24 characters and a NUL for 16 bytes. */
    if (EVP_EncodeBlock((unsigned char *)out, nonce, (int)sizeof nonce) != WS_HANDSHAKE_KEY_LEN) {
        out[0] = '\0';
        return WS_E_CRYPTO;
    }
    return WS_OK;
}

int ws_handshake_accept(const char *key, size_t key_len, char out[WS_HANDSHAKE_ACCEPT_LEN + 1])
{
    static const char guid[] = WS_HANDSHAKE_GUID;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    unsigned char encoded[WS_HANDSHAKE_ACCEPT_LEN + 1];

    if (!out || (!key && key_len > 0))
        return WS_E_INVALID_ARGUMENT;
    out[0] = '\0';
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return WS_E_CRYPTO;
    int ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
             (key_len == 0 || EVP_DigestUpdate(ctx, key, key_len) == 1) &&
             EVP_DigestUpdate(ctx, guid, sizeof guid - 1) == 1 &&
             EVP_DigestFinal_ex(ctx, digest, &digest_len) == 1 && digest_len == 20;
    EVP_MD_CTX_free(ctx);
    if (!ok || EVP_EncodeBlock(encoded, digest, 20) != WS_HANDSHAKE_ACCEPT_LEN)
        return WS_E_CRYPTO;
    memcpy(out, encoded, WS_HANDSHAKE_ACCEPT_LEN + 1);
    return WS_OK;
}

static bool is_base64_char(unsigned char c) { return is_alnum(c) || c == '+' || c == '/'; }

int ws_handshake_check_key(const char *key, size_t key_len)
{
    unsigned char decoded[18];

    /* base64-value-non-empty (§4.3): whole groups of four, "=" only as the
     * final one or two characters. EVP_DecodeBlock would take "=" anywhere
     * as zero bits, so the alphabet and the padding are checked here. */
    if (!key || key_len == 0 || key_len % 4 != 0)
        return WS_E_HS_KEY_INVALID;
    size_t pad = 0;
    if (key[key_len - 1] == '=')
        pad = key[key_len - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < key_len - pad; i++)
        if (!is_base64_char((unsigned char)key[i]))
            return WS_E_HS_KEY_INVALID;
    if (key_len / 4 * 3 - pad != 16)
        return WS_E_HS_KEY_INVALID;
    /* EVP_DecodeBlock counts the padding as decoded bytes: 16 + 2 = 18. */
    if (EVP_DecodeBlock(decoded, (const unsigned char *)key, (int)key_len) != 18)
        return WS_E_HS_KEY_INVALID;
    return WS_OK;
}

/* ---- lists (RFC 7230 §7) --------------------------------------------------- */

bool ws_handshake_list_contains(const char *value, size_t len, const char *token)
{
    if (!value || !token)
        return false;
    size_t token_len = strlen(token);
    const char *p = value, *end = value + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *elem_end = comma ? comma : end;
        const char *s = skip_ows(p, elem_end), *e = elem_end;
        while (e > s && is_ows(e[-1]))
            e--;
        if (ws_http_equal_nocase(s, (size_t)(e - s), token, token_len))
            return true;
        p = comma ? comma + 1 : end;
    }
    return false;
}

typedef struct list_cursor {
    const char *p;
    const char *end;
} list_cursor;

/* Moves to the start of the next element, past whitespace and the empty
 * elements #rule recipients must accept. False at the end of the list. */
static bool list_next(list_cursor *c)
{
    while (c->p < c->end && (is_ows(*c->p) || *c->p == ','))
        c->p++;
    return c->p < c->end;
}

/* After an element only OWS and then "," or the end may follow. */
static bool list_after_element(list_cursor *c)
{
    c->p = skip_ows(c->p, c->end);
    if (c->p == c->end)
        return true;
    if (*c->p != ',')
        return false;
    c->p++;
    return true;
}

int ws_handshake_parse_protocols(const char *value, size_t len, ws_handshake_token *out,
                                 size_t max, size_t *num)
{
    if (!num || (!value && len > 0))
        return WS_E_INVALID_ARGUMENT;
    if (len == 0)
        return WS_E_HS_PROTOCOL_SYNTAX; /* 1#token: at least one */
    list_cursor c = { value, value + len };
    size_t found = 0;
    while (list_next(&c)) {
        size_t n = token_span(c.p, c.end);
        if (n == 0)
            return WS_E_HS_PROTOCOL_SYNTAX;
        if (out) {
            if (*num >= max)
                return WS_E_HS_TOO_MANY_ITEMS;
            out[*num].str = c.p;
            out[*num].len = n;
        }
        c.p += n;
        if (!list_after_element(&c))
            return WS_E_HS_PROTOCOL_SYNTAX;
        (*num)++;
        found++;
    }
    return found ? WS_OK : WS_E_HS_PROTOCOL_SYNTAX;
}

/* quoted-string whose unescaped content must be a token (§9.1). *pp is at
 * the opening quote. */
static int parse_quoted_token(const char **pp, const char *end, ws_extension_param *prm)
{
    const char *p = *pp + 1, *start = p;
    bool escaped = false;
    for (;;) {
        if (p == end)
            return WS_E_HS_EXTENSIONS_SYNTAX; /* unterminated */
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            if (++p == end)
                return WS_E_HS_EXTENSIONS_SYNTAX;
            c = (unsigned char)*p;
            escaped = true;
        }
        if (!ws_http_is_tchar(c))
            return WS_E_HS_EXTENSIONS_SYNTAX;
        p++;
    }
    if (p == start)
        return WS_E_HS_EXTENSIONS_SYNTAX; /* "" is no token */
    prm->value = start;
    prm->value_len = (size_t)(p - start);
    prm->quoted = true;
    prm->escaped = escaped;
    *pp = p + 1;
    return WS_OK;
}

/* extension = token *( ";" extension-param ), at c->p. Parameters are stored
 * in e only when store is set; num_params counts them either way. */
static int parse_extension(list_cursor *c, ws_extension *e, bool store)
{
    const char *p = c->p, *end = c->end;
    size_t n = token_span(p, end);
    if (n == 0)
        return WS_E_HS_EXTENSIONS_SYNTAX;
    e->name = p;
    e->name_len = n;
    e->num_params = 0;
    p += n;
    for (;;) {
        const char *q = skip_ows(p, end);
        if (q == end || *q != ';')
            break;
        p = skip_ows(q + 1, end);
        ws_extension_param prm = { 0 };
        n = token_span(p, end);
        if (n == 0)
            return WS_E_HS_EXTENSIONS_SYNTAX;
        prm.name = p;
        prm.name_len = n;
        p += n;
        q = skip_ows(p, end);
        if (q < end && *q == '=') {
            p = skip_ows(q + 1, end);
            if (p < end && *p == '"') {
                int rc = parse_quoted_token(&p, end, &prm);
                if (rc != WS_OK)
                    return rc;
            } else {
                n = token_span(p, end);
                if (n == 0)
                    return WS_E_HS_EXTENSIONS_SYNTAX;
                prm.value = p;
                prm.value_len = n;
                p += n;
            }
        }
        if (store) {
            if (e->num_params == WS_EXTENSION_MAX_PARAMS)
                return WS_E_HS_TOO_MANY_ITEMS;
            e->params[e->num_params] = prm;
        }
        e->num_params++;
    }
    c->p = p;
    return WS_OK;
}

int ws_handshake_parse_extensions(const char *value, size_t len, ws_extension *out, size_t max,
                                  size_t *num)
{
    if (!num || (!value && len > 0))
        return WS_E_INVALID_ARGUMENT;
    if (len == 0)
        return WS_E_HS_EXTENSIONS_SYNTAX; /* 1#extension: at least one */
    list_cursor c = { value, value + len };
    size_t found = 0;
    while (list_next(&c)) {
        ws_extension e;
        int rc = parse_extension(&c, &e, out != NULL);
        if (rc != WS_OK)
            return rc;
        if (!list_after_element(&c))
            return WS_E_HS_EXTENSIONS_SYNTAX;
        if (out) {
            if (*num >= max)
                return WS_E_HS_TOO_MANY_ITEMS;
            out[*num] = e;
        }
        (*num)++;
        found++;
    }
    return found ? WS_OK : WS_E_HS_EXTENSIONS_SYNTAX;
}

int ws_extension_param_value(const ws_extension_param *p, char *out, size_t cap)
{
    if (!p || (!out && cap > 0))
        return WS_E_INVALID_ARGUMENT;
    if (!p->value)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < p->value_len; i++) {
        if (p->escaped && p->value[i] == '\\' && i + 1 < p->value_len)
            i++;
        if (n == cap || n == INT_MAX)
            return WS_E_BUFFER_TOO_SMALL;
        out[n++] = p->value[i];
    }
    return (int)n;
}

/* True if name is the name of an extension in the offer list (compared
 * exactly); *bad is set if the offer itself does not parse. */
static bool extension_offered(const char *offer, const char *name, size_t name_len, bool *bad)
{
    size_t offer_len = offer ? strlen(offer) : 0, count = 0;
    if (offer_len == 0)
        return false;
    if (ws_handshake_parse_extensions(offer, offer_len, NULL, 0, &count) != WS_OK) {
        *bad = true;
        return false;
    }
    list_cursor c = { offer, offer + offer_len };
    while (list_next(&c)) {
        ws_extension e;
        (void)parse_extension(&c, &e, false); /* cannot fail: parsed above */
        (void)list_after_element(&c);
        if (e.name_len == name_len && memcmp(e.name, name, name_len) == 0)
            return true;
    }
    return false;
}

/* True if token is one of the tokens of the offer list (compared exactly);
 * *bad is set if the offer itself does not parse. */
static bool protocol_offered(const char *offer, const char *token, size_t token_len, bool *bad)
{
    size_t offer_len = offer ? strlen(offer) : 0, count = 0;
    if (offer_len == 0)
        return false;
    if (ws_handshake_parse_protocols(offer, offer_len, NULL, 0, &count) != WS_OK) {
        *bad = true;
        return false;
    }
    list_cursor c = { offer, offer + offer_len };
    while (list_next(&c)) {
        size_t n = token_span(c.p, c.end);
        if (n == token_len && memcmp(c.p, token, n) == 0)
            return true;
        c.p += n;
        (void)list_after_element(&c);
    }
    return false;
}

/* ---- request target and authority (RFC 3986, RFC 7230 §5.3) ---------------- */

static bool is_unreserved(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_sub_delim(unsigned char c)
{
    return strchr("!$&'()*+,;=", c) != NULL && c != '\0';
}

/* Checks s[0 .. len) byte by byte against `allowed`, with "%" HEXDIG HEXDIG
 * accepted anywhere. */
static bool uri_chars(const char *s, size_t len, bool (*allowed)(unsigned char))
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (len - i < 3 || !is_hex((unsigned char)s[i + 1]) ||
                !is_hex((unsigned char)s[i + 2]))
                return false;
            i += 2;
        } else if (!allowed(c)) {
            return false;
        }
    }
    return true;
}

/* path-abempty [ "?" query ]: pchar, "/" and "?"; no "#" (§3: no fragments). */
static bool path_query_char(unsigned char c)
{
    return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/' || c == '?';
}

/* host [ ":" port ], host being a reg-name, IPv4 or IP-literal; no userinfo
 * (RFC 7230 §2.7.1 forbids sending it). */
static bool authority_char(unsigned char c)
{
    return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '[' || c == ']';
}

static bool valid_authority(const char *s, size_t len)
{
    return len > 0 && uri_chars(s, len, authority_char);
}

static bool valid_target(const char *t, size_t len)
{
    static const char *const schemes[] = { "http://", "https://", "ws://", "wss://" };
    if (len == 0)
        return false;
    if (t[0] == '/') /* origin-form */
        return uri_chars(t, len, path_query_char);
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (len < n || !ws_http_equal_nocase(t, n, schemes[i], n))
            continue;
        /* absolute-form: the authority runs to the first "/" or "?". */
        size_t a = n;
        while (a < len && t[a] != '/' && t[a] != '?')
            a++;
        return valid_authority(t + n, a - n) && uri_chars(t + a, len - a, path_query_char);
    }
    return false;
}

/* ---- server: reading the request (§4.2.1) ---------------------------------- */

int ws_handshake_check_request(const ws_http_request *req, ws_handshake_request_info *out)
{
    if (!req || !out || (!req->headers && req->num_headers > 0))
        return WS_E_INVALID_ARGUMENT;
    const ws_http_header *hs = req->headers;
    size_t n = req->num_headers;

    out->num_protocols = 0;
    out->num_extensions = 0;
    out->target = out->host = out->key = out->origin = NULL;
    out->target_len = out->host_len = out->key_len = out->origin_len = 0;

    /* Methods are case-sensitive (RFC 7231 §4.1). */
    if (req->method_len != 3 || memcmp(req->method, "GET", 3) != 0)
        return WS_E_HS_METHOD;
    if (req->version_major < 1 || (req->version_major == 1 && req->version_minor < 1))
        return WS_E_HS_HTTP_VERSION;
    if (!req->target || !valid_target(req->target, req->target_len))
        return WS_E_HS_REQUEST_TARGET;
    out->target = req->target;
    out->target_len = req->target_len;

    const ws_http_header *host = ws_http_find_header(hs, n, "Host", NULL);
    if (!host || ws_http_find_header(hs, n, "Host", host) ||
        !valid_authority(host->value, host->value_len))
        return WS_E_HS_HOST;
    out->host = host->value;
    out->host_len = host->value_len;

    if (!fields_list(hs, n, "Upgrade", "websocket"))
        return WS_E_HS_UPGRADE;
    if (!fields_list(hs, n, "Connection", "upgrade"))
        return WS_E_HS_CONNECTION;

    const ws_http_header *key = ws_http_find_header(hs, n, "Sec-WebSocket-Key", NULL);
    if (!key)
        return WS_E_HS_KEY_MISSING;
    if (ws_http_find_header(hs, n, "Sec-WebSocket-Key", key))
        return WS_E_HS_KEY_DUPLICATE;
    if (ws_handshake_check_key(key->value, key->value_len) != WS_OK)
        return WS_E_HS_KEY_INVALID;
    out->key = key->value;
    out->key_len = key->value_len;

    const ws_http_header *version = ws_http_find_header(hs, n, "Sec-WebSocket-Version", NULL);
    if (!version || ws_http_find_header(hs, n, "Sec-WebSocket-Version", version) ||
        version->value_len != 2 || memcmp(version->value, WS_HANDSHAKE_VERSION, 2) != 0)
        return WS_E_HS_VERSION;

    const ws_http_header *origin = ws_http_find_header(hs, n, "Origin", NULL);
    if (origin) {
        out->origin = origin->value;
        out->origin_len = origin->value_len;
    }

    /* Repeated offer fields form one list (§11.3.2, §11.3.4). */
    for (const ws_http_header *h = ws_http_find_header(hs, n, "Sec-WebSocket-Protocol", NULL); h;
         h = ws_http_find_header(hs, n, "Sec-WebSocket-Protocol", h)) {
        int rc = ws_handshake_parse_protocols(h->value, h->value_len, out->protocols,
                                              out->max_protocols, &out->num_protocols);
        if (rc != WS_OK)
            return rc;
    }
    for (const ws_http_header *h = ws_http_find_header(hs, n, "Sec-WebSocket-Extensions", NULL);
         h; h = ws_http_find_header(hs, n, "Sec-WebSocket-Extensions", h)) {
        int rc = ws_handshake_parse_extensions(h->value, h->value_len, out->extensions,
                                               out->max_extensions, &out->num_extensions);
        if (rc != WS_OK)
            return rc;
    }
    return WS_OK;
}

/* ---- client: reading the response (§4.1) ----------------------------------- */

int ws_handshake_check_response(const ws_http_response *res,
                                const ws_handshake_request_spec *spec,
                                ws_handshake_response_info *out)
{
    if (!res || !spec || !spec->key || (!res->headers && res->num_headers > 0))
        return WS_E_INVALID_ARGUMENT;
    const ws_http_header *hs = res->headers;
    size_t n = res->num_headers;

    if (res->status != 101)
        return WS_E_HS_STATUS;
    /* §4.1: the value itself must be "websocket", not merely list it. */
    const ws_http_header *upgrade = ws_http_find_header(hs, n, "Upgrade", NULL);
    if (!upgrade || ws_http_find_header(hs, n, "Upgrade", upgrade) ||
        !ws_http_equal_nocase(upgrade->value, upgrade->value_len, "websocket", 9))
        return WS_E_HS_RESPONSE_UPGRADE;
    if (!fields_list(hs, n, "Connection", "upgrade"))
        return WS_E_HS_RESPONSE_CONNECTION;

    const ws_http_header *accept = ws_http_find_header(hs, n, "Sec-WebSocket-Accept", NULL);
    if (!accept)
        return WS_E_HS_ACCEPT_MISSING;
    char want[WS_HANDSHAKE_ACCEPT_LEN + 1];
    int rc = ws_handshake_accept(spec->key, strlen(spec->key), want);
    if (rc != WS_OK)
        return rc;
    /* The parser has already dropped surrounding whitespace, which §4.1
     * item 4 says to ignore. */
    if (ws_http_find_header(hs, n, "Sec-WebSocket-Accept", accept) ||
        accept->value_len != WS_HANDSHAKE_ACCEPT_LEN ||
        memcmp(accept->value, want, WS_HANDSHAKE_ACCEPT_LEN) != 0)
        return WS_E_HS_ACCEPT_MISMATCH;

    const ws_http_header *ext = ws_http_find_header(hs, n, "Sec-WebSocket-Extensions", NULL);
    if (ext) {
        size_t count = 0;
        if (ws_http_find_header(hs, n, "Sec-WebSocket-Extensions", ext))
            return WS_E_HS_EXTENSIONS_SYNTAX;
        rc = ws_handshake_parse_extensions(ext->value, ext->value_len, NULL, 0, &count);
        if (rc != WS_OK)
            return rc;
        list_cursor c = { ext->value, ext->value + ext->value_len };
        while (list_next(&c)) {
            ws_extension e;
            bool bad = false;
            (void)parse_extension(&c, &e, false); /* cannot fail: parsed above */
            (void)list_after_element(&c);
            if (!extension_offered(spec->extensions, e.name, e.name_len, &bad))
                return bad ? WS_E_INVALID_ARGUMENT : WS_E_HS_EXTENSION_NOT_OFFERED;
        }
    }

    const ws_http_header *proto = ws_http_find_header(hs, n, "Sec-WebSocket-Protocol", NULL);
    if (proto) {
        bool bad = false;
        /* One token, chosen from the offer (§4.2.2 /subprotocol/). */
        if (ws_http_find_header(hs, n, "Sec-WebSocket-Protocol", proto) ||
            !ws_http_is_token(proto->value, proto->value_len))
            return WS_E_HS_PROTOCOL_NOT_OFFERED;
        if (!protocol_offered(spec->protocols, proto->value, proto->value_len, &bad))
            return bad ? WS_E_INVALID_ARGUMENT : WS_E_HS_PROTOCOL_NOT_OFFERED;
    }

    if (out) {
        out->protocol = proto ? proto->value : NULL;
        out->protocol_len = proto ? proto->value_len : 0;
        out->extensions = ext ? ext->value : NULL;
        out->extensions_len = ext ? ext->value_len : 0;
    }
    return WS_OK;
}

/* ---- writing heads ---------------------------------------------------------- */

typedef struct writer {
    char *out;
    size_t cap;
    size_t len;
    bool overflow;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->overflow || n == 0)
        return;
    if (n > w->cap - w->len || n > (size_t)INT_MAX - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->out + w->len, s, n);
    w->len += n;
}

static void put_str(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_uint(writer *w, unsigned long v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lu", v);
    put(w, digits, (size_t)n);
}

static void put_field(writer *w, const char *name, const char *value, size_t value_len)
{
    put_str(w, name);
    put(w, ": ", 2);
    put(w, value, value_len);
    put(w, "\r\n", 2);
}

static int finish(const writer *w)
{
    return w->overflow ? WS_E_BUFFER_TOO_SMALL : (int)w->len;
}

int ws_handshake_build_request(const ws_handshake_request_spec *spec, char *out, size_t cap)
{
    if (!spec || !out || !spec->host || !spec->key)
        return WS_E_INVALID_ARGUMENT;
    /* A CR or LF in a structured field would smuggle header lines; raw
     * lines belong in extra_headers. */
    if (has_crlf(spec->host) || has_crlf(spec->target) || has_crlf(spec->key) ||
        has_crlf(spec->origin) || has_crlf(spec->protocols) || has_crlf(spec->extensions) ||
        has_crlf(spec->version))
        return WS_E_INVALID_ARGUMENT;

    writer w = { out, cap, 0, false };
    put_str(&w, "GET ");
    put_str(&w, spec->target ? spec->target : "/");
    put_str(&w, " HTTP/1.1\r\nHost: ");
    /* An IPv6 literal is written in brackets (RFC 3986 §3.2.2). */
    bool bracket = strchr(spec->host, ':') != NULL && spec->host[0] != '[';
    if (bracket)
        put_str(&w, "[");
    put_str(&w, spec->host);
    if (bracket)
        put_str(&w, "]");
    /* §4.1 item 4: the port only when it is not the scheme's default. */
    if (spec->port != 0 && spec->port != (spec->secure ? 443 : 80)) {
        put_str(&w, ":");
        put_uint(&w, spec->port);
    }
    put_str(&w, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
    put_field(&w, "Sec-WebSocket-Key", spec->key, strlen(spec->key));
    const char *version = spec->version ? spec->version : WS_HANDSHAKE_VERSION;
    put_field(&w, "Sec-WebSocket-Version", version, strlen(version));
    if (spec->origin)
        put_field(&w, "Origin", spec->origin, strlen(spec->origin));
    if (spec->protocols)
        put_field(&w, "Sec-WebSocket-Protocol", spec->protocols, strlen(spec->protocols));
    if (spec->extensions)
        put_field(&w, "Sec-WebSocket-Extensions", spec->extensions, strlen(spec->extensions));
    if (spec->extra_headers)
        put_str(&w, spec->extra_headers);
    put_str(&w, "\r\n");
    return finish(&w);
}

static bool slice_has_crlf(const char *s, size_t len)
{
    return s && (memchr(s, '\r', len) || memchr(s, '\n', len));
}

int ws_handshake_build_response(const ws_handshake_response_spec *spec, char *out, size_t cap)
{
    if (!spec || !out || !spec->key)
        return WS_E_INVALID_ARGUMENT;
    if (slice_has_crlf(spec->protocol, spec->protocol_len) ||
        slice_has_crlf(spec->extensions, spec->extensions_len) ||
        (!spec->extra_headers && spec->extra_headers_len > 0))
        return WS_E_INVALID_ARGUMENT;

    char accept[WS_HANDSHAKE_ACCEPT_LEN + 1];
    int rc = ws_handshake_accept(spec->key, spec->key_len, accept);
    if (rc != WS_OK)
        return rc;

    writer w = { out, cap, 0, false };
    put_str(&w, "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n");
    put_field(&w, "Sec-WebSocket-Accept", accept, WS_HANDSHAKE_ACCEPT_LEN);
    if (spec->protocol)
        put_field(&w, "Sec-WebSocket-Protocol", spec->protocol, spec->protocol_len);
    if (spec->extensions)
        put_field(&w, "Sec-WebSocket-Extensions", spec->extensions, spec->extensions_len);
    if (spec->extra_headers)
        put(&w, spec->extra_headers, spec->extra_headers_len);
    put_str(&w, "\r\n");
    return finish(&w);
}

static const char *reason_phrase(unsigned status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Client Error" : "Server Error";
    }
}

int ws_handshake_build_error(int err, char *out, size_t cap)
{
    if (!out || err >= 0 || err == WS_NEED_MORE)
        return WS_E_INVALID_ARGUMENT;
    const ws_error_info *info = ws_error_lookup(err);
    unsigned status = info && info->http_status ? info->http_status : 500;
    const char *message = info ? info->message : "unknown error";
    const char *section = info ? info->rfc_section : "";

    /* Body: "<message> (<section>)\n", or "<message>\n" without a section. */
    size_t body_len = strlen(message) + 1;
    if (section[0])
        body_len += strlen(section) + 3;

    writer w = { out, cap, 0, false };
    put_str(&w, "HTTP/1.1 ");
    put_uint(&w, status);
    put_str(&w, " ");
    put_str(&w, reason_phrase(status));
    put_str(&w, "\r\n");
    if (status == 426)
        /* §4.2.2 /version/; RFC 7230 §6.7: a 426 names the protocol to
         * upgrade to, and whoever sends Upgrade lists it in Connection. */
        put_str(&w, "Upgrade: websocket\r\nSec-WebSocket-Version: " WS_HANDSHAKE_VERSION "\r\n");
    if (status == 405)
        put_str(&w, "Allow: GET\r\n"); /* RFC 7231 §6.5.5 */
    put_str(&w, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
    put_uint(&w, (unsigned long)body_len);
    put_str(&w, status == 426 ? "\r\nConnection: Upgrade, close\r\n\r\n"
                              : "\r\nConnection: close\r\n\r\n");
    put_str(&w, message);
    if (section[0]) {
        put_str(&w, " (");
        put_str(&w, section);
        put_str(&w, ")");
    }
    put_str(&w, "\n");
    return finish(&w);
}

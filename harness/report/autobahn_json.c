/*
 * Autobahn|Testsuite's JSON reports (reports.h): DIR/index.json, keyed by
 * agent then case id, and one DIR/<agent>_case_<id>.json per played case, in
 * the byte layout Autobahn writes (keys sorted, 3-space indent, ASCII with
 * \u escapes), so scripts written for Autobahn's reports read these
 * unchanged (tungstenite-rs diffs index.json without "duration" against a
 * committed baseline; aiohttp, ws and others read the verdicts).
 *
 * The verdict names are Autobahn's. Cases with ids Autobahn does not have
 * (H.*, M.*, P.*, L.*, ...) are reported under their own ids like any other.
 * NOT RUN has no Autobahn verdict: Autobahn leaves a case it did not play
 * out of index.json (its HTML report shows it as "Missing"), and so do we,
 * with no per-case file; a baseline diff then shows the case as gone.
 */
#include "lang/names.h"
#include "report/report_paths.h"
#include "report/reports.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wscodec/error.h"
#include "wscodec/utf8.h"

/* Longest opening-handshake head taken from the wire log. */
#define HTTP_HEAD_MAX RUN_DOC_HTTP_HEAD_MAX
/* Payload bytes shown per frame, message or octet row, as Autobahn does. */
#define SHOWN_BYTES 64u

/* ---- JSON in Autobahn's layout -------------------------------------- */

static void put_string(FILE *f, const char *s)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        unsigned char b = *p;
        if (b == '"' || b == '\\') {
            fputc('\\', f), fputc(b, f), p++;
            continue;
        }
        if (b >= 0x20 && b < 0x7f) {
            size_t run = 1;
            while (p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
                run++;
            fwrite(p, 1, run, f);
            p += run;
            continue;
        }
        const char *short_form = b == '\n' ? "\\n" : b == '\r' ? "\\r" : b == '\t' ? "\\t"
                               : b == '\b' ? "\\b" : b == '\f' ? "\\f" : NULL;
        if (short_form) {
            fputs(short_form, f), p++;
            continue;
        }
        /* One UTF-8 character; a byte that starts none is U+FFFD. */
        uint32_t cp;
        size_t len = ws_utf8_decode((const uint8_t *)p, strnlen((const char *)p, 4), &cp);
        if (len == 0)
            cp = 0xfffd, len = 1;
        if (cp >= 0x10000) {
            uint32_t u = cp - 0x10000;
            uint32_t hi = 0xd800 | u >> 10, lo = 0xdc00 | (u & 0x3ff);
            fprintf(f, "\\u%04x\\u%04x", (unsigned)hi, (unsigned)lo);
        } else {
            fputs("\\u", f);
            for (int shift = 12; shift >= 0; shift -= 4)
                fputc(digits[cp >> shift & 15], f);
        }
        p += len;
    }
    fputc('"', f);
}

/* Integers as integers; other numbers in the shortest form that reads back. */
static void put_number(FILE *f, double v)
{
    if (v != v || v - v != 0) { /* NaN or infinite: JSON has no such number */
        fputs("null", f);
    } else if (v > -9007199254740992.0 && v < 9007199254740992.0 && v == (double)(long long)v) {
        fprintf(f, "%lld", (long long)v);
    } else {
        char text[40];
        for (int digits = 1; digits <= 17; digits++) {
            snprintf(text, sizeof text, "%.*g", digits, v);
            if (strtod(text, NULL) == v)
                break;
        }
        fputs(text, f);
    }
}

static int by_key(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void put_indent(FILE *f, int depth)
{
    static const char spaces[] = "\n                                                ";
    size_t n = 1 + 3 * (size_t)depth;
    if (n < sizeof spaces)
        fwrite(spaces, 1, n, f);
    else
        fprintf(f, "\n%*s", 3 * depth, "");
}

/* Python's json.dumps(v, indent=3, sort_keys=True), which Autobahn uses. */
static void put_value(FILE *f, const cJSON *v, int depth)
{
    if (cJSON_IsString(v)) {
        put_string(f, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsNumber(v)) {
        put_number(f, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        fputs(cJSON_IsTrue(v) ? "true" : "false", f);
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool object = cJSON_IsObject(v);
        size_t n = (size_t)cJSON_GetArraySize(v);
        if (n == 0) {
            fputs(object ? "{}" : "[]", f);
            return;
        }
        const cJSON **items = malloc(n * sizeof *items);
        if (!items)
            abort();
        size_t k = 0;
        for (const cJSON *c = v->child; c && k < n; c = c->next)
            items[k++] = c;
        if (object)
            qsort(items, k, sizeof *items, by_key);
        fputc(object ? '{' : '[', f);
        for (size_t i = 0; i < k; i++) {
            if (i)
                fputc(',', f);
            put_indent(f, depth + 1);
            if (object) {
                put_string(f, items[i]->string);
                fputs(": ", f);
            }
            put_value(f, items[i], depth + 1);
        }
        put_indent(f, depth);
        fputc(object ? '}' : ']', f);
        free(items);
    } else {
        fputs("null", f);
    }
}

/* Writes json to path as Autobahn does (no newline after the last brace).
 * 0, or -1 with err. */
static int write_json_file(const char *path, const cJSON *json, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    put_value(f, json, 0);
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        snprintf(err, errlen, "%s: write error", path);
        return -1;
    }
    return 0;
}

/* ---- names ----------------------------------------------------------- */

/* Autobahn's per-case file name: the agent lower-cased with every character
 * outside [a-z0-9] as '_', "_case_", the id with '.' as '_', ".json". A
 * multi-byte UTF-8 character is one character. Returns a malloc'd string. */
static char *report_file_name(const char *agent, const char *id)
{
    size_t cap = strlen(agent) + strlen(id) + sizeof "_case_.json";
    char *name = malloc(cap), *o = name;
    if (!name)
        abort();
    o += report_agent_slug(agent, name, cap);
    o += sprintf(o, "_case_");
    for (const char *p = id; *p; p++)
        *o++ = *p == '.' ? '_' : *p;
    strcpy(o, ".json");
    return name;
}

/* The opcode number of a frame's "opcode" (as opcode_name() writes it: a
 * name, or a number as text). */
static int opcode_number(const char *name)
{
    int op;
    if (name_lookup(&opcode_names, name, strlen(name), &op))
        return op;
    char *end;
    long n = strtol(name, &end, 10);
    return *name && !*end && n >= 0 && n < 16 ? (int)n : -1;
}

/* ---- bytes from the per-case file ----------------------------------- */

/* A payload of `total` bytes, of which the first n are known, as Autobahn
 * shows it: the text when it is UTF-8, else "0x" and the hex; at most
 * SHOWN_BYTES bytes. When bytes are left out, a character they cut is left
 * out of the text form. */
static cJSON *shown_payload(const uint8_t *p, size_t n, double total)
{
    if (n > SHOWN_BYTES)
        n = SHOWN_BYTES;
    size_t cuts = (double)n < total ? 4 : 1;
    for (size_t cut = 0; cut < cuts && cut <= n; cut++) {
        if (ws_utf8_validate(p, n - cut, NULL) == WS_OK) {
            char text[SHOWN_BYTES + 1];
            memcpy(text, p, n - cut);
            text[n - cut] = '\0';
            if (strlen(text) == n - cut) /* no NUL inside */
                return cJSON_CreateString(text);
            break;
        }
    }
    char hex[2 + 2 * SHOWN_BYTES + 1] = "0x";
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 + 2 * i, 3, "%02x", p[i]);
    return cJSON_CreateString(hex);
}

/* ---- the per-case report --------------------------------------------- */

/* The expect and close lines of the case as played, one per line, the gap
 * after the keyword made a single space. */
static char *expectation_text(const char *case_text)
{
    size_t cap = strlen(case_text) + 1, o = 0;
    char *out = malloc(cap);
    if (!out)
        abort();
    for (const char *line = case_text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *p = line;
        while (p < line + len && (*p == ' ' || *p == '\t'))
            p++;
        size_t word = 0;
        while (p + word < line + len && p[word] != ' ' && p[word] != '\t')
            word++;
        if ((word == 6 && strncmp(p, "expect", 6) == 0) ||
            (word == 5 && strncmp(p, "close", 5) == 0)) {
            const char *rest = p + word;
            while (rest < line + len && (*rest == ' ' || *rest == '\t'))
                rest++;
            if (o)
                out[o++] = '\n';
            memcpy(out + o, p, word);
            o += word;
            if (rest < line + len) {
                out[o++] = ' ';
                memcpy(out + o, rest, (size_t)(line + len - rest));
                o += (size_t)(line + len - rest);
            }
        }
        line += len + (end ? 1 : 0);
    }
    out[o] = '\0';
    return out;
}

/* The head of one direction's byte stream, up to and with the blank line
 * that ends it (or all that was logged when there is none), as text. NULL
 * when the log does not start at the first byte. */
static char *http_head(const cJSON *detail, const char *direction)
{
    uint8_t *buf = malloc(HTTP_HEAD_MAX + 1);
    if (!buf)
        abort();
    bool complete;
    size_t n = run_doc_http_head(detail, direction, buf, HTTP_HEAD_MAX, &complete);
    if (n == 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = '?'; /* a C string cannot carry NUL */
    return (char *)buf;
}

/* One row of the wire log, with its time and an order for equal times:
 * bytes in, then their frames, then frames out, then their bytes (a reply
 * follows what it answers). */
typedef struct wire_row {
    double at_us;
    int rank;
    size_t seq;
    cJSON *row;
} wire_row;

typedef struct wire_rows {
    wire_row *rows;
    size_t count, cap;
} wire_rows;

static void add_row(wire_rows *w, double at_us, int rank, cJSON *row)
{
    if (w->count == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 64;
        w->rows = realloc(w->rows, w->cap * sizeof *w->rows);
        if (!w->rows)
            abort();
    }
    w->rows[w->count] = (wire_row){at_us, rank, w->count, row};
    w->count++;
}

static int by_time(const void *a, const void *b)
{
    const wire_row *x = a, *y = b;
    if (x->at_us != y->at_us)
        return x->at_us < y->at_us ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* TO/RO rows: the length of a chunk and the hex of its first bytes. */
static void add_octet_rows(wire_rows *w, const cJSON *direction, bool out)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(direction, "chunks")) {
        const char *hex = json_string(c, "hex", "");
        size_t shown = strlen(hex) / 2 < SHOWN_BYTES ? strlen(hex) / 2 : SHOWN_BYTES;
        char head[2 * SHOWN_BYTES + 1];
        memcpy(head, hex, 2 * shown);
        head[2 * shown] = '\0';
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(row, cJSON_CreateString(out ? "TO" : "RO"));
        cJSON *octets = cJSON_CreateArray();
        cJSON_AddItemToArray(octets, cJSON_CreateNumber(json_number(c, "length", 0)));
        cJSON_AddItemToArray(octets, cJSON_CreateString(head));
        cJSON_AddItemToArray(row, octets);
        if (out)
            cJSON_AddItemToArray(row, cJSON_CreateFalse()); /* sync: never used */
        add_row(w, json_number(c, "at_us", 0), out ? 3 : 0, row);
    }
}

/* The logged payload of a frame: a close frame's code, then its first bytes
 * (kept as text or as hex). */
static size_t frame_payload(const cJSON *frame, uint8_t *out, size_t cap)
{
    size_t n = 0;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(frame, "close_code");
    if (cJSON_IsNumber(code) && cap >= 2) {
        out[n++] = (uint8_t)(code->valueint >> 8);
        out[n++] = (uint8_t)code->valueint;
    }
    const char *text = json_string(frame, "text", NULL);
    if (text) {
        size_t len = strlen(text);
        len = len < cap - n ? len : cap - n;
        memcpy(out + n, text, len);
        n += len;
    } else {
        n += json_hex_decode(json_string(frame, "hex", ""), out + n, cap - n);
    }
    return n;
}

/* TF rows ([len, payload], opcode, fin, rsv, mask, repeat, chop, sync) and
 * RF rows ([len, payload], opcode, fin, rsv, masked, mask); the masking keys
 * are not logged. */
static void add_frame_rows(wire_rows *w, const cJSON *direction, bool out)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(direction, "list")) {
        uint8_t bytes[SHOWN_BYTES + 2];
        size_t n = frame_payload(f, bytes, sizeof bytes);
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(row, cJSON_CreateString(out ? "TF" : "RF"));
        cJSON *shown = cJSON_CreateArray();
        cJSON_AddItemToArray(shown, cJSON_CreateNumber(json_number(f, "length", 0)));
        cJSON_AddItemToArray(shown, shown_payload(bytes, n, json_number(f, "length", 0)));
        cJSON_AddItemToArray(row, shown);
        cJSON_AddItemToArray(row,
                             cJSON_CreateNumber(opcode_number(json_string(f, "opcode", ""))));
        cJSON_AddItemToArray(row, cJSON_CreateBool(json_bool(f, "fin", true)));
        cJSON_AddItemToArray(row, cJSON_CreateNumber(json_number(f, "rsv", 0)));
        if (out) {
            cJSON_AddItemToArray(row, cJSON_CreateNull());
            cJSON_AddItemToArray(row, cJSON_CreateNull());
            cJSON_AddItemToArray(row, cJSON_CreateNull());
            cJSON_AddItemToArray(row, cJSON_CreateFalse());
        } else {
            cJSON_AddItemToArray(row, cJSON_CreateBool(json_bool(f, "masked", false)));
            cJSON_AddItemToArray(row, cJSON_CreateNull());
        }
        add_row(w, json_number(f, "at_us", 0), out ? 2 : 1, row);
    }
}

/* The wire log in time order: octets from the chunks, frames decoded. */
static cJSON *wirelog_json(const cJSON *detail)
{
    const cJSON *wire = cJSON_GetObjectItemCaseSensitive(detail, "wire");
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(detail, "frames");
    wire_rows w = {0};
    add_octet_rows(&w, cJSON_GetObjectItemCaseSensitive(wire, "out"), true);
    add_octet_rows(&w, cJSON_GetObjectItemCaseSensitive(wire, "in"), false);
    add_frame_rows(&w, cJSON_GetObjectItemCaseSensitive(frames, "out"), true);
    add_frame_rows(&w, cJSON_GetObjectItemCaseSensitive(frames, "in"), false);
    qsort(w.rows, w.count, sizeof *w.rows, by_time);
    cJSON *log = cJSON_CreateArray();
    for (size_t i = 0; i < w.count; i++)
        cJSON_AddItemToArray(log, w.rows[i].row);
    free(w.rows);
    return log;
}

/* {chunk length: count} of one direction, or NULL when chunks were left out
 * of the log (the counts would be wrong). */
static cJSON *octet_stats(const cJSON *direction)
{
    if (json_number(direction, "chunks_omitted", 0) != 0)
        return NULL;
    cJSON *stats = cJSON_CreateObject();
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(direction, "chunks")) {
        char key[32];
        snprintf(key, sizeof key, "%.0f", json_number(c, "length", 0));
        cJSON *n = cJSON_GetObjectItemCaseSensitive(stats, key);
        if (n)
            cJSON_SetNumberValue(n, n->valuedouble + 1);
        else
            cJSON_AddNumberToObject(stats, key, 1);
    }
    return stats;
}

/* {opcode: count} of one direction, or NULL when frames were left out. */
static cJSON *frame_stats(const cJSON *direction)
{
    if (json_number(direction, "omitted", 0) != 0)
        return NULL;
    double counts[16] = {0};
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(direction, "list")) {
        int op = opcode_number(json_string(f, "opcode", ""));
        if (op >= 0)
            counts[op]++;
    }
    cJSON *stats = cJSON_CreateObject();
    for (int op = 0; op < 16; op++)
        if (counts[op]) {
            char key[4];
            snprintf(key, sizeof key, "%d", op);
            cJSON_AddNumberToObject(stats, key, counts[op]);
        }
    return stats;
}

static void add_optional(cJSON *obj, const char *key, cJSON *value)
{
    cJSON_AddItemToObject(obj, key, value ? value : cJSON_CreateNull());
}

/* A received event as Autobahn lists it: ["message", payload, binary],
 * ["ping", payload], ["pong", payload], ["timeout", tag], ["http", status].
 * A message checked as the echo of a sent one on arrival kept no bytes: its
 * payload names the message it echoed. */
static cJSON *event_json(const cJSON *e)
{
    const char *type = json_string(e, "type", "?");
    cJSON *row = cJSON_CreateArray();
    cJSON_AddItemToArray(row, cJSON_CreateString(type));
    if (strcmp(type, "timeout") == 0) {
        cJSON_AddItemToArray(row, cJSON_CreateString(json_string(e, "tag", "")));
        return row;
    }
    if (strcmp(type, "http") == 0) {
        cJSON_AddItemToArray(row, cJSON_CreateNumber(json_number(e, "status", 0)));
        return row;
    }
    const cJSON *echo = cJSON_GetObjectItemCaseSensitive(e, "echo_of");
    if (cJSON_IsNumber(echo)) {
        char text[96];
        snprintf(text, sizeof text, "<echo of sent message %d, %.0f bytes>", echo->valueint + 1,
                 json_number(e, "length", 0));
        cJSON_AddItemToArray(row, cJSON_CreateString(text));
    } else {
        uint8_t head[SHOWN_BYTES];
        size_t n = json_hex_decode(json_string(e, "head_hex", ""), head, sizeof head);
        cJSON_AddItemToArray(row, shown_payload(head, n, json_number(e, "length", 0)));
    }
    if (strcmp(type, "message") == 0)
        cJSON_AddItemToArray(row,
                             cJSON_CreateBool(strcmp(json_string(e, "opcode", ""), "binary") == 0));
    return row;
}

static bool timer_fired(const cJSON *detail, const char *name)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(detail, "timers_fired"))
        if (cJSON_IsString(t) && strcmp(t->valuestring, name) == 0)
            return true;
    return false;
}

/* Autobahn's durations are whole milliseconds. */
static double whole_ms(double ms)
{
    return ms > 0 ? (double)(long long)(ms + 0.5) : 0;
}

static cJSON *code_or_null(int code)
{
    return code >= 0 ? cJSON_CreateNumber(code) : cJSON_CreateNull();
}

/* The fields taken from the per-case file (detail), when there is one. */
static void add_observations(cJSON *doc, const run_case *c, const cJSON *detail)
{
    char *expected = expectation_text(json_string(detail, "case_text", ""));
    cJSON_AddStringToObject(doc, "expectation", expected);
    free(expected);
    cJSON *received = cJSON_AddArrayToObject(doc, "received");
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(detail, "events"))
        cJSON_AddItemToArray(received, event_json(e));

    cJSON_AddBoolToObject(doc, "closedByMe",
                          strcmp(json_string(detail, "closed_by", ""), "suite") == 0);
    cJSON_AddBoolToObject(doc, "droppedByMe",
                          strcmp(json_string(detail, "tcp_closed_by", ""), "suite") == 0);
    cJSON_AddBoolToObject(doc, "wasClean", json_bool(detail, "clean", false));
    cJSON_AddBoolToObject(doc, "wasOpenHandshakeTimeout", timer_fired(detail, "handshake"));
    cJSON_AddBoolToObject(doc, "wasServerConnectionDropTimeout", timer_fired(detail, "close-wait"));
    cJSON_AddItemToObject(doc, "localCloseCode",
                          code_or_null((int)json_number(detail, "local_close_code", -1)));
    const char *reason = json_string(detail, "remote_close_reason", "");
    cJSON_AddItemToObject(doc, "remoteCloseReason",
                          c->remote_close_code >= 0 && *reason ? cJSON_CreateString(reason)
                                                               : cJSON_CreateNull());

    const cJSON *wire = cJSON_GetObjectItemCaseSensitive(detail, "wire");
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(detail, "frames");
    char *request = http_head(detail, "out");
    char *response = http_head(detail, "in");
    add_optional(doc, "httpRequest", request ? cJSON_CreateString(request) : NULL);
    add_optional(doc, "httpResponse", response ? cJSON_CreateString(response) : NULL);
    free(request);
    free(response);

    cJSON *tx_octets = octet_stats(cJSON_GetObjectItemCaseSensitive(wire, "out"));
    cJSON *rx_octets = octet_stats(cJSON_GetObjectItemCaseSensitive(wire, "in"));
    cJSON *tx_frames = frame_stats(cJSON_GetObjectItemCaseSensitive(frames, "out"));
    cJSON *rx_frames = frame_stats(cJSON_GetObjectItemCaseSensitive(frames, "in"));
    cJSON_AddBoolToObject(doc, "createStats", tx_octets && rx_octets && tx_frames && rx_frames);
    add_optional(doc, "txOctetStats", tx_octets);
    add_optional(doc, "rxOctetStats", rx_octets);
    add_optional(doc, "txFrameStats", tx_frames);
    add_optional(doc, "rxFrameStats", rx_frames);
    cJSON_AddBoolToObject(doc, "createWirelog", true);
    cJSON_AddItemToObject(doc, "wirelog", wirelog_json(detail));
}

static cJSON *case_report(const run_doc *run, const run_case *c, size_t index,
                          const cJSON *detail)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "agent", run->agent);
    cJSON_AddStringToObject(doc, "id", c->id);
    cJSON_AddNumberToObject(doc, "case", (double)(index + 1));
    const char *requirement = json_string(c->json, "requirement", "");
    size_t n = strlen(c->title) + strlen(c->rfc) + strlen(requirement) + 32;
    char *description = malloc(n);
    if (!description)
        abort();
    snprintf(description, n, "%s%s%s%s%s", c->title, *c->rfc ? "\n\nRFC 6455 section " : "",
             c->rfc, *requirement ? (*c->rfc ? ": " : "\n\n") : "", requirement);
    cJSON_AddStringToObject(doc, "description", description);
    free(description);
    /* Cases run side by side: the run's start is the closest time recorded. */
    cJSON_AddStringToObject(doc, "started", run->started_at);
    cJSON_AddNumberToObject(doc, "duration", whole_ms(c->duration_ms));
    cJSON_AddStringToObject(doc, "behavior", c->outcome);
    cJSON_AddStringToObject(doc, "behaviorClose", c->close_outcome);
    /* One reason covers both verdicts: it goes where the verdict is not OK. */
    bool events_ok = strcmp(c->outcome, "OK") == 0;
    bool close_ok = strcmp(c->close_outcome, "OK") == 0;
    cJSON_AddStringToObject(doc, "result",
                            !events_ok && *c->reason ? c->reason : "matched the expected events");
    cJSON_AddStringToObject(doc, "resultClose",
                            !close_ok && *c->reason ? c->reason : "closed as expected");
    cJSON_AddBoolToObject(doc, "isServer", false);
    cJSON_AddItemToObject(doc, "remoteCloseCode", code_or_null(c->remote_close_code));
    if (detail)
        add_observations(doc, c, detail);
    return doc;
}

/* ---- the report ------------------------------------------------------ */

/* Two runs may not share an agent, nor two agents the agent part of their
 * file names: one would overwrite the other. */
static int check_agents(const run_doc *runs, size_t count, char *err, size_t errlen)
{
    for (size_t i = 0; i < count; i++)
        for (size_t k = i + 1; k < count; k++) {
            char *a = report_file_name(runs[i].agent, "1");
            char *b = report_file_name(runs[k].agent, "1");
            int clash = strcmp(a, b) == 0;
            free(a);
            free(b);
            if (clash) {
                snprintf(err, errlen,
                         "%s and %s: agents \"%s\" and \"%s\" give the same Autobahn report "
                         "names; run again with distinct --agent names",
                         runs[i].path, runs[k].path, runs[i].agent, runs[k].agent);
                return -1;
            }
        }
    return 0;
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path)
        abort();
    snprintf(path, n, "%s/%s", dir, name);
    return path;
}

/* Loads the per-case file of c into *detail: NULL when the run has none for
 * it (a results.json copied alone). 0, or -1 with err when it is there but
 * cannot be read. */
static int load_detail(const run_doc *run, const run_case *c, cJSON **detail, char *err,
                       size_t errlen)
{
    *detail = NULL;
    char *path = join_path(run->dir, "cases");
    struct stat st;
    bool folder = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    free(path);
    if (!folder)
        return 0;
    *detail = run_doc_case_detail(run, c->id, err, errlen);
    return *detail ? 0 : -1;
}

/* Writes one run's per-case files and adds its entries to index. */
static int write_run(const run_doc *run, const char *dir, cJSON *index, char *err, size_t errlen)
{
    cJSON *cases = cJSON_AddObjectToObject(index, run->agent);
    for (size_t i = 0; i < run->count; i++) {
        const run_case *c = &run->cases[i];
        if (strcmp(c->outcome, "NOT RUN") == 0)
            continue;
        if (cJSON_GetObjectItemCaseSensitive(cases, c->id)) {
            snprintf(err, errlen, "%s: case %s is there twice", run->path, c->id);
            return -1;
        }
        char *name = report_file_name(run->agent, c->id);
        cJSON *entry = cJSON_AddObjectToObject(cases, c->id);
        cJSON_AddStringToObject(entry, "behavior", c->outcome);
        cJSON_AddStringToObject(entry, "behaviorClose", c->close_outcome);
        cJSON_AddNumberToObject(entry, "duration", whole_ms(c->duration_ms));
        cJSON_AddItemToObject(entry, "remoteCloseCode", code_or_null(c->remote_close_code));
        cJSON_AddStringToObject(entry, "reportfile", name);

        cJSON *detail;
        if (load_detail(run, c, &detail, err, errlen) != 0) {
            free(name);
            return -1;
        }
        cJSON *doc = case_report(run, c, i, detail);
        cJSON_Delete(detail);
        char *path = join_path(dir, name);
        int rc = write_json_file(path, doc, err, errlen);
        free(path);
        free(name);
        cJSON_Delete(doc);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int report_autobahn_json(const run_doc *runs, size_t count, const char *dir, char *err,
                         size_t errlen)
{
    if (check_agents(runs, count, err, errlen) != 0)
        return -1;
    if (report_make_dirs(dir, err, errlen) != 0)
        return -1;
    cJSON *index = cJSON_CreateObject();
    int rc = 0;
    for (size_t r = 0; r < count && rc == 0; r++)
        rc = write_run(&runs[r], dir, index, err, errlen);
    if (rc == 0) {
        /* index.json last, and whole: a reader never sees half of it */
        char *path = join_path(dir, "index.json"), *tmp = join_path(dir, ".index.json.tmp");
        rc = write_json_file(tmp, index, err, errlen);
        if (rc == 0 && rename(tmp, path) != 0) {
            snprintf(err, errlen, "%s: cannot replace with %s: %s", path, tmp, strerror(errno));
            rc = -1;
        }
        if (rc != 0)
            remove(tmp);
        free(path);
        free(tmp);
    }
    cJSON_Delete(index);
    return rc;
}

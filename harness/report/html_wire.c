/* A case's wire log on its page: the opening handshake both ways, the
 * decoded frames and an annotated hex dump of the chunks (html_pages.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_pages.h"

/* The dump shows at most this many bytes of one chunk, and of one page:
 * beyond that a chunk is only named (its bytes stay in cases/<id>.json). */
#define DUMP_CHUNK_MAX 1024
#define DUMP_PAGE_MAX (48u << 10)
/* How much of each stream may hold the HTTP head. */
#define HEAD_MAX RUN_DOC_HTTP_HEAD_MAX

static const char *const dir_keys[2] = {"out", "in"};
static const char *const dir_names[2] = {"ours", "peer's"};

static const cJSON *chunks_of(const cJSON *detail, int d)
{
    const cJSON *wire = cJSON_GetObjectItemCaseSensitive(detail, "wire");
    const cJSON *dir = cJSON_GetObjectItemCaseSensitive(wire, dir_keys[d]);
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(dir, "chunks");
    return cJSON_IsArray(chunks) ? chunks : NULL;
}

void html_handshake(html_buf *b, const cJSON *detail)
{
    static const char *const titles[2] = {"Request (ours)", "Response (the peer's)"};
    uint8_t *buf = malloc(HEAD_MAX);
    if (!buf)
        abort();
    hb_raw(b, "<div class=\"pair\">");
    for (int d = 0; d < 2; d++) {
        bool complete;
        size_t n = run_doc_http_head(detail, dir_keys[d], buf, HEAD_MAX, &complete);
        hb_printf(b, "<div><h3>%s</h3><pre class=\"box dir-%s\">", titles[d], dir_keys[d]);
        /* line by line, CR LF shown as a line end; a lone CR stays visible */
        for (size_t i = 0; i < n;) {
            size_t end = i;
            while (end < n && buf[end] != '\n')
                end++;
            size_t line = end > i && buf[end - 1] == '\r' && end < n ? end - 1 - i : end - i;
            hb_bytes(b, buf + i, line);
            if (end < n)
                hb_raw(b, "\n");
            i = end + 1;
        }
        hb_raw(b, "</pre>");
        if (n == 0)
            hb_raw(b, "<p class=\"note\">no bytes at the start of the log</p>");
        else if (!complete)
            hb_printf(b, "<p class=\"note\">no blank line in the first %zu bytes kept: the "
                         "head is incomplete</p>", n);
        hb_raw(b, "</div>");
    }
    hb_raw(b, "</div>\n");
    free(buf);
}

typedef struct timed {
    const cJSON *item;
    int dir;
    double at_us;
    size_t order;
} timed;

static int compare_timed(const void *a, const void *b)
{
    const timed *x = a, *y = b;
    if (x->at_us != y->at_us)
        return x->at_us < y->at_us ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Items of both directions' arrays, merged by time (ours first at a tie). */
static timed *merge_by_time(const cJSON *lists[2], size_t *count)
{
    size_t n = 0;
    for (int d = 0; d < 2; d++)
        n += lists[d] ? (size_t)cJSON_GetArraySize(lists[d]) : 0;
    timed *all = calloc(n ? n : 1, sizeof *all);
    if (!all)
        abort();
    size_t k = 0;
    for (int d = 0; d < 2; d++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, lists[d]) {
            all[k] = (timed){it, d, json_number(it, "at_us", 0), k};
            k++;
        }
    }
    qsort(all, k, sizeof *all, compare_timed);
    *count = k;
    return all;
}

void html_frames(html_buf *b, const cJSON *detail)
{
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(detail, "frames");
    const cJSON *lists[2];
    hb_raw(b, "<p>");
    for (int d = 0; d < 2; d++) {
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(frames, dir_keys[d]);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(dir, "list");
        lists[d] = cJSON_IsArray(list) ? list : NULL;
        hb_printf(b, "%s<span class=\"dir-%s\">%s: %.0f frames", d ? "; " : "", dir_keys[d],
                  dir_names[d], json_number(dir, "total", 0));
        double omitted = json_number(dir, "omitted", 0);
        if (omitted > 0)
            hb_printf(b, ", %.0f not kept (the log keeps the first and the last)", omitted);
        hb_raw(b, "</span>");
    }
    hb_raw(b, "</p>\n");
    size_t n;
    timed *all = merge_by_time(lists, &n);
    hb_raw(b, "<table class=\"frames\"><tr><th>At</th><th>From</th><th>Opcode</th><th>FIN</th>"
              "<th>RSV</th><th>Mask</th><th>Length</th><th>Close code</th>"
              "<th>Payload (start)</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        if (!html_list_item(b, i, n, 9))
            continue;
        const cJSON *f = all[i].item;
        int d = all[i].dir;
        double before = json_number(f, "omitted_before", 0);
        if (before > 0)
            hb_printf(b, "<tr class=\"dir-%s\"><td colspan=\"9\" class=\"note\">%.0f of the "
                         "%s frames not kept here</td></tr>\n", dir_keys[d], before,
                      dir_names[d]);
        hb_printf(b, "<tr class=\"dir-%s\"><td class=\"mono\">", dir_keys[d]);
        html_time_us(b, all[i].at_us);
        hb_printf(b, "</td><td>%s</td><td>", dir_names[d]);
        hb_text(b, json_string(f, "opcode", "?"));
        hb_printf(b, "</td><td>%s</td><td>%.0f</td><td>%s</td><td class=\"mono\">%.0f</td><td>",
                  json_bool(f, "fin", false) ? "1" : "0", json_number(f, "rsv", 0),
                  json_bool(f, "masked", false) ? "masked" : "-", json_number(f, "length", 0));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(f, "close_code")))
            hb_printf(b, "%.0f", json_number(f, "close_code", 0));
        hb_raw(b, "</td><td class=\"mono\">");
        const char *text = json_string(f, "text", NULL);
        if (text) {
            hb_raw(b, "&quot;");
            hb_text(b, text);
            hb_raw(b, "&quot;");
        } else {
            hb_text(b, json_string(f, "hex", ""));
        }
        hb_raw(b, "</td></tr>\n");
    }
    hb_raw(b, "</table>\n");
    free(all);
}

/* Lines of 16 bytes: stream offset, hex, and the printable ASCII. */
static void dump_lines(html_buf *b, const uint8_t *p, size_t n, unsigned long long offset)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t at = 0; at < n; at += 16) {
        size_t k = n - at < 16 ? n - at : 16;
        char line[160];
        size_t o = (size_t)snprintf(line, sizeof line, "%08llx  ", offset + at);
        for (size_t i = 0; i < 16; i++) {
            if (i < k) {
                line[o++] = digits[p[at + i] >> 4];
                line[o++] = digits[p[at + i] & 15];
            } else {
                line[o++] = ' ';
                line[o++] = ' ';
            }
            line[o++] = ' ';
            if (i == 7)
                line[o++] = ' ';
        }
        line[o++] = ' ';
        line[o++] = '|';
        hb_rawn(b, line, o);
        for (size_t i = 0; i < k; i++) {
            uint8_t c = p[at + i];
            if (c < 0x20 || c > 0x7e)
                hb_rawn(b, ".", 1);
            else
                hb_bytes(b, &c, 1); /* escapes & < > " ' */
        }
        hb_raw(b, "|\n");
    }
}

void html_wire_dump(html_buf *b, const cJSON *detail)
{
    const cJSON *wire = cJSON_GetObjectItemCaseSensitive(detail, "wire");
    const cJSON *lists[2];
    hb_raw(b, "<p class=\"legend\">");
    for (int d = 0; d < 2; d++) {
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(wire, dir_keys[d]);
        lists[d] = chunks_of(detail, d);
        hb_printf(b, "<span class=\"dir-%s\">%s: %.0f bytes", dir_keys[d],
                  d ? "the peer's (received)" : "ours (sent)", json_number(dir, "bytes", 0));
        double omitted = json_number(dir, "chunks_omitted", 0);
        if (omitted > 0)
            hb_printf(b, ", %.0f chunks not kept (the log keeps the first and the last)",
                      omitted);
        hb_raw(b, "</span>");
    }
    hb_raw(b, "</p>\n");
    size_t n, budget = DUMP_PAGE_MAX;
    timed *all = merge_by_time(lists, &n);
    uint8_t *buf = malloc(DUMP_CHUNK_MAX);
    if (!buf)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (!html_list_item(b, i, n, 0))
            continue;
        const cJSON *c = all[i].item;
        int d = all[i].dir;
        double offset = json_number(c, "offset", 0), length = json_number(c, "length", 0);
        const cJSON *kept_from = cJSON_GetObjectItemCaseSensitive(c, "kept_from");
        const char *hex = json_string(c, "hex", "");
        size_t kept = strlen(hex) / 2;
        double first = cJSON_IsNumber(kept_from) ? kept_from->valuedouble : offset;
        hb_printf(b, "<div class=\"chunk dir-%s\"><div class=\"chunk-head\">%s &middot; ",
                  dir_keys[d], d ? "the peer's" : "ours");
        html_time_us(b, all[i].at_us);
        hb_printf(b, " &middot; offset %.0f &middot; %.0f bytes", offset, length);
        if (kept != (size_t)length)
            hb_printf(b, " (%zu kept, from offset %.0f)", kept, first);
        hb_raw(b, "</div>");
        size_t show = kept < DUMP_CHUNK_MAX ? kept : DUMP_CHUNK_MAX;
        if (show > budget)
            show = budget;
        show = json_hex_decode(hex, buf, show);
        if (show) {
            hb_raw(b, "<pre>");
            dump_lines(b, buf, show, (unsigned long long)first);
            hb_raw(b, "</pre>");
        }
        if (show < kept)
            hb_printf(b, "<p class=\"note\">%zu more bytes kept in the case's JSON file, not "
                         "shown here</p>", kept - show);
        budget -= show;
        hb_raw(b, "</div>\n");
    }
    free(buf);
    free(all);
}

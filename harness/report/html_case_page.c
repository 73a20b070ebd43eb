/* One case's page for one agent (html_pages.h): what was required, what was
 * expected beside what was observed, and the whole wire log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_assets.h"
#include "report/html_pages.h"

/* Bytes of a message shown in the events table (the file keeps up to 256). */
#define EVENT_HEAD_SHOWN 64

static void row_text(html_buf *b, const char *label, const char *value)
{
    hb_printf(b, "<tr><th>%s</th><td>", label);
    hb_text(b, value);
    hb_raw(b, "</td></tr>\n");
}

/* A number, or "none" when the field is missing or null. */
static void row_number(html_buf *b, const char *label, const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    hb_printf(b, "<tr><th>%s</th><td class=\"mono\">", label);
    if (cJSON_IsNumber(v))
        hb_printf(b, "%.0f", v->valuedouble);
    else
        hb_raw(b, "none");
    hb_raw(b, "</td></tr>\n");
}

static void row_bool(html_buf *b, const char *label, const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    hb_printf(b, "<tr><th>%s</th><td>%s</td></tr>\n", label,
              cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "yes" : "no") : "not recorded");
}

/* Whether a line of the case states what is expected rather than what is done. */
static bool expectation_line(const char *line, size_t n)
{
    static const char *const words[] = {"expect", "close", "tolerate", "deflate",
                                        "informational"};
    while (n && (*line == ' ' || *line == '\t'))
        line++, n--;
    size_t w = 0;
    while (w < n && line[w] != ' ' && line[w] != '\t' && line[w] != ':')
        w++;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strlen(words[i]) == w && strncmp(line, words[i], w) == 0)
            return true;
    return false;
}

/* The lines of case_text that are (or are not) expectations, in a <pre>. */
static void case_lines(html_buf *b, const char *text, bool expectations)
{
    hb_raw(b, "<pre class=\"box\">");
    bool any = false;
    for (const char *s = text; *s;) {
        const char *end = strchr(s, '\n');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        bool blank = strspn(s, " \t\r") >= n;
        if (!blank && expectation_line(s, n) == expectations) {
            hb_bytes(b, (const uint8_t *)s, n);
            hb_raw(b, "\n");
            any = true;
        }
        s += n + (end != NULL);
    }
    hb_raw(b, "</pre>");
    if (!any)
        hb_raw(b, "<p class=\"note\">none</p>");
}

static void events(html_buf *b, const cJSON *detail)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(detail, "events");
    hb_raw(b, "<h3>Events</h3>\n");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        hb_raw(b, "<p class=\"note\">none</p>\n");
        return;
    }
    hb_raw(b, "<table><tr><th>At</th><th>Event</th><th>Detail</th></tr>\n");
    const cJSON *e;
    uint8_t head[EVENT_HEAD_SHOWN];
    size_t i = 0, count = (size_t)cJSON_GetArraySize(list);
    cJSON_ArrayForEach(e, list) {
        if (!html_list_item(b, i++, count, 3))
            continue;
        hb_raw(b, "<tr><td class=\"mono\">");
        html_time_us(b, json_number(e, "at_us", 0));
        hb_raw(b, "</td><td>");
        hb_text(b, json_string(e, "type", "?"));
        hb_raw(b, "</td><td>");
        const char *opcode = json_string(e, "opcode", NULL);
        if (opcode) {
            hb_text(b, opcode);
            hb_raw(b, ", ");
        }
        if (cJSON_GetObjectItemCaseSensitive(e, "status"))
            hb_printf(b, "status %.0f, ", json_number(e, "status", 0));
        const char *tag = json_string(e, "tag", NULL);
        if (tag && *tag) {
            hb_raw(b, "tag ");
            hb_text(b, tag);
            hb_raw(b, ", ");
        }
        hb_printf(b, "%.0f bytes", json_number(e, "length", 0));
        if (json_bool(e, "over_limit", false))
            hb_raw(b, " (over the limit)");
        if (cJSON_GetObjectItemCaseSensitive(e, "echo_of"))
            hb_printf(b, ", the echo of message #%.0f sent", json_number(e, "echo_of", 0) + 1);
        const char *hex = json_string(e, "head_hex", "");
        if (*hex) {
            size_t n = json_hex_decode(hex, head, sizeof head);
            hb_raw(b, "<pre>");
            hb_bytes(b, head, n);
            hb_raw(b, "</pre>");
            if (n < json_number(e, "length", 0))
                hb_printf(b, "<span class=\"note\">(the first %zu bytes)</span>", n);
        }
        hb_raw(b, "</td></tr>\n");
    }
    hb_raw(b, "</table>\n");
}

static void close_details(html_buf *b, const cJSON *d)
{
    hb_raw(b, "<h3>Closing</h3>\n<table>\n");
    row_text(b, "Closing handshake started by", json_string(d, "closed_by", "not recorded"));
    row_text(b, "TCP closed by", json_string(d, "tcp_closed_by", "not recorded"));
    row_bool(b, "Clean", d, "clean");
    row_number(b, "Our close code", d, "local_close_code");
    row_number(b, "The peer's close code", d, "remote_close_code");
    hb_raw(b, "<tr><th>The peer's close reason</th><td><pre>");
    hb_text(b, json_string(d, "remote_close_reason", ""));
    hb_raw(b, "</pre></td></tr>\n");
    hb_raw(b, "<tr><th>Timers fired</th><td>");
    const cJSON *timers = cJSON_GetObjectItemCaseSensitive(d, "timers_fired"), *t;
    const char *sep = "";
    cJSON_ArrayForEach(t, timers) {
        hb_raw(b, sep);
        hb_text(b, cJSON_IsString(t) && t->valuestring ? t->valuestring : "?");
        sep = ", ";
    }
    hb_raw(b, *sep ? "" : "none");
    hb_raw(b, "</td></tr>\n");
    row_bool(b, "Decided before the end", d, "decided_early");
    row_number(b, "Bytes sent", d, "bytes_sent");
    row_number(b, "Bytes received", d, "bytes_received");
    if (cJSON_GetObjectItemCaseSensitive(d, "events_dropped"))
        row_number(b, "Events dropped (over the cap)", d, "events_dropped");
    if (cJSON_GetObjectItemCaseSensitive(d, "pongs_coalesced"))
        row_number(b, "Pongs coalesced", d, "pongs_coalesced");
    hb_raw(b, "</table>\n");
}

static void compression(html_buf *b, const cJSON *d)
{
    const cJSON *z = cJSON_GetObjectItemCaseSensitive(d, "compression");
    if (!cJSON_IsObject(z))
        return;
    hb_raw(b, "<h2>Compression</h2>\n<table><tr><th></th><th>Message bytes</th>"
              "<th>Wire octets</th><th>Ratio</th></tr>\n");
    static const char *const keys[2] = {"sent", "received"};
    for (int k = 0; k < 2; k++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(z, keys[k]);
        hb_printf(b, "<tr><th>%s</th><td class=\"mono\">%.0f</td><td class=\"mono\">%.0f</td>"
                     "<td class=\"mono\">", keys[k], json_number(s, "message_bytes", 0),
                  json_number(s, "wire_octets", 0));
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "ratio");
        if (cJSON_IsNumber(r))
            hb_printf(b, "%.4f", r->valuedouble);
        else
            hb_raw(b, "none");
        hb_raw(b, "</td></tr>\n");
    }
    hb_raw(b, "</table>\n");
}

static void summary(html_buf *b, const html_agent *agent, const run_case *c, const cJSON *d)
{
    hb_raw(b, "<p><a href=\"../../index.html\">&larr; index</a></p>\n<h1>");
    hb_text(b, c->id);
    hb_raw(b, " &mdash; ");
    hb_text(b, c->title);
    hb_raw(b, "</h1>\n<table>\n<tr><th>Agent</th><td>");
    hb_text(b, agent->run->agent);
    hb_raw(b, "</td></tr>\n<tr><th>Outcome</th>");
    html_verdict_cell(b, c->outcome, NULL, NULL);
    hb_raw(b, "</tr>\n<tr><th>Close</th>");
    char code[16] = "";
    if (c->remote_close_code >= 0)
        snprintf(code, sizeof code, "%d", c->remote_close_code);
    html_verdict_cell(b, c->close_outcome, code, NULL);
    hb_raw(b, "</tr>\n");
    row_text(b, "Reason", *c->reason ? c->reason : "none: every expectation was met");
    hb_printf(b, "<tr><th>Duration</th><td class=\"mono\">%.0f ms</td></tr>\n", c->duration_ms);
    row_text(b, "RFC section", c->rfc);
    row_text(b, "Requirement", json_string(c->json, "requirement", ""));
    const char *note = json_string(c->json, "note", NULL);
    if (note)
        row_text(b, "Note", note);
    if (json_bool(c->json, "rerun_alone", false))
        row_text(b, "Played again", "alone, after it did not pass among the others");
    if (d) {
        const char *file = json_string(d, "file", "");
        hb_raw(b, "<tr><th>Case file</th><td class=\"mono\">");
        hb_text(b, file);
        hb_printf(b, ":%.0f</td></tr>\n", json_number(d, "line", 0));
    }
    hb_raw(b, "</table>\n");
}

/* The same case in the other runs of the report, with their verdicts. */
static void other_agents(html_buf *b, const html_agent *agents, size_t count, size_t which,
                         const char *id)
{
    if (count < 2)
        return;
    hb_raw(b, "<p>Other agents:");
    for (size_t a = 0; a < count; a++) {
        if (a == which)
            continue;
        const run_case *c = run_doc_find(agents[a].run, id);
        hb_raw(b, " <span class=\"v ");
        hb_raw(b, html_verdict_class(c ? c->outcome : "Missing"));
        hb_raw(b, "\">");
        if (c) {
            hb_raw(b, "<a href=\"../");
            hb_attr(b, agents[a].slug);
            hb_raw(b, "/");
            hb_attr(b, id);
            hb_raw(b, ".html\">");
        }
        hb_text(b, agents[a].run->agent);
        hb_raw(b, c ? "</a>" : " (Missing)");
        hb_raw(b, "</span>");
    }
    hb_raw(b, "</p>\n");
}

int html_case_page_write(const html_agent *agents, size_t count, size_t which, const run_case *c,
                         const char *path, char *err, size_t errlen)
{
    const html_agent *agent = &agents[which];
    char why[512];
    cJSON *d = run_doc_case_detail(agent->run, c->id, why, sizeof why);
    html_buf b = {0};
    size_t title_len = strlen(c->id) + strlen(agent->run->agent) + 8;
    char *title = malloc(title_len);
    if (!title)
        abort();
    snprintf(title, title_len, "%s \xe2\x80\x94 %s", c->id, agent->run->agent);
    html_page_start(&b, title, false);
    free(title);
    summary(&b, agent, c, d);
    other_agents(&b, agents, count, which, c->id);
    if (!d) {
        hb_raw(&b, "<p class=\"note\">No detail for this case: ");
        hb_text(&b, why);
        hb_raw(&b, "</p>\n");
    } else {
        const char *text = json_string(d, "case_text", "");
        hb_raw(&b, "<h2>Expectation and observation</h2>\n<div class=\"pair\"><div>"
                   "<h3>Expected</h3>\n");
        case_lines(&b, text, true);
        hb_raw(&b, "</div><div>\n");
        close_details(&b, d);
        events(&b, d);
        hb_raw(&b, "</div></div>\n<h2>Steps</h2>\n");
        case_lines(&b, text, false);
        compression(&b, d);
        hb_raw(&b, "<h2>Opening handshake</h2>\n");
        html_handshake(&b, d);
        hb_raw(&b, "<h2>Frames</h2>\n");
        html_frames(&b, d);
        hb_raw(&b, "<h2>Wire log</h2>\n");
        html_wire_dump(&b, d);
    }
    html_page_end(&b, false);
    int rc = hb_save(&b, path, err, errlen);
    hb_free(&b);
    cJSON_Delete(d);
    return rc;
}

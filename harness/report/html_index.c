/* The report's index.html: every case of every run, grouped by section and
 * subsection, a pair of verdict columns per agent (html_pages.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/catalog.h"
#include "lang/names.h"
#include "report/html_assets.h"
#include "report/html_pages.h"
#include "verdict/result.h"


/* The cases of one run by position in the report's id list (NULL: missing). */
typedef struct agent_cases {
    const run_case **at;
} agent_cases;

static int compare_key(const void *key, const void *elem)
{
    return case_id_compare(key, *(const char *const *)elem);
}

static void map_cases(agent_cases *m, const run_doc *run, const char *const *ids, size_t n)
{
    m->at = calloc(n ? n : 1, sizeof *m->at);
    if (!m->at)
        abort();
    for (size_t j = 0; j < run->count; j++) {
        const char *id = run->cases[j].id;
        const char *const *hit = bsearch(id, ids, n, sizeof *ids, compare_key);
        if (hit && !m->at[hit - ids])
            m->at[hit - ids] = &run->cases[j];
    }
}

/* Length of the first `parts` dot-separated components of id. */
static size_t prefix_len(const char *id, int parts)
{
    size_t i = 0;
    for (int p = 0; id[i]; i++)
        if (id[i] == '.' && ++p == parts)
            break;
    return i;
}

static size_t component_count(const char *id)
{
    size_t n = 1;
    for (; *id; id++)
        n += *id == '.';
    return n;
}

static bool same_prefix(const char *a, const char *b, size_t n)
{
    return strlen(b) >= n && strncmp(a, b, n) == 0 && (b[n] == '.' || b[n] == '\0');
}

/* "3 OK · 1 FAILED" over the ids [from, to) of one agent. */
static void counts_cell(html_buf *b, const agent_cases *m, size_t from, size_t to)
{
    size_t count[VERDICT_COUNT + 2] = {0};
    for (size_t k = from; k < to; k++) {
        const run_case *c = m->at[k];
        size_t v = VERDICT_COUNT + 1; /* missing */
        if (c) {
            for (v = 0; v < VERDICT_COUNT && strcmp(c->outcome, verdict_names.entries[v].name) != 0; v++)
                ;
        }
        count[v]++;
    }
    hb_raw(b, "<th colspan=\"2\" class=\"counts\">");
    const char *sep = "";
    for (size_t v = 0; v < VERDICT_COUNT + 2; v++) {
        if (!count[v])
            continue;
        const char *name = v < VERDICT_COUNT ? verdict_names.entries[v].name : v == VERDICT_COUNT ? "other" : "Missing";
        hb_printf(b, "%s<span class=\"v %s\">%zu %s</span>", sep, html_verdict_class(name),
                  count[v], name);
        sep = " ";
    }
    hb_raw(b, "</th>");
}

static void group_head(html_buf *b, const char *row_class, const char *label, size_t label_len,
                       const agent_cases *maps, size_t count, size_t from, size_t to)
{
    hb_printf(b, "<tr class=\"%s\"><th colspan=\"2\">%s", row_class,
              strcmp(row_class, "section-head") == 0 ? "Section " : "");
    char *text = strndup(label, label_len);
    if (!text)
        abort();
    hb_text(b, text);
    free(text);
    hb_printf(b, " <span class=\"counts\">(%zu)</span></th>", to - from);
    for (size_t a = 0; a < count; a++)
        counts_cell(b, &maps[a], from, to);
    hb_raw(b, "</tr>\n");
}

static void case_row(html_buf *b, const html_agent *agents, const agent_cases *maps, size_t count,
                     const char *id, size_t k)
{
    const char *title = "";
    bool failed = false;
    for (size_t a = 0; a < count; a++)
        if (maps[a].at[k]) {
            if (!*title)
                title = maps[a].at[k]->title;
            failed |= maps[a].at[k]->failed;
        }
    hb_printf(b, "<tr class=\"case\" data-failed=\"%d\"><td class=\"mono\">", failed);
    hb_text(b, id);
    hb_raw(b, "</td><td>");
    hb_text(b, title);
    hb_raw(b, "</td>");
    for (size_t a = 0; a < count; a++) {
        const run_case *c = maps[a].at[k];
        if (!c) {
            hb_raw(b, "<td class=\"v v-missing\" colspan=\"2\">Missing</td>");
            continue;
        }
        char href[400], code[16] = "";
        bool linked = run_doc_id_names_file(id);
        if (linked)
            snprintf(href, sizeof href, "pages/%s/%s.html", agents[a].slug, id);
        if (c->remote_close_code >= 0)
            snprintf(code, sizeof code, "%d", c->remote_close_code);
        html_verdict_cell(b, c->outcome, NULL, linked ? href : NULL);
        html_verdict_cell(b, c->close_outcome, code, NULL);
    }
    hb_raw(b, "</tr>\n");
}

static void setting_row(html_buf *b, const html_agent *agents, size_t count, const char *label,
                        const char *key)
{
    hb_printf(b, "<tr><th>%s</th>", label);
    for (size_t a = 0; a < count; a++) {
        const cJSON *root = agents[a].run->root;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
        hb_raw(b, "<td class=\"mono\">");
        if (cJSON_IsString(v) && v->valuestring)
            hb_text(b, v->valuestring);
        else if (cJSON_IsBool(v))
            hb_raw(b, cJSON_IsTrue(v) ? "yes" : "no");
        else if (cJSON_IsNumber(v))
            hb_printf(b, "%.0f", v->valuedouble);
        else
            hb_raw(b, "<span class=\"note\">not recorded</span>");
        hb_raw(b, "</td>");
    }
    hb_raw(b, "</tr>\n");
}

static void settings(html_buf *b, const html_agent *agents, size_t count)
{
    hb_raw(b, "<h2>Runs</h2>\n<table id=\"runs\"><tr><th>Agent</th>");
    for (size_t a = 0; a < count; a++) {
        hb_raw(b, "<th>");
        hb_text(b, agents[a].run->agent);
        hb_raw(b, "</th>");
    }
    hb_raw(b, "</tr>\n");
    setting_row(b, agents, count, "Target", "target");
    setting_row(b, agents, count, "Target state", "target_state");
    setting_row(b, agents, count, "Target detail", "target_detail");
    setting_row(b, agents, count, "Started at", "started_at");
    hb_raw(b, "<tr><th>Duration</th>");
    for (size_t a = 0; a < count; a++)
        hb_printf(b, "<td class=\"mono\">%.3f s</td>", agents[a].run->duration_ms / 1000);
    hb_raw(b, "</tr>\n");
    setting_row(b, agents, count, "Jobs", "jobs");
    setting_row(b, agents, count, "Strict", "strict");
    setting_row(b, agents, count, "Version", "version");
    hb_raw(b, "<tr><th>Selection</th>");
    for (size_t a = 0; a < count; a++) {
        const cJSON *sel = cJSON_GetObjectItemCaseSensitive(agents[a].run->root, "selection");
        hb_raw(b, "<td class=\"mono\">");
        hb_text(b, json_string(sel, "cases", "*"));
        const char *ex = json_string(sel, "exclude", "");
        if (*ex) {
            hb_raw(b, " except ");
            hb_text(b, ex);
        }
        hb_raw(b, "</td>");
    }
    hb_raw(b, "</tr>\n<tr><th>Cases</th>");
    for (size_t a = 0; a < count; a++)
        hb_printf(b, "<td class=\"mono\">%zu</td>", agents[a].run->count);
    hb_raw(b, "</tr>\n</table>\n");
}

/* Totals per agent; each cell has an id (total-AGENT-VERDICT) to be found by. */
static void totals(html_buf *b, const html_agent *agents, const agent_cases *maps, size_t count,
                   size_t id_count, const char *table_id, const char *title,
                   const name_table *names, bool close)
{
    size_t name_count = names->count;
    hb_printf(b, "<h2>%s</h2>\n", title);
    if (!close)
        hb_raw(b, "<p>As in results.json's summary, a case whose close verdict failed counts as "
                  "FAILED.</p>\n");
    hb_printf(b, "<table id=\"%s\"><tr><th>Verdict</th>", table_id);
    for (size_t a = 0; a < count; a++) {
        hb_raw(b, "<th>");
        hb_text(b, agents[a].run->agent);
        hb_raw(b, "</th>");
    }
    hb_raw(b, "</tr>\n");
    for (size_t v = 0; v <= name_count; v++) {
        const char *name = v < name_count ? names->entries[v].name : "Missing";
        hb_printf(b, "<tr><td class=\"v %s\">%s</td>", html_verdict_class(name), name);
        for (size_t a = 0; a < count; a++) {
            size_t n = 0;
            for (size_t k = 0; k < id_count; k++) {
                const run_case *c = maps[a].at[k];
                /* as results.json's summary: a failed close makes the case FAILED */
                const char *shown = !c || close ? (c ? c->close_outcome : NULL)
                                    : c->failed ? "FAILED"
                                                : c->outcome;
                n += v == name_count ? !c : c && strcmp(shown, name) == 0;
            }
            hb_printf(b, "<td class=\"mono\" id=\"%s-%zu-", table_id, a);
            for (const char *s = name; *s; s++)
                hb_printf(b, "%c", *s == ' ' ? '_' : *s);
            hb_printf(b, "\">%zu</td>", n);
        }
        hb_raw(b, "</tr>\n");
    }
    hb_raw(b, "</table>\n");
}

static void filters(html_buf *b, const char *const *ids, size_t id_count)
{
    hb_raw(b, "<div id=\"filters\" hidden><label><input type=\"checkbox\" id=\"f-failed\"> "
              "failed only</label><label>section <select id=\"f-section\">"
              "<option value=\"\">all</option>");
    for (size_t k = 0; k < id_count; k++) {
        size_t n = prefix_len(ids[k], 1);
        if (k > 0 && same_prefix(ids[k], ids[k - 1], n))
            continue;
        char *section = strndup(ids[k], n);
        if (!section)
            abort();
        hb_raw(b, "<option value=\"");
        hb_attr(b, section);
        hb_raw(b, "\">");
        hb_text(b, section);
        hb_raw(b, "</option>");
        free(section);
    }
    hb_raw(b, "</select></label><label>search <input type=\"search\" id=\"f-search\" "
              "placeholder=\"id or title\"></label><span id=\"f-status\"></span></div>\n");
}

static void legend(html_buf *b)
{
    hb_raw(b, "<p class=\"legend\">Outcome: ");
    for (size_t v = 0; v < VERDICT_COUNT; v++)
        hb_printf(b, "<span class=\"v %s\">%s</span>", html_verdict_class(verdict_names.entries[v].name),
                  verdict_names.entries[v].name);
    hb_raw(b, "<br>Close: ");
    for (size_t v = 0; v < close_verdict_names.count; v++)
        hb_printf(b, "<span class=\"v %s\">%s</span>", html_verdict_class(close_verdict_names.entries[v].name), close_verdict_names.entries[v].name);
    hb_raw(b, " (with the close code the peer sent)<br><span class=\"v v-missing\">Missing"
              "</span> the case is not in that agent's run</p>\n");
}

static void case_table(html_buf *b, const html_agent *agents, const agent_cases *maps,
                       size_t count, const char *const *ids, size_t id_count)
{
    hb_raw(b, "<table id=\"cases\"><thead><tr><th rowspan=\"2\">Case</th>"
              "<th rowspan=\"2\">Title</th>");
    for (size_t a = 0; a < count; a++) {
        hb_raw(b, "<th colspan=\"2\">");
        hb_text(b, agents[a].run->agent);
        hb_raw(b, "</th>");
    }
    hb_raw(b, "</tr><tr>");
    for (size_t a = 0; a < count; a++)
        hb_raw(b, "<th>Outcome</th><th>Close</th>");
    hb_raw(b, "</tr></thead>\n");
    for (size_t k = 0; k < id_count;) {
        size_t n = prefix_len(ids[k], 1), end = k + 1;
        while (end < id_count && same_prefix(ids[k], ids[end], n))
            end++;
        char *section = strndup(ids[k], n);
        if (!section)
            abort();
        hb_raw(b, "<tbody class=\"section\" data-section=\"");
        hb_attr(b, section);
        hb_raw(b, "\">\n");
        free(section);
        group_head(b, "section-head", ids[k], n, maps, count, k, end);
        for (size_t s = k; s < end;) {
            size_t sub_end = s + 1;
            if (component_count(ids[s]) >= 3) {
                size_t sn = prefix_len(ids[s], 2);
                while (sub_end < end && same_prefix(ids[s], ids[sub_end], sn) &&
                       component_count(ids[sub_end]) >= 3)
                    sub_end++;
                group_head(b, "sub-head", ids[s], sn, maps, count, s, sub_end);
            }
            for (size_t i = s; i < sub_end; i++)
                case_row(b, agents, maps, count, ids[i], i);
            s = sub_end;
        }
        hb_raw(b, "</tbody>\n");
        k = end;
    }
    hb_raw(b, "</table>\n");
}

int html_index_write(const html_agent *agents, size_t count, const char *const *ids,
                     size_t id_count, const char *dir, char *err, size_t errlen)
{
    agent_cases *maps = calloc(count ? count : 1, sizeof *maps);
    if (!maps)
        abort();
    for (size_t a = 0; a < count; a++)
        map_cases(&maps[a], agents[a].run, ids, id_count);
    html_buf b = {0};
    html_page_start(&b, "wsconform report", true);
    hb_printf(&b, "<h1>wsconform report</h1>\n<p>%zu cases, %zu agent%s.</p>\n", id_count, count,
              count == 1 ? "" : "s");
    settings(&b, agents, count);
    totals(&b, agents, maps, count, id_count, "totals", "Outcomes", &verdict_names, false);
    totals(&b, agents, maps, count, id_count, "close-totals", "Close verdicts", &close_verdict_names,
           true);
    hb_raw(&b, "<h2>Cases</h2>\n");
    legend(&b);
    filters(&b, ids, id_count);
    case_table(&b, agents, maps, count, ids, id_count);
    html_page_end(&b, true);
    size_t cap = strlen(dir) + sizeof "/index.html";
    char *path = malloc(cap);
    if (!path)
        abort();
    snprintf(path, cap, "%s/index.html", dir);
    int rc = hb_save(&b, path, err, errlen);
    free(path);
    hb_free(&b);
    for (size_t a = 0; a < count; a++)
        free(maps[a].at);
    free(maps);
    return rc;
}

/* Pieces of layout the pages share (html_pages.h): verdicts as coloured
 * cells, times, and long lists cut in the middle. */
#include <string.h>

#include "report/html_pages.h"

const char *html_verdict_class(const char *verdict)
{
    static const struct {
        const char *name, *class_name;
    } known[] = {
        {"OK", "v-ok"},           {"NON-STRICT", "v-nonstrict"},
        {"INFORMATIONAL", "v-info"}, {"UNIMPLEMENTED", "v-unimpl"},
        {"FAILED", "v-failed"},   {"NOT RUN", "v-notrun"},
        {"UNCLEAN", "v-unclean"}, {"WRONG CODE", "v-wrongcode"},
        {"FAILED BY CLIENT", "v-byclient"}, {"Missing", "v-missing"},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(verdict, known[i].name) == 0)
            return known[i].class_name;
    return "v-unknown";
}

void html_verdict_cell(html_buf *b, const char *verdict, const char *extra, const char *href)
{
    hb_raw(b, "<td class=\"v ");
    hb_raw(b, html_verdict_class(verdict));
    hb_raw(b, "\">");
    if (href) {
        hb_raw(b, "<a href=\"");
        hb_attr(b, href);
        hb_raw(b, "\">");
    }
    hb_text(b, verdict);
    if (extra && *extra) {
        hb_raw(b, " ");
        hb_text(b, extra);
    }
    if (href)
        hb_raw(b, "</a>");
    hb_raw(b, "</td>");
}

void html_time_us(html_buf *b, double at_us)
{
    hb_printf(b, "%.3f&nbsp;ms", at_us / 1000);
}

bool html_list_item(html_buf *b, size_t i, size_t n, int columns)
{
    if (n <= HTML_LIST_HEAD + HTML_LIST_TAIL || i < HTML_LIST_HEAD || i >= n - HTML_LIST_TAIL)
        return true;
    if (i == HTML_LIST_HEAD) {
        size_t left = n - HTML_LIST_HEAD - HTML_LIST_TAIL;
        if (columns)
            hb_printf(b, "<tr><td colspan=\"%d\" class=\"note\">", columns);
        else
            hb_raw(b, "<p class=\"note\">");
        hb_printf(b, "&hellip; %zu more, not shown here (they are in the case's JSON file); "
                     "the last %d follow", left, HTML_LIST_TAIL);
        hb_raw(b, columns ? "</td></tr>\n" : "</p>\n");
    }
    return false;
}

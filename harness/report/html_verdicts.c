/* Verdicts as coloured cells (html_pages.h). */
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

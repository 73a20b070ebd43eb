/*
 * The pages of the HTML report (report_html in reports.h): the index of every
 * case and agent, and one page per case and agent under pages/<agent>/.
 */
#ifndef WSCONFORM_HTML_PAGES_H
#define WSCONFORM_HTML_PAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "report/html_buf.h"
#include "report/run_doc.h"

/* One run in the report; slug is its agent's name made safe for a file name
 * ([a-z0-9_], unique in the report). */
typedef struct html_agent {
    const run_doc *run;
    char slug[80];
} html_agent;

/* The class that colours a verdict (outcome or close outcome), "v-unknown"
 * for a name this report does not know. */
const char *html_verdict_class(const char *verdict);

/* A table cell for a verdict: coloured, the name escaped, linked to href
 * when it is not NULL; extra (may be NULL) is escaped text after the name. */
void html_verdict_cell(html_buf *b, const char *verdict, const char *extra, const char *href);

/* DIR/index.html over ids (sorted, distinct, from every run). */
int html_index_write(const html_agent *agents, size_t count, const char *const *ids,
                     size_t id_count, const char *dir, char *err, size_t errlen);

/* The page of case c of agents[which]: its detail file read through
 * run_doc, or what results.json says when that file cannot be read; links to
 * the same case's pages of the other agents. */
int html_case_page_write(const html_agent *agents, size_t count, size_t which, const run_case *c,
                         const char *path, char *err, size_t errlen);

/* The wire log of a case detail: the opening handshake both ways, the frames
 * and the annotated dump of every chunk kept. */
void html_handshake(html_buf *b, const cJSON *detail);
void html_frames(html_buf *b, const cJSON *detail);
void html_wire_dump(html_buf *b, const cJSON *detail);

/* Long lists on a page (events, frames, chunks) show their first
 * HTML_LIST_HEAD and last HTML_LIST_TAIL items, so that a page stays small
 * yet shows how a case began and how it ended; the case's JSON file has the
 * rest. html_list_item says whether item i of n is shown, and writes a note
 * in a table row of `columns` cells before the first item left out (columns
 * 0: a paragraph). */
#define HTML_LIST_HEAD 150
#define HTML_LIST_TAIL 50
bool html_list_item(html_buf *b, size_t i, size_t n, int columns);

/* "12.345 ms" from microseconds. */
void html_time_us(html_buf *b, double at_us);

#endif

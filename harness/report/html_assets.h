/*
 * What every page of the HTML report carries besides data: the style sheet,
 * the index's filter script, and the head that allows exactly those two to
 * run (a Content-Security-Policy with their SHA-256 hashes), so that even
 * markup that slipped into a page could neither run nor load anything.
 */
#ifndef WSCONFORM_HTML_ASSETS_H
#define WSCONFORM_HTML_ASSETS_H

#include <stdbool.h>

#include "report/html_buf.h"

/* "<!DOCTYPE html>...<body>": the title is data (escaped); with_script
 * allows and adds the index's filter script. */
void html_page_start(html_buf *b, const char *title, bool with_script);

/* Closes the body; the filter script goes last so that it sees the page. */
void html_page_end(html_buf *b, bool with_script);

#endif

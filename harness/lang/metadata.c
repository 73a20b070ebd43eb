/* The directives that describe a case: title, rfc, require, note. */
#include "lang/parser.h"

#include <stdlib.h>
#include <string.h>

static int parse_title(parser *ps, builder *b, int line, span rest)
{
    return text_argument(ps, line, rest, "a title", &b->c.title);
}

static int parse_rfc(parser *ps, builder *b, int line, span rest)
{
    return text_argument(ps, line, rest, "an RFC section (e.g. 5.5.2)", &b->c.rfc);
}

/* Appends a text argument to buf, after one space if buf is not empty. */
static int append_joined(parser *ps, int line, strbuf *buf, span text, const char *what)
{
    char *s;
    if (text_argument(ps, line, text, what, &s) != 0)
        return -1;
    int rc = 0;
    if ((buf->len && strbuf_add(buf, " ", 1) != 0) || strbuf_add(buf, s, strlen(s)) != 0)
        rc = out_of_memory(ps, line);
    free(s);
    return rc;
}

static int parse_require(parser *ps, builder *b, int line, span rest)
{
    return append_joined(ps, line, &b->require, rest, "the requirement in the RFC's words");
}

static int parse_note(parser *ps, builder *b, int line, span rest)
{
    return append_joined(ps, line, &b->note, rest, "a note");
}

static const directive rows[] = {
    {"title", parse_title, true},
    {"rfc", parse_rfc, true},
    {"require", parse_require, false},
    {"note", parse_note, false},
};

const directive_group metadata_directives = DIRECTIVE_GROUP(rows);

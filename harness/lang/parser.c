/* Error reporting, the limits of one parse, and small argument checks shared
 * by the directives (parser.h). */
#include "lang/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int fail(parser *ps, int line, const char *fmt, ...)
{
    if (ps->failed)
        return -1;
    ps->failed = true;
    ps->err->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    va_end(ap);
    if (ps->row_line > 0) {
        size_t used = strlen(ps->err->message);
        snprintf(ps->err->message + used, sizeof ps->err->message - used, " (in the row at line %d)",
                 ps->row_line);
    }
    return -1;
}

int out_of_memory(parser *ps, int line)
{
    return fail(ps, line, "out of memory");
}

int take_items(parser *ps, int line, size_t n)
{
    if (n > ps->items_left)
        return fail(ps, line, "expected at most %u steps, events and header edits in one file, "
                              "found more", CASELANG_ITEMS_MAX);
    ps->items_left -= n;
    return 0;
}

int take_memory(parser *ps, int line, uint64_t n)
{
    if (n > ps->memory_left)
        return fail(ps, line, "expected at most %u MiB of payload bytes held in memory per file, "
                              "found more", CASELANG_MEMORY_MAX >> 20);
    ps->memory_left -= n;
    return 0;
}

int expect_end(parser *ps, int line, span rest, const char *after)
{
    char show_buf[SHOW_MAX];
    span tok;
    if (next_token(&rest, &tok))
        return fail(ps, line, "expected end of line after %s, found %s", after, SHOW(tok));
    return 0;
}

int duration_argument(parser *ps, int line, span tok, bool positive, uint32_t *ms)
{
    char show_buf[SHOW_MAX];
    if (!quantity_duration(tok.p, tok.n, CASELANG_DURATION_MAX_MS, ms))
        return fail(ps, line, "expected a duration (whole milliseconds up to 86400s, e.g. 500ms, "
                              "1s, 0.5s), found %s", SHOW(tok));
    if (positive && *ms == 0)
        return fail(ps, line, "expected a duration greater than 0, found %s", SHOW(tok));
    return 0;
}

bool is_word(span s, size_t max_length)
{
    if (s.n == 0 || s.n > max_length)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

bool is_tag(span tok)
{
    return is_word(tok, 64);
}

bool valid_header_name(span name)
{
    if (name.n == 0)
        return false;
    for (size_t i = 0; i < name.n; i++) {
        unsigned char c = (unsigned char)name.p[i];
        if (c <= 0x20 || c == 0x7f || c == ':' || c == '"')
            return false;
    }
    return true;
}

/* The directive table of a case body and how a line is dispatched through a
 * table (directives.h). */
#include "lang/parser.h"

#include <stdio.h>
#include <stdlib.h>

static const directive_group *const case_groups[] = {
    &metadata_directives, &request_directive, &extension_directives, &step_directives,
    &expectation_directives, &close_directives,
};

const directive_table case_directives = {"", case_groups, sizeof case_groups / sizeof case_groups[0]};

size_t directive_count(const directive_table *t)
{
    size_t n = 0;
    for (size_t g = 0; g < t->group_count; g++)
        n += t->groups[g]->count;
    return n;
}

const directive *directive_at(const directive_table *t, size_t i)
{
    for (size_t g = 0; g < t->group_count; g++) {
        if (i < t->groups[g]->count)
            return &t->groups[g]->rows[i];
        i -= t->groups[g]->count;
    }
    return NULL;
}

const char *directive_list(const directive_table *t, const char *last_separator, char *buf,
                           size_t cap)
{
    size_t n = directive_count(t), o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++) {
        const char *separator = i == 0 ? "" : i + 1 == n ? last_separator : ", ";
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", separator, directive_at(t, i)->name);
    }
    return buf;
}

/* The row of t named word, and its position in the whole table; NULL if none. */
static const directive *find_directive(const directive_table *t, span word, size_t *index)
{
    size_t base = 0;
    for (size_t g = 0; g < t->group_count; g++) {
        const directive_group *group = t->groups[g];
        for (size_t i = 0; i < group->count; i++)
            if (span_is(word, group->rows[i].name)) {
                *index = base + i;
                return &group->rows[i];
            }
        base += group->count;
    }
    return NULL;
}

int run_directive(parser *ps, builder *b, const directive_table *t, int *first_line, int line,
                  span word, span rest, bool *found)
{
    size_t i;
    const directive *d = find_directive(t, word, &i);
    *found = d != NULL;
    if (!d)
        return -1;
    if (d->once) {
        if (i >= DIRECTIVES_MAX)
            abort(); /* the table outgrew builder.first_line */
        if (first_line[i])
            return fail(ps, line, "expected one '%s%s' line per case, found a second (the first "
                                  "is at line %d)", t->prefix, d->name, first_line[i]);
        first_line[i] = line;
    }
    return d->parse(ps, b, line, rest);
}

/* title, rfc, require and note describe the case; the reports show them apart. */
static bool is_description(span word)
{
    return span_is(word, "title") || span_is(word, "rfc") || span_is(word, "require") ||
           span_is(word, "note");
}

int parse_directive(parser *ps, builder *b, const src_line *l)
{
    char show_buf[SHOW_MAX];
    int line = l->number;
    span rest = l->text, word;
    next_token(&rest, &word);
    bool found;
    int rc = run_directive(ps, b, &case_directives, b->first_line, line, word, rest, &found);
    if (found) {
        if (rc == 0 && !is_description(word) &&
            (strbuf_add(&b->body, l->text.p, l->text.n) != 0 || strbuf_add(&b->body, "\n", 1) != 0))
            return out_of_memory(ps, line);
        return rc;
    }
    if (span_is(word, "rows") || span_is(word, "end"))
        return fail(ps, line, "expected '%.*s' only in a family block, found it in a case",
                    (int)word.n, word.p);
    char list[400];
    return fail(ps, line, "expected a directive (%s), found %s",
                directive_list(&case_directives, ", ", list, sizeof list), SHOW(word));
}


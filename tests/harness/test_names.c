/*
 * The name tables (harness/lang/names.h) and the directive tables
 * (harness/lang/directives.h) against what documents and fuzzes them: every
 * name must appear in cases/README.md, and every name the case language
 * reads in fuzz/caselang.dict. Also checks that each table names every value
 * of its enum once and reads back what it prints. Run from the repository
 * root.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/caselang.h"
#include "lang/directives.h"
#include "lang/names.h"
#include "tap.h"
#include "verdict/result.h"
#include "wscodec/frame.h"

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, (cap *= 2) + 1);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* `prefix+name` opens a code span in the README: followed by '`' or a blank. */
static bool readme_mentions(const char *readme, const char *prefix, const char *name)
{
    char quoted[160];
    snprintf(quoted, sizeof quoted, "`%s%s", prefix, name);
    size_t n = strlen(quoted);
    for (const char *p = strstr(readme, quoted); p; p = strstr(p + 1, quoted))
        if (p[n] == '`' || p[n] == ' ')
            return true;
    return false;
}

/* A dictionary entry whose value is exactly "name". */
static bool dict_has(const char *dict, const char *name)
{
    char quoted[160];
    snprintf(quoted, sizeof quoted, "=\"%s\"", name);
    size_t n = strlen(quoted);
    for (const char *p = strstr(dict, quoted); p; p = strstr(p + 1, quoted))
        if (p[n] == '\n' || p[n] == '\0')
            return true;
    return false;
}

static void check_documented(const char *readme, const char *dict, const char *what,
                             const char *prefix, const char *name)
{
    ok(readme_mentions(readme, prefix, name), "cases/README.md shows the %s `%s%s`", what, prefix,
       name);
    if (dict)
        ok(dict_has(dict, name), "fuzz/caselang.dict has the %s \"%s\"", what, name);
}

static void check_table(const char *readme, const char *dict, const char *what,
                        const name_table *t, int values)
{
    is_int((long long)t->count, values, "the %s table names each of its %d values", what, values);
    for (int v = 0; v < values; v++) {
        const char *name = name_of(t, v);
        int back = -1;
        ok(name && name_lookup(t, name, strlen(name), &back) && back == v,
           "%s %d is named (%s) and read back", what, v, name ? name : "none");
        if (name)
            check_documented(readme, dict, what, "", name);
    }
}

static void check_directives(const char *readme, const char *dict, const char *what,
                             const directive_table *t)
{
    size_t n = directive_count(t);
    ok(n > 0 && n <= DIRECTIVES_MAX, "%zu %ss fit the first-seen lines of a case (%d)", n, what,
       DIRECTIVES_MAX);
    for (size_t i = 0; i < n; i++) {
        const directive *d = directive_at(t, i);
        ok(d->parse != NULL, "the %s %s has a parse function", what, d->name);
        check_documented(readme, dict, what, t->prefix, d->name);
        for (size_t j = 0; j < i; j++)
            ok(strcmp(directive_at(t, j)->name, d->name) != 0, "the %s %s is listed once", what,
               d->name);
    }
}

/* The message for an unknown directive lists every directive of the table. */
static void check_directive_message(void)
{
    static const char text[] = "case 1\n title T\n rfc 5.2\n require r\n sned\n";
    case_list l = {0};
    caselang_error e;
    ok(caselang_parse(text, sizeof text - 1, "t.case", false, &l, &e) != 0, "an unknown directive fails");
    char list[400];
    directive_list(&case_directives, ", ", list, sizeof list);
    char want[512];
    snprintf(want, sizeof want, "expected a directive (%s), found 'sned'", list);
    ok(strcmp(e.message, want) == 0, "the message lists every directive: %s", e.message);
    ok(strstr(e.message, "(title, rfc, require, note, request, offer, deflate, send, send-begin, send-data, "
                         "send-raw, bulk, write, wait, await, loop, end-loop, expect, close, tolerate, "
                         "kill, close-after, informational)") != NULL,
       "the directives are listed in their documented order");
    case_list_free(&l);
}

static void check_printed_names(void)
{
    ok(strcmp(opcode_name(WS_OP_TEXT), "text") == 0 && strcmp(opcode_name(3), "3") == 0 &&
           strcmp(opcode_name(15), "15") == 0 && strcmp(opcode_name(WS_OP_PONG), "pong") == 0,
       "opcodes print by name, reserved ones as numbers");
    ok(strcmp(event_spelling(EVENT_MESSAGE, WS_OP_BINARY), "message binary") == 0 &&
           strcmp(event_spelling(EVENT_MESSAGE, WS_OP_TEXT), "message text") == 0 &&
           strcmp(event_spelling(EVENT_PONG, 0), "pong") == 0,
       "events print as an expect line names them");
    ok(strcmp(verdict_name(VERDICT_NOT_RUN), "NOT RUN") == 0 &&
           strcmp(close_verdict_name(CLOSE_FAILED_BY_CLIENT), "FAILED BY CLIENT") == 0,
       "verdict and close verdict names come from their tables");
}

int main(void)
{
    char *readme = read_text("cases/README.md");
    char *dict = read_text("fuzz/caselang.dict");
    if (!ok(readme && dict, "cases/README.md and fuzz/caselang.dict are readable (run from the "
                            "repository root)"))
        return done_testing();
    check_directives(readme, dict, "directive", &case_directives);
    check_directives(readme, dict, "request word", &request_words);
    check_table(readme, dict, "event", &event_names, EVENT_HTTP + 1);
    check_table(readme, dict, "verdict", &verdict_names, VERDICT_COUNT);
    check_table(readme, NULL, "close verdict", &close_verdict_names, CLOSE_NOT_RUN + 1);
    check_table(readme, dict, "closer", &closer_names, CLOSER_NONE + 1);
    check_table(readme, dict, "close situation", &situation_names, SITUATION_COUNT);
    for (size_t i = 0; i < opcode_names.count; i++)
        check_documented(readme, dict, "opcode", "", opcode_names.entries[i].name);
    for (size_t i = 0; i < compress_form_names.count; i++)
        check_documented(readme, dict, "compress form", "compress=",
                         compress_form_names.entries[i].name);
    check_directive_message();
    check_printed_names();
    free(readme);
    free(dict);
    return done_testing();
}

/*
 * JUnit XML (reports.h): a <testsuite> per section (the first part of the
 * case id) of each run, a <testcase> per case. Failed cases carry a
 * <failure>, UNIMPLEMENTED and NOT RUN a <skipped>, INFORMATIONAL and
 * NON-STRICT (unless strict) pass with their reason in <system-out>.
 * The layout follows what Jenkins, GitLab and the common JUnit readers
 * accept (tests/harness/data/junit.xsd).
 */
#include "report/report_paths.h"
#include "report/reports.h"
#include "wscodec/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The XML file being written. */
typedef struct xml_out {
    FILE *f;
} xml_out;

static void put(xml_out *x, const char *s)
{
    fputs(s, x->f);
}

static void putf(xml_out *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(x->f, fmt, ap);
    va_end(ap);
}

/* XML 1.0 Char: tab, LF, CR, and U+0020 up, less U+FFFE and U+FFFF
 * (surrogates never reach here). */
static int xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp != 0xfffe && cp != 0xffff);
}

/* Writes s escaped for an attribute value (in_attribute) or element text.
 * Reasons can quote the target's bytes: what XML cannot carry (invalid UTF-8,
 * NUL and other control characters) becomes U+FFFD, so the file always
 * parses. Tab, LF and CR are written as references in attributes, where a
 * reader would otherwise turn them into spaces; CR is one in text too. */
static void put_escaped(xml_out *x, const char *s, int in_attribute)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        uint32_t cp;
        size_t len = ws_utf8_decode(p, n, &cp);
        if (len == 0 || !xml_char(cp)) {
            put(x, "\xef\xbf\xbd");
            len = len ? len : 1;
        } else if (cp == '&') {
            put(x, "&amp;");
        } else if (cp == '<') {
            put(x, "&lt;");
        } else if (cp == '>') {
            put(x, "&gt;");
        } else if (cp == '"' && in_attribute) {
            put(x, "&quot;");
        } else if (cp == '\r' || (in_attribute && (cp == '\t' || cp == '\n'))) {
            putf(x, "&#%u;", (unsigned)cp);
        } else {
            fwrite(p, 1, len, x->f);
        }
        p += len;
        n -= len;
    }
}

static void put_attr(xml_out *x, const char *name, const char *value)
{
    putf(x, " %s=\"", name);
    put_escaped(x, value, 1);
    put(x, "\"");
}

/* Seconds with millisecond precision, as JUnit readers expect. */
static void put_time(xml_out *x, double ms)
{
    putf(x, " time=\"%.3f\"", ms > 0 ? ms / 1000 : 0.0);
}

/* How a case shows in JUnit. */
typedef enum { SHOWN_PASSED, SHOWN_FAILED, SHOWN_SKIPPED } shown_as;

static shown_as case_shown_as(const run_case *c, bool strict)
{
    if (c->failed || (strict && strcmp(c->outcome, "NON-STRICT") == 0))
        return SHOWN_FAILED;
    if (strcmp(c->outcome, "UNIMPLEMENTED") == 0 || strcmp(c->outcome, "NOT RUN") == 0)
        return SHOWN_SKIPPED;
    return SHOWN_PASSED;
}

/* The first part of a case id ("1" of "1.1.1", "H" of "H.2.3"). */
static size_t section_length(const char *id)
{
    const char *dot = strchr(id, '.');
    return dot ? (size_t)(dot - id) : strlen(id);
}

static bool same_section(const char *a, const char *b)
{
    size_t n = section_length(a);
    return n == section_length(b) && strncmp(a, b, n) == 0;
}

/* A name part for classname: anything but letters, digits, '_' and '-'
 * becomes '_' (a '.' would add a package level in the readers' trees). */
static void put_class_part(xml_out *x, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        fputc(keep ? ch : '_', x->f);
    }
}

/* The failure body: the reason, the RFC sections and the requirement. */
static void put_failure_body(xml_out *x, const run_case *c)
{
    const char *requirement = json_string(c->json, "requirement", "");
    const char *note = json_string(c->json, "note", "");
    put_escaped(x, *c->reason ? c->reason : "(no reason recorded)", 0);
    put(x, "\nverdict: ");
    put_escaped(x, c->outcome, 0);
    put(x, ", close: ");
    put_escaped(x, c->close_outcome, 0);
    if (*c->rfc) {
        put(x, "\nRFC 6455 section ");
        put_escaped(x, c->rfc, 0);
    }
    if (*requirement) {
        put(x, "\nrequirement: ");
        put_escaped(x, requirement, 0);
    }
    if (*note) {
        put(x, "\nnote: ");
        put_escaped(x, note, 0);
    }
}

static void put_case(xml_out *x, const run_doc *run, const run_case *c, bool strict)
{
    put(x, "    <testcase name=\"");
    put_escaped(x, c->id, 1);
    if (*c->title) {
        put(x, " ");
        put_escaped(x, c->title, 1);
    }
    put(x, "\" classname=\"wsconform.");
    put_class_part(x, run->agent, strlen(run->agent));
    put(x, ".");
    put_class_part(x, c->id, section_length(c->id));
    put(x, "\"");
    put_time(x, c->duration_ms);

    char verdict[128];
    snprintf(verdict, sizeof verdict, "%s/%s", c->outcome, c->close_outcome);
    switch (case_shown_as(c, strict)) {
    case SHOWN_FAILED:
        put(x, ">\n      <failure");
        put_attr(x, "message", *c->reason ? c->reason : verdict);
        put_attr(x, "type", verdict);
        put(x, ">");
        put_failure_body(x, c);
        put(x, "</failure>\n    </testcase>\n");
        return;
    case SHOWN_SKIPPED: {
        put(x, ">\n      <skipped");
        size_t n = strlen(c->outcome) + strlen(c->reason) + 3;
        char *message = malloc(n);
        if (!message)
            abort();
        snprintf(message, n, "%s%s%s", c->outcome, *c->reason ? ": " : "", c->reason);
        put_attr(x, "message", message);
        free(message);
        put(x, "/>\n    </testcase>\n");
        return;
    }
    case SHOWN_PASSED:
        break;
    }
    if (strcmp(c->outcome, "OK") == 0 && strcmp(c->close_outcome, "OK") == 0) {
        put(x, "/>\n");
        return;
    }
    put(x, ">\n      <system-out>");
    put_escaped(x, verdict, 0);
    if (*c->reason) {
        put(x, ": ");
        put_escaped(x, c->reason, 0);
    }
    put(x, "</system-out>\n    </testcase>\n");
}

/* Counts of one section of one run (section NULL: the whole run). */
typedef struct tally {
    size_t tests, failures, skipped;
    double ms;
} tally;

static tally count_cases(const run_doc *run, const char *section, bool strict)
{
    tally t = {0};
    for (size_t i = 0; i < run->count; i++) {
        const run_case *c = &run->cases[i];
        if (section && !same_section(section, c->id))
            continue;
        t.tests++;
        t.ms += c->duration_ms;
        shown_as s = case_shown_as(c, strict);
        t.failures += s == SHOWN_FAILED;
        t.skipped += s == SHOWN_SKIPPED;
    }
    return t;
}

/* True if an earlier case of the run is in the same section as case i. */
static bool section_seen(const run_doc *run, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (same_section(run->cases[k].id, run->cases[i].id))
            return true;
    return false;
}

static void put_suite(xml_out *x, const run_doc *run, const char *section, bool named_by_agent,
                      bool strict)
{
    tally t = count_cases(run, section, strict);
    size_t n = section_length(section);
    put(x, "  <testsuite name=\"");
    if (named_by_agent) {
        put_escaped(x, run->agent, 1);
        put(x, ": ");
    }
    char *name = malloc(n + 1);
    if (!name)
        abort();
    memcpy(name, section, n);
    name[n] = '\0';
    put_escaped(x, name, 1);
    free(name);
    putf(x, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\"", t.tests,
         t.failures, t.skipped);
    put_time(x, t.ms);
    if (*run->started_at)
        put_attr(x, "timestamp", run->started_at);
    put(x, ">\n    <properties>\n      <property name=\"agent\"");
    put_attr(x, "value", run->agent);
    put(x, "/>\n      <property name=\"target\"");
    put_attr(x, "value", run->target);
    put(x, "/>\n    </properties>\n");
    for (size_t i = 0; i < run->count; i++)
        if (same_section(section, run->cases[i].id))
            put_case(x, run, &run->cases[i], strict);
    put(x, "  </testsuite>\n");
}

int report_junit(const run_doc *runs, size_t count, const char *path, bool strict, char *err,
                 size_t errlen)
{
    if (report_make_parent_dirs(path, err, errlen) != 0)
        return -1;
    /* Written beside the target and renamed over it: a reader never sees
     * half a file. */
    size_t tmp_len = strlen(path) + sizeof ".tmp";
    char *tmp = malloc(tmp_len);
    if (!tmp)
        abort();
    snprintf(tmp, tmp_len, "%s.tmp", path);
    xml_out x = {.f = fopen(tmp, "w")};
    if (!x.f) {
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    tally all = {0};
    double wall_ms = 0;
    for (size_t r = 0; r < count; r++) {
        tally t = count_cases(&runs[r], NULL, strict);
        all.tests += t.tests;
        all.failures += t.failures;
        all.skipped += t.skipped;
        wall_ms += runs[r].duration_ms;
    }
    put(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    putf(&x, "<testsuites name=\"wsconform\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
             "skipped=\"%zu\"", all.tests, all.failures, all.skipped);
    put_time(&x, wall_ms);
    put(&x, ">\n");
    for (size_t r = 0; r < count; r++)
        for (size_t i = 0; i < runs[r].count; i++)
            if (!section_seen(&runs[r], i))
                put_suite(&x, &runs[r], runs[r].cases[i].id, count > 1, strict);
    put(&x, "</testsuites>\n");

    int failed = ferror(x.f);
    if (fclose(x.f) != 0 || failed) {
        snprintf(err, errlen, "%s: write error: %s", tmp, strerror(errno ? errno : EIO));
        remove(tmp);
        free(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot replace with %s: %s", path, tmp, strerror(errno));
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

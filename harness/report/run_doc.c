/* Reading a finished run back from its files (run_doc.h). */
#include "report/run_doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Line and column (from 1) of offset `at` in text. */
static void line_col(const char *text, size_t at, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Reads the whole file into a NUL-terminated buffer. */
static char *read_file(const char *path, size_t max_bytes, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        say(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        say(err, errlen, "%s: not a regular file", path);
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        say(err, errlen, "%s: %lld bytes, more than the %zu accepted", path,
            (long long)st.st_size, max_bytes);
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf)
        abort();
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        say(err, errlen, "%s: read error", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

cJSON *json_file_load(const char *path, size_t max_bytes, char *err, size_t errlen)
{
    size_t len;
    char *text = read_file(path, max_bytes, &len, err, errlen);
    if (!text)
        return NULL;
    size_t lead = strspn(text, " \t\r\n");
    if (lead == len) {
        say(err, errlen, "%s: empty, expected JSON", path);
        free(text);
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        size_t line, col, at = (size_t)((char *)memchr(text, '\0', len) - text);
        line_col(text, at, &line, &col);
        say(err, errlen, "%s:%zu:%zu: a NUL byte, expected JSON text", path, line, col);
        free(text);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, true);
    if (!root) {
        size_t at = end ? (size_t)(end - text) : len;
        if (at > len)
            at = len;
        size_t line, col;
        line_col(text, at, &line, &col);
        say(err, errlen, "%s:%zu:%zu: %s", path, line, col,
            at >= len ? "the JSON text ends too early (truncated?)" : "not valid JSON here");
    }
    free(text);
    return root;
}

const char *json_string(const cJSON *obj, const char *key, const char *fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : fallback;
}

double json_number(const cJSON *obj, const char *key, double fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

bool json_bool(const cJSON *obj, const char *key, bool fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : fallback;
}

static char *dup_text(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        abort();
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Sets dir and path from a folder or a results.json. */
static void locate(run_doc *doc, const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        while (n > 1 && path[n - 1] == '/')
            n--;
        doc->dir = dup_text(path, n);
        doc->path = malloc(n + sizeof "/results.json");
        if (!doc->path)
            abort();
        snprintf(doc->path, n + sizeof "/results.json", "%s/results.json", doc->dir);
        return;
    }
    const char *slash = strrchr(path, '/');
    doc->dir = slash ? dup_text(path, slash == path ? 1 : (size_t)(slash - path)) : dup_text(".", 1);
    doc->path = dup_text(path, n);
}

static int check_case(const run_doc *doc, const cJSON *c, size_t i, run_case *out, char *err,
                      size_t errlen)
{
    static const char *const required[] = {"id", "outcome", "close_outcome"};
    if (!cJSON_IsObject(c)) {
        say(err, errlen, "%s: cases[%zu] is not an object", doc->path, i);
        return -1;
    }
    for (size_t k = 0; k < sizeof required / sizeof *required; k++)
        if (!json_string(c, required[k], NULL)) {
            const char *id = json_string(c, "id", NULL);
            say(err, errlen, "%s: cases[%zu]%s%s%s has no string \"%s\"", doc->path, i,
                id ? " (" : "", id ? id : "", id ? ")" : "", required[k]);
            return -1;
        }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(c, "remote_close_code");
    *out = (run_case){
        .id = json_string(c, "id", ""),
        .title = json_string(c, "title", ""),
        .rfc = json_string(c, "rfc", ""),
        .outcome = json_string(c, "outcome", ""),
        .close_outcome = json_string(c, "close_outcome", ""),
        .reason = json_string(c, "reason", ""),
        .remote_close_code = cJSON_IsNumber(code) ? code->valueint : -1,
        .duration_ms = json_number(c, "duration_ms", 0),
        .failed = json_bool(c, "failed", false),
        .json = c,
    };
    return 0;
}

int run_doc_load(run_doc *doc, const char *path, char *err, size_t errlen)
{
    *doc = (run_doc){0};
    locate(doc, path);
    doc->root = json_file_load(doc->path, RUN_DOC_RESULTS_MAX, err, errlen);
    if (!doc->root)
        goto fail;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(doc->root, "cases");
    if (!cJSON_IsObject(doc->root) || !cJSON_IsArray(cases)) {
        say(err, errlen, "%s: expected a wsconform results.json (an object with a \"cases\" "
                         "array)", doc->path);
        goto fail;
    }
    size_t n = (size_t)cJSON_GetArraySize(cases);
    doc->cases = calloc(n ? n : 1, sizeof *doc->cases);
    if (!doc->cases)
        abort();
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        if (check_case(doc, c, doc->count, &doc->cases[doc->count], err, errlen) != 0)
            goto fail;
        doc->count++;
    }
    doc->target = json_string(doc->root, "target", "");
    doc->agent = json_string(doc->root, "agent", NULL);
    if (!doc->agent || !*doc->agent)
        doc->agent = *doc->target ? doc->target : "wsconform";
    doc->started_at = json_string(doc->root, "started_at", "");
    doc->duration_ms = json_number(doc->root, "duration_ms", 0);
    doc->strict = json_bool(doc->root, "strict", false);
    return 0;
fail:
    run_doc_free(doc);
    return -1;
}

void run_doc_free(run_doc *doc)
{
    cJSON_Delete(doc->root);
    free(doc->cases);
    free(doc->dir);
    free(doc->path);
    *doc = (run_doc){0};
}

const run_case *run_doc_find(const run_doc *doc, const char *id)
{
    for (size_t i = 0; i < doc->count; i++)
        if (strcmp(doc->cases[i].id, id) == 0)
            return &doc->cases[i];
    return NULL;
}

bool run_doc_id_names_file(const char *id)
{
    static const char allowed[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_";
    size_t n = strlen(id);
    return n && n < 200 && *id != '.' && strspn(id, allowed) == n && !strstr(id, "..");
}

cJSON *run_doc_case_detail(const run_doc *doc, const char *id, char *err, size_t errlen)
{
    if (!run_doc_id_names_file(id)) {
        say(err, errlen, "%s: case id \"%.64s\" cannot name a file", doc->path, id);
        return NULL;
    }
    size_t n = strlen(doc->dir) + strlen(id) + sizeof "/cases/.json";
    char *path = malloc(n);
    if (!path)
        abort();
    snprintf(path, n, "%s/cases/%s.json", doc->dir, id);
    cJSON *d = json_file_load(path, RUN_DOC_DETAIL_MAX, err, errlen);
    free(path);
    return d;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

size_t json_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; n < cap && hex[0] && hex[1]; hex += 2) {
        int hi = hex_digit(hex[0]), lo = hex_digit(hex[1]);
        if (hi < 0 || lo < 0)
            break;
        out[n++] = (uint8_t)(hi << 4 | lo);
    }
    return n;
}

size_t run_doc_http_head(const cJSON *detail, const char *direction, uint8_t *buf, size_t cap,
                         bool *complete)
{
    const cJSON *wire = cJSON_GetObjectItemCaseSensitive(detail, "wire");
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(wire, direction), "chunks");
    size_t n = 0;
    *complete = false;
    const cJSON *c;
    cJSON_ArrayForEach(c, chunks) {
        if (json_number(c, "offset", -1) != (double)n ||
            cJSON_GetObjectItemCaseSensitive(c, "kept_from") || n >= cap)
            break; /* a gap or a chunk kept in part: the head is not whole */
        size_t before = n;
        n += json_hex_decode(json_string(c, "hex", ""), buf + n, cap - n);
        for (size_t i = before > 3 ? before : 3; i < n; i++)
            if (memcmp(buf + i - 3, "\r\n\r\n", 4) == 0) {
                *complete = true;
                return i + 1;
            }
    }
    return n;
}

/*
 * A finished run read back from its folder: results.json, and on demand the
 * per-case files cases/<id>.json. Every reporter that is not written while
 * the run goes (HTML, JUnit, Autobahn's index.json, baselines, diffs) reads
 * runs through this, so a report can be made again from the files alone.
 */
#ifndef WSCONFORM_RUN_DOC_H
#define WSCONFORM_RUN_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Caps on what is read: a results.json of the whole library is under 1 MiB,
 * a per-case file under 4 MiB (the wire log is capped when written). */
#define RUN_DOC_RESULTS_MAX (64u << 20)
#define RUN_DOC_DETAIL_MAX (64u << 20)

/* One case of results.json, checked on loading. */
typedef struct run_case {
    const char *id, *title, *rfc, *outcome, *close_outcome, *reason;
    int remote_close_code;      /* -1: null (no Close from the peer) */
    double duration_ms;
    bool failed;                /* the "failed" field: either verdict failed */
    const cJSON *json;          /* the whole entry, for the fields not above */
} run_case;

typedef struct run_doc {
    char *dir;                  /* the folder of results.json ("." for a bare file name) */
    char *path;                 /* results.json itself */
    cJSON *root;
    const char *agent;          /* "agent", or the target when the run had none */
    const char *target, *started_at;
    double duration_ms;
    bool strict;
    run_case *cases;            /* in the file's order (the library's) */
    size_t count;
} run_doc;

/* Reads a JSON file of at most max_bytes. On error returns NULL and writes
 * "FILE: what" or "FILE:LINE:COL: what" into err (missing, empty, too big,
 * not JSON, truncated). */
cJSON *json_file_load(const char *path, size_t max_bytes, char *err, size_t errlen);

/* Loads a run from its folder or from its results.json. Every case needs a
 * string id, outcome and close_outcome; a missing or mistyped field is an
 * error naming the file and the case. 0, or -1 with err. */
int run_doc_load(run_doc *doc, const char *path, char *err, size_t errlen);

void run_doc_free(run_doc *doc);

/* The case with this id, or NULL. */
const run_case *run_doc_find(const run_doc *doc, const char *id);

/* True if a case id can name a file: letters, digits, '.', '-', '_', not
 * starting with '.', no "..", under 200 characters (ids come from files
 * a user may have edited). */
bool run_doc_id_names_file(const char *id);

/* Reads DIR/cases/<id>.json (the caller frees it with cJSON_Delete), or NULL
 * with err when it is missing or not JSON. */
cJSON *run_doc_case_detail(const run_doc *doc, const char *id, char *err, size_t errlen);

/* Field readers that tolerate a missing or mistyped field. */
const char *json_string(const cJSON *obj, const char *key, const char *fallback);
double json_number(const cJSON *obj, const char *key, double fallback);
bool json_bool(const cJSON *obj, const char *key, bool fallback);

/* Decodes hex text into at most cap bytes; stops at the first pair that is
 * not hex. Returns how many bytes. */
size_t json_hex_decode(const char *hex, uint8_t *out, size_t cap);

/* The most of one direction's stream ("out" or "in") the opening handshake
 * can take in a per-case file's wire log. */
#define RUN_DOC_HTTP_HEAD_MAX (64u << 10)

/* The first bytes of one direction of a per-case file's wire log, as long as
 * the log kept them whole, up to and with the blank line that ends an HTTP
 * head (at most cap bytes). Returns their length; *complete tells whether
 * the blank line was found. */
size_t run_doc_http_head(const cJSON *detail, const char *direction, uint8_t *buf, size_t cap,
                         bool *complete);

/* Case ids are ordered with case_id_compare() (lang/catalog.h). */

#endif

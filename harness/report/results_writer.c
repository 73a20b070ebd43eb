/* Reporters: they only read finished, judged results. */
#define _DEFAULT_SOURCE
#include "report/results_writer.h"
#include "report/report_paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "lang/names.h"
#include "wscodec.h"


bool report_case_failed(const run_info *info, const case_result *r)
{
    return result_failed(r) || (info->strict && r->outcome == VERDICT_NON_STRICT);
}

/* YAML double-quoted scalar: escapes what YAML and TAP consumers need. */
static void yaml_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void report_tap(FILE *f, const run_info *info, case_result *const *results, size_t count)
{
    fprintf(f, "TAP version 14\n1..%zu\n", count);
    for (size_t i = 0; i < count; i++) {
        const case_result *r = results[i];
        bool failed = report_case_failed(info, r);
        fprintf(f, "%s %zu - %s %s", failed ? "not ok" : "ok", i + 1, r->def->id, r->def->title);
        if (!failed && r->outcome == VERDICT_UNIMPLEMENTED)
            fprintf(f, " # SKIP unimplemented");
        else if (r->outcome == VERDICT_NOT_RUN)
            fprintf(f, " # SKIP not run");
        else if (!failed && r->outcome != VERDICT_OK)
            fprintf(f, " # %s", verdict_name(r->outcome));
        fputc('\n', f);
        if (failed || r->reason[0]) {
            fprintf(f, "  ---\n  outcome: %s\n  close_outcome: %s\n  rfc: ",
                    verdict_name(r->outcome), close_verdict_name(r->close_outcome));
            yaml_string(f, r->def->rfc ? r->def->rfc : "");
            fprintf(f, "\n  reason: ");
            yaml_string(f, r->reason);
            fprintf(f, "\n  file: ");
            yaml_string(f, r->def->file ? r->def->file : "");
            fprintf(f, "\n  line: %d\n  ...\n", r->def->line);
        }
    }
}

void report_tally(case_result *const *results, size_t count, size_t tally[VERDICT_COUNT])
{
    for (size_t i = 0; i < VERDICT_COUNT; i++)
        tally[i] = 0;
    for (size_t i = 0; i < count; i++) {
        /* A failed close fails the case, whatever the outcome said. */
        verdict v = result_failed(results[i]) ? VERDICT_FAILED : results[i]->outcome;
        tally[v]++;
    }
}

size_t report_count_failed(const run_info *info, case_result *const *results, size_t count)
{
    size_t failed = 0;
    for (size_t i = 0; i < count; i++)
        failed += report_case_failed(info, results[i]);
    return failed;
}

static const char *target_state_name(target_state s)
{
    static const char *const names[] = {"ok", "unreachable", "tls-failed", "not-websocket",
                                        "died", "interrupted"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static cJSON *summary_json(case_result *const *results, size_t count)
{
    size_t tally[VERDICT_COUNT];
    report_tally(results, count, tally);
    cJSON *s = cJSON_CreateObject();
    for (size_t i = 0; i < VERDICT_COUNT; i++)
        cJSON_AddNumberToObject(s, verdict_name((verdict)i), (double)tally[i]);
    return s;
}

/* One direction of permessage-deflate: message bytes, the octets of their
 * frames, and the ratio (wire over message; below 1 is a gain). */
static void add_direction(cJSON *parent, const char *name, uint64_t message, uint64_t wire)
{
    cJSON *d = cJSON_AddObjectToObject(parent, name);
    cJSON_AddNumberToObject(d, "message_bytes", (double)message);
    cJSON_AddNumberToObject(d, "wire_octets", (double)wire);
    if (message)
        cJSON_AddNumberToObject(d, "ratio", (double)((int64_t)(wire * 10000 / message)) / 10000);
    else
        cJSON_AddNullToObject(d, "ratio");
}

static void add_compression(cJSON *c, const case_result *r)
{
    cJSON *z = cJSON_AddObjectToObject(c, "compression");
    add_direction(z, "sent", r->message_bytes_out, r->compressed_bytes_out);
    add_direction(z, "received", r->message_bytes_in, r->compressed_bytes_in);
}

static cJSON *hex_json(const uint8_t *data, size_t n);

/* Text that came from the peer, as a JSON string: valid UTF-8 kept, NUL and
 * every byte that is not part of a valid character as U+FFFD, so the file
 * stays valid JSON whatever was sent. */
static cJSON *clean_text_json(const void *data, size_t n)
{
    const uint8_t *p = data;
    char *out = malloc(3 * n + 1), *o = out;
    if (!out)
        abort();
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = p[i] ? ws_utf8_decode(p + i, n - i, &cp) : 0;
        if (len) {
            memcpy(o, p + i, len);
            o += len;
            i += len;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    *o = '\0';
    cJSON *j = cJSON_CreateString(out);
    free(out);
    return j;
}

static void add_clean_text(cJSON *obj, const char *key, const char *text)
{
    cJSON_AddItemToObject(obj, key, clean_text_json(text, strlen(text)));
}

static cJSON *case_json(const case_result *r)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", r->def->id);
    cJSON_AddStringToObject(c, "title", r->def->title ? r->def->title : "");
    cJSON_AddStringToObject(c, "rfc", r->def->rfc ? r->def->rfc : "");
    cJSON_AddStringToObject(c, "outcome", verdict_name(r->outcome));
    cJSON_AddStringToObject(c, "close_outcome", close_verdict_name(r->close_outcome));
    if (r->peer_close_code >= 0)
        cJSON_AddNumberToObject(c, "remote_close_code", r->peer_close_code);
    else
        cJSON_AddNullToObject(c, "remote_close_code");
    cJSON_AddNumberToObject(c, "duration_ms", (double)(r->duration_us / 1000));
    add_clean_text(c, "reason", r->reason);
    cJSON_AddBoolToObject(c, "failed", result_failed(r));
    cJSON_AddStringToObject(c, "requirement", r->def->requirement ? r->def->requirement : "");
    if (r->def->note)
        cJSON_AddStringToObject(c, "note", r->def->note);
    if (r->rerun_alone)
        cJSON_AddBoolToObject(c, "rerun_alone", true);
    if (r->heartbeat_checked)
        cJSON_AddBoolToObject(c, "heartbeat_checked", true);
    if (r->compressed)
        add_compression(c, r);
    return c;
}

static void hex_into(char *out, const uint8_t *data, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * n] = '\0';
}

static cJSON *hex_json(const uint8_t *data, size_t n)
{
    char *text = malloc(2 * n + 1);
    if (!text)
        abort();
    hex_into(text, data, n);
    cJSON *j = cJSON_CreateString(text);
    free(text);
    return j;
}

static const char *endpoint_name(endpoint e)
{
    return e == BY_US ? "suite" : e == BY_PEER ? "peer" : "nobody";
}

/* One chunk of the wire log: when, where in the stream, and the bytes kept. */
static void add_chunk_json(void *ctx, const wire_chunk *w, const uint8_t *kept,
                           uint64_t kept_from, size_t kept_length)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "at_us", (double)w->at_us);
    cJSON_AddNumberToObject(j, "offset", (double)w->offset);
    cJSON_AddNumberToObject(j, "length", w->length);
    if (kept_length != w->length)
        cJSON_AddNumberToObject(j, "kept_from", (double)kept_from);
    cJSON_AddItemToObject(j, "hex", hex_json(kept, kept_length));
    cJSON_AddItemToArray(ctx, j);
}

/* Printable ASCII shows as text, anything else as hex. */
static bool printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    return true;
}

/* One decoded frame: header fields and the first payload bytes, unmasked. */
static void add_frame_json(void *ctx, const wire_frame *f, uint64_t omitted_before)
{
    cJSON *j = cJSON_CreateObject();
    if (omitted_before)
        cJSON_AddNumberToObject(j, "omitted_before", (double)omitted_before);
    cJSON_AddNumberToObject(j, "at_us", (double)f->at_us);
    cJSON_AddStringToObject(j, "opcode", opcode_name(f->opcode));
    cJSON_AddBoolToObject(j, "fin", f->fin);
    cJSON_AddNumberToObject(j, "rsv", f->rsv);
    cJSON_AddBoolToObject(j, "masked", f->masked);
    cJSON_AddNumberToObject(j, "length", (double)f->length);
    const uint8_t *p = f->preview;
    size_t n = f->preview_length;
    if (f->opcode == WS_OP_CLOSE && n >= 2) {
        cJSON_AddNumberToObject(j, "close_code", p[0] << 8 | p[1]);
        p += 2;
        n -= 2;
    }
    if (n && printable(p, n)) {
        char text[WIRE_PREVIEW + 1];
        memcpy(text, p, n);
        text[n] = '\0';
        cJSON_AddStringToObject(j, "text", text);
    } else if (n) {
        cJSON_AddItemToObject(j, "hex", hex_json(p, n));
    }
    cJSON_AddItemToArray(ctx, j);
}

/* The detail of one case: its observations and the wire log. */
static cJSON *detail_json(const case_result *r)
{
    cJSON *c = case_json(r);
    cJSON_AddStringToObject(c, "file", r->def->file ? r->def->file : "");
    cJSON_AddNumberToObject(c, "line", r->def->line);
    cJSON_AddStringToObject(c, "case_text", r->def->body ? r->def->body : "");
    cJSON_AddStringToObject(c, "closed_by", endpoint_name(r->closer));
    cJSON_AddStringToObject(c, "tcp_closed_by", endpoint_name(r->tcp_closed_by));
    cJSON_AddBoolToObject(c, "clean", result_clean(r));
    if (r->our_close_code)
        cJSON_AddNumberToObject(c, "local_close_code", r->our_close_code);
    cJSON_AddItemToObject(c, "remote_close_reason",
                          clean_text_json(r->peer_close_reason, r->peer_close_reason_length));
    cJSON_AddItemToObject(c, "remote_close_reason_hex",
                          hex_json((const uint8_t *)r->peer_close_reason, r->peer_close_reason_length));
    cJSON_AddNumberToObject(c, "bytes_sent", (double)r->bytes_out);
    cJSON_AddNumberToObject(c, "bytes_received", (double)r->bytes_in);
    cJSON_AddBoolToObject(c, "compressed", r->compressed);
    cJSON_AddBoolToObject(c, "decided_early", r->decided_early);
    cJSON *timers = cJSON_AddArrayToObject(c, "timers_fired");
    static const char *const timer_names[] = {"handshake", "kill", "close-wait", "hard-stop",
                                              "close-after", "await", "wait-tag"};
    for (unsigned i = 0; i < sizeof timer_names / sizeof timer_names[0]; i++)
        if (r->timers & (1u << i))
            cJSON_AddItemToArray(timers, cJSON_CreateString(timer_names[i]));
    if (r->events_dropped)
        cJSON_AddNumberToObject(c, "events_dropped", (double)r->events_dropped);
    if (r->pongs_coalesced)
        cJSON_AddNumberToObject(c, "pongs_coalesced", (double)r->pongs_coalesced);

    cJSON *events = cJSON_AddArrayToObject(c, "events");
    for (size_t i = 0; i < r->event_count; i++) {
        const observed_event *e = &r->events[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "type", event_name(e->kind));
        cJSON_AddNumberToObject(j, "at_us", (double)e->at_us);
        if (e->kind == EVENT_MESSAGE)
            cJSON_AddStringToObject(j, "opcode", e->opcode == WS_OP_BINARY ? "binary" : "text");
        if (e->kind == EVENT_TIMEOUT)
            cJSON_AddStringToObject(j, "tag", e->tag ? e->tag : "");
        if (e->kind == EVENT_HTTP)
            cJSON_AddNumberToObject(j, "status", e->status);
        cJSON_AddNumberToObject(j, "length", (double)e->length);
        if (e->over_limit)
            cJSON_AddBoolToObject(j, "over_limit", true);
        if (e->echo_of) {
            /* checked on arrival: the message sent, shown by its index */
            cJSON_AddNumberToObject(j, "echo_of", (double)(e->echo_of - 1));
        } else {
            size_t show = e->data ? (e->length < 256 ? e->length : 256) : 0;
            cJSON_AddItemToObject(j, "head_hex", hex_json(e->data, show));
        }
        cJSON_AddItemToArray(events, j);
    }

    cJSON *wire = cJSON_AddObjectToObject(c, "wire");
    cJSON *frames = cJSON_AddObjectToObject(c, "frames");
    static const char *const dirs[2] = {"out", "in"};
    for (int d = 0; d < 2; d++) {
        cJSON *w = cJSON_AddObjectToObject(wire, dirs[d]);
        cJSON_AddNumberToObject(w, "bytes", (double)r->wire.dir[d].bytes);
        cJSON_AddNumberToObject(w, "chunks_omitted", (double)wire_log_chunks_omitted(&r->wire, d));
        wire_log_chunks(&r->wire, d, add_chunk_json, cJSON_AddArrayToObject(w, "chunks"));
        cJSON *f = cJSON_AddObjectToObject(frames, dirs[d]);
        cJSON_AddNumberToObject(f, "total", (double)wire_log_frames_total(&r->wire, d));
        cJSON_AddNumberToObject(f, "omitted", (double)wire_log_frames_omitted(&r->wire, d));
        wire_log_frames(&r->wire, d, add_frame_json, cJSON_AddArrayToObject(f, "list"));
    }
    return c;
}

static int write_json(const char *path, cJSON *json)
{
    char *text = cJSON_Print(json);
    FILE *f = text ? fopen(path, "w") : NULL;
    int rc = -1;
    if (f) {
        rc = fputs(text, f) < 0 ? -1 : 0;
        fputc('\n', f);
        if (fclose(f) != 0)
            rc = -1;
    }
    if (rc != 0)
        fprintf(stderr, "wsconform: cannot write %s: %s\n", path, strerror(errno));
    free(text);
    return rc;
}

static int make_dir(const char *path)
{
    char err[600];
    if (report_make_dirs(path, err, sizeof err) == 0)
        return 0;
    fprintf(stderr, "wsconform: %s\n", err);
    return -1;
}

/* Case ids are file names here: keep them safe. */
static void file_name_for(char *out, size_t cap, const char *id)
{
    size_t n = 0;
    for (; *id && n + 1 < cap; id++)
        out[n++] = (*id == '/' || *id == '\\' || (unsigned char)*id < 0x20) ? '_' : *id;
    out[n] = '\0';
}

int report_open_dir(const char *dir)
{
    char path[4096];
    if (make_dir(dir) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/cases", dir);
    if (make_dir(path) != 0)
        return -1;
    /* Find out now, not after the run, that nothing can be written there. */
    snprintf(path, sizeof path, "%s/results.json", dir);
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, "wsconform: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

int report_write_case(const char *dir, const case_result *r)
{
    char name[256], path[4096];
    file_name_for(name, sizeof name, r->def->id);
    snprintf(path, sizeof path, "%s/cases/%s.json", dir, name);
    cJSON *detail = detail_json(r);
    int rc = write_json(path, detail);
    cJSON_Delete(detail);
    return rc;
}

int report_write_summary(const char *dir, const run_info *info, case_result *const *results,
                         size_t count)
{
    char path[4096];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "wsconform");
    cJSON_AddStringToObject(root, "version", WSCONFORM_VERSION);
    cJSON_AddStringToObject(root, "target", info->target);
    cJSON_AddStringToObject(root, "target_state", target_state_name(info->target_state));
    add_clean_text(root, "target_detail", info->target_detail);
    if (info->target_state == TARGET_DIED) {
        cJSON *ids = cJSON_AddArrayToObject(root, "died_during");
        for (size_t i = 0; i < info->died_count; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(info->died_during[i]->id));
        if (info->died_count)
            cJSON_AddStringToObject(root, "died_at", info->died_during[0]->id);
        else
            cJSON_AddNullToObject(root, "died_at");
    }
    add_clean_text(root, "agent", info->agent ? info->agent : "");
    cJSON_AddStringToObject(root, "started_at", info->started_at);
    cJSON_AddNumberToObject(root, "duration_ms", (double)info->duration_ms);
    cJSON_AddBoolToObject(root, "strict", info->strict);
    cJSON_AddNumberToObject(root, "jobs", (double)info->jobs);
    cJSON *selection = cJSON_AddObjectToObject(root, "selection");
    cJSON_AddStringToObject(selection, "cases", info->include ? info->include : "*");
    cJSON_AddStringToObject(selection, "exclude", info->exclude ? info->exclude : "");
    cJSON_AddItemToObject(root, "summary", summary_json(results, count));
    cJSON_AddNumberToObject(root, "failed", (double)report_count_failed(info, results, count));
    cJSON *cases = cJSON_AddArrayToObject(root, "cases");
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(cases, case_json(results[i]));
    snprintf(path, sizeof path, "%s/results.json", dir);
    int rc = write_json(path, root);
    cJSON_Delete(root);

    snprintf(path, sizeof path, "%s/results.tap", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "wsconform: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    report_tap(f, info, results, count);
    if (fclose(f) != 0)
        rc = -1;
    return rc ? -1 : 0;
}

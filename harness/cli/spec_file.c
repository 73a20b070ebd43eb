/* Reading Autobahn's fuzzingclient.json (spec_file.h). */
#define _DEFAULT_SOURCE
#include "cli/spec_file.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/run_doc.h"

#define SPEC_MAX (1u << 20)
#define SERVERS_MAX 64

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Case ids are letters, digits, '.', '-' and '_'; Autobahn's patterns add
 * '*'. Anything else would be a regular expression in Autobahn, which this
 * reading does not follow: refused rather than matched differently. */
static bool is_pattern(const char *p)
{
    if (!*p)
        return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_' || *p == '*'))
            return false;
    return true;
}

/* Appends one pattern as a glob to a comma-separated list. */
static void add_glob(char **list, const char *pattern, bool open_end)
{
    size_t old = *list ? strlen(*list) : 0;
    size_t n = old + 1 + strlen(pattern) + 2;
    char *s = realloc(*list, n);
    if (!s)
        abort();
    snprintf(s + old, n - old, "%s%s%s", old ? "," : "", pattern, open_end ? "*" : "");
    *list = s;
}

/* Reads a list of patterns (key) into globs; a '*' pattern is open at its end
 * unless anchored. */
static int read_patterns(const run_spec *spec, const cJSON *list, const char *where, bool anchored,
                         char **globs, char *err, size_t errlen)
{
    if (!cJSON_IsArray(list))
        return fail(err, errlen, "%s: %s: expected a list of case patterns", spec->path, where);
    const cJSON *item;
    int i = 0;
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item) || !is_pattern(item->valuestring))
            return fail(err, errlen,
                        "%s: %s[%d]: expected a case pattern (an id, or letters, digits, '.', "
                        "'-', '_' and '*'), found %s",
                        spec->path, where, i, cJSON_IsString(item) ? "other characters" : "no string");
        size_t n = strlen(item->valuestring);
        add_glob(globs, item->valuestring,
                 !anchored && strchr(item->valuestring, '*') && item->valuestring[n - 1] != '*');
        i++;
    }
    return 0;
}

static int read_servers(run_spec *spec, char *err, size_t errlen)
{
    const cJSON *servers = cJSON_GetObjectItemCaseSensitive(spec->root, "servers");
    if (!cJSON_IsArray(servers) || cJSON_GetArraySize(servers) == 0)
        return fail(err, errlen, "%s: \"servers\": expected a list of at least one server "
                                 "({\"url\": \"ws://...\", \"agent\": \"...\"})", spec->path);
    if (cJSON_GetArraySize(servers) > SERVERS_MAX)
        return fail(err, errlen, "%s: \"servers\": %d servers, at most %d", spec->path,
                    cJSON_GetArraySize(servers), SERVERS_MAX);
    spec->servers = calloc((size_t)cJSON_GetArraySize(servers), sizeof *spec->servers);
    if (!spec->servers)
        abort();
    const cJSON *s;
    cJSON_ArrayForEach(s, servers) {
        size_t i = spec->server_count;
        const cJSON *agent = cJSON_GetObjectItemCaseSensitive(s, "agent");
        if (!cJSON_IsObject(s) || !json_string(s, "url", NULL))
            return fail(err, errlen, "%s: servers[%zu]: expected an object with a string \"url\"",
                        spec->path, i);
        if (agent && (!cJSON_IsString(agent) || !*agent->valuestring))
            return fail(err, errlen, "%s: servers[%zu].agent: expected a non-empty string",
                        spec->path, i);
        spec->servers[i] = (spec_server){.url = json_string(s, "url", ""),
                                         .agent = agent ? agent->valuestring : NULL, .json = s};
        spec->server_count++;
    }
    return 0;
}

static int check_agent_excludes(const run_spec *spec, char *err, size_t errlen)
{
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(spec->root, "exclude-agent-cases");
    if (!map)
        return 0;
    if (!cJSON_IsObject(map))
        return fail(err, errlen, "%s: \"exclude-agent-cases\": expected an object {\"agent "
                                 "pattern\": [case patterns]}", spec->path);
    const cJSON *e;
    cJSON_ArrayForEach(e, map) {
        char where[300], *globs = NULL;
        snprintf(where, sizeof where, "\"exclude-agent-cases\".\"%.200s\"", e->string);
        int rc = read_patterns(spec, e, where, true, &globs, err, errlen);
        free(globs);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int spec_load(run_spec *spec, const char *path, char *err, size_t errlen)
{
    *spec = (run_spec){0};
    spec->path = strdup(path);
    if (!spec->path)
        abort();
    spec->root = json_file_load(path, SPEC_MAX, err, errlen);
    if (!spec->root)
        goto fail;
    if (!cJSON_IsObject(spec->root)) {
        fail(err, errlen, "%s: expected an object (Autobahn's fuzzingclient.json)", path);
        goto fail;
    }
    const cJSON *outdir = cJSON_GetObjectItemCaseSensitive(spec->root, "outdir");
    if (outdir && (!cJSON_IsString(outdir) || !*outdir->valuestring)) {
        fail(err, errlen, "%s: \"outdir\": expected a folder name", path);
        goto fail;
    }
    spec->outdir = outdir ? outdir->valuestring : "./reports/servers";
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(spec->root, "cases");
    const cJSON *excluded = cJSON_GetObjectItemCaseSensitive(spec->root, "exclude-cases");
    if (cases && read_patterns(spec, cases, "\"cases\"", false, &spec->include, err, errlen) != 0)
        goto fail;
    if (cases && !spec->include) {
        fail(err, errlen, "%s: \"cases\": the list is empty, so no case would run", path);
        goto fail;
    }
    if (excluded &&
        read_patterns(spec, excluded, "\"exclude-cases\"", false, &spec->exclude, err, errlen) != 0)
        goto fail;
    if (check_agent_excludes(spec, err, errlen) != 0 || read_servers(spec, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    spec_free(spec);
    return -1;
}

char *spec_exclude_for(const run_spec *spec, const char *agent)
{
    char *globs = spec->exclude ? strdup(spec->exclude) : NULL;
    if (spec->exclude && !globs)
        abort();
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(spec->root, "exclude-agent-cases");
    const cJSON *e;
    cJSON_ArrayForEach(e, map) {
        /* Autobahn anchors agent patterns and takes '*' for any text; its
         * '.' is literal, as fnmatch's is */
        if (!is_pattern(e->string) || fnmatch(e->string, agent, 0) != 0)
            continue;
        const cJSON *p;
        cJSON_ArrayForEach(p, e) add_glob(&globs, p->valuestring, false);
    }
    return globs;
}

void spec_print_ignored(const run_spec *spec, FILE *f)
{
    static const char *const read_here[] = {"outdir", "servers", "cases", "exclude-cases",
                                            "exclude-agent-cases"};
    const cJSON *k;
    cJSON_ArrayForEach(k, spec->root) {
        bool known = false;
        for (size_t i = 0; i < sizeof read_here / sizeof *read_here; i++)
            known = known || strcmp(k->string, read_here[i]) == 0;
        if (!known)
            fprintf(f, "wsconform run: %s: \"%s\" has no effect here\n", spec->path, k->string);
    }
    for (size_t i = 0; i < spec->server_count; i++) {
        cJSON_ArrayForEach(k, spec->servers[i].json) {
            if (strcmp(k->string, "url") != 0 && strcmp(k->string, "agent") != 0)
                fprintf(f, "wsconform run: %s: servers[%zu].%s has no effect here\n", spec->path,
                        i, k->string);
        }
    }
}

void spec_free(run_spec *spec)
{
    cJSON_Delete(spec->root);
    free(spec->path);
    free(spec->include);
    free(spec->exclude);
    free(spec->servers);
    *spec = (run_spec){0};
}

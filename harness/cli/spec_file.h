/*
 * Autobahn's fuzzingclient.json, read as it is: the servers to test (url,
 * agent), the cases ("cases", "exclude-cases", "exclude-agent-cases") and
 * where the reports go ("outdir"). Autobahn's patterns become the globs of
 * --cases/--exclude with Autobahn's matching rules: a pattern with '*' is
 * matched from the start of the id and not anchored at its end ("1*" also
 * takes 10.1.1), one without is the id itself; the patterns of
 * "exclude-agent-cases" and their agent patterns are anchored at both ends.
 */
#ifndef WSCONFORM_SPEC_FILE_H
#define WSCONFORM_SPEC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

typedef struct spec_server {
    const char *url;
    const char *agent;          /* NULL: the server's Server header, else "UnknownServer" */
    const cJSON *json;          /* the entry, for the keys read elsewhere */
} spec_server;

typedef struct run_spec {
    char *path;
    cJSON *root;
    const char *outdir;         /* default "./reports/servers", as Autobahn's */
    char *include;              /* --cases globs; NULL: every case */
    char *exclude;              /* --exclude globs from "exclude-cases"; NULL: none */
    spec_server *servers;
    size_t server_count;
} run_spec;

/* Reads and checks the file. 0, or -1 with "FILE[:LINE:COL]: what" in err. */
int spec_load(run_spec *spec, const char *path, char *err, size_t errlen);

/* The --exclude globs for one agent: "exclude-cases" plus the
 * "exclude-agent-cases" whose agent pattern matches it. malloc'd; NULL for
 * none. */
char *spec_exclude_for(const run_spec *spec, const char *agent);

/* Writes to f one line per key of the file that has no effect here. */
void spec_print_ignored(const run_spec *spec, FILE *f);

void spec_free(run_spec *spec);

#endif

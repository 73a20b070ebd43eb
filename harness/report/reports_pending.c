/* Reporters not written yet: each says so. */
#include <stdio.h>

#include "report/reports.h"

#include "report/baseline.h"

baseline *baseline_load(const char *path, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: baselines are not available in this build", path);
    return NULL;
}

void baseline_free(baseline *b)
{
    (void)b;
}

int baseline_gate(const baseline *b, const run_doc *run, FILE *out, const char *json_path,
                  char *err, size_t errlen)
{
    (void)b, (void)run, (void)out, (void)json_path;
    snprintf(err, errlen, "baselines are not available in this build");
    return -1;
}

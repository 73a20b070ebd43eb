/* Reporters not written yet: each says so. */
#include <stdio.h>

#include "report/reports.h"

int report_html(const run_doc *runs, size_t count, const char *dir, char *err, size_t errlen)
{
    (void)runs, (void)count;
    snprintf(err, errlen, "%s: the HTML report is not available in this build", dir);
    return -1;
}

int report_junit(const run_doc *runs, size_t count, const char *path, bool strict, char *err,
                 size_t errlen)
{
    (void)runs, (void)count, (void)strict;
    snprintf(err, errlen, "%s: the JUnit report is not available in this build", path);
    return -1;
}

int report_autobahn_json(const run_doc *runs, size_t count, const char *dir, char *err,
                         size_t errlen)
{
    (void)runs, (void)count;
    snprintf(err, errlen, "%s: the Autobahn report is not available in this build", dir);
    return -1;
}

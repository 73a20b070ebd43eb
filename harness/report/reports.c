/* Writing the requested reports of finished runs (reports.h). */
#include "report/reports.h"

bool reports_requested(const report_request *rq)
{
    return rq->html_dir || rq->junit_file || rq->autobahn_dir;
}

int reports_write(const report_request *rq, const run_doc *runs, size_t count, char *err,
                  size_t errlen)
{
    if (rq->junit_file && report_junit(runs, count, rq->junit_file, rq->strict, err, errlen) != 0)
        return -1;
    if (rq->autobahn_dir && report_autobahn_json(runs, count, rq->autobahn_dir, err, errlen) != 0)
        return -1;
    if (rq->html_dir && report_html(runs, count, rq->html_dir, err, errlen) != 0)
        return -1;
    return 0;
}

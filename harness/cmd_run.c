/* `wsconform run URL`: plays the selected cases against a server. */
#define _DEFAULT_SOURCE
#include "cmd_run.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "report.h"
#include "runner.h"
#include "session.h"
#include "transport.h"
#include "url.h"

#define DEFAULT_JOBS 32
#define MAX_JOBS 1024

typedef struct progress_state {
    bool tty;
    const run_info *info;
    size_t failures;
} progress_state;

static void show_progress(void *ctx, const case_result *r, size_t finished, size_t total)
{
    progress_state *p = ctx;
    if (report_case_failed(p->info, r))
        p->failures++;
    if (p->tty)
        fprintf(stderr, "\r%zu/%zu done, %zu failed ", finished, total, p->failures);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wsconform run URL [--cases LIST] [--exclude LIST] [--jobs N] [--out DIR]\n"
            "                         [--agent NAME] [--tap] [--strict] [--timeout-scale F]\n"
            "                         [--ca FILE | --insecure] [--cases-dir DIR]\n"
            "  URL            ws://host:port/path or wss://...; IPv6 literals in brackets\n"
            "  --cases LIST   comma-separated globs over case ids (\"1.*,2.1\"); default all\n"
            "  --exclude LIST globs of cases to leave out\n"
            "  --jobs N       cases run at once (default %d)\n"
            "  --out DIR      write results.json, results.tap and cases/<id>.json there\n"
            "  --agent NAME   name of the implementation under test, for the reports\n"
            "  --tap          TAP 14 on stdout\n"
            "  --strict       NON-STRICT counts as a failure\n"
            "  --timeout-scale F  multiply every timeout by F (slow targets, sanitizers)\n"
            "  --ca FILE      trust these CA certificates (PEM) for wss://\n"
            "  --insecure     do not verify the server's certificate\n"
            "  --cases-dir DIR  where case files are read from\n"
            "exit status: 0 no case failed, 1 a case failed, 2 usage or case-file error,\n"
            "             3 the target could not be reached\n",
            DEFAULT_JOBS);
}

static int parse_positive(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"cases", required_argument, NULL, 'c'},   {"exclude", required_argument, NULL, 'x'},
        {"jobs", required_argument, NULL, 'j'},    {"out", required_argument, NULL, 'o'},
        {"agent", required_argument, NULL, 'a'},   {"tap", no_argument, NULL, 't'},
        {"strict", no_argument, NULL, 's'},        {"timeout-scale", required_argument, NULL, 'T'},
        {"ca", required_argument, NULL, 'C'},      {"insecure", no_argument, NULL, 'k'},
        {"cases-dir", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *include = NULL, *exclude = NULL, *out_dir = NULL, *agent = NULL;
    const char *ca = NULL, *cases_dir = NULL;
    bool tap = false, strict = false, insecure = false;
    double jobs = DEFAULT_JOBS, scale = 1.0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'c': include = optarg; break;
        case 'x': exclude = optarg; break;
        case 'o': out_dir = optarg; break;
        case 'a': agent = optarg; break;
        case 't': tap = true; break;
        case 's': strict = true; break;
        case 'C': ca = optarg; break;
        case 'k': insecure = true; break;
        case 'd': cases_dir = optarg; break;
        case 'j':
            if (parse_positive(optarg, 1, MAX_JOBS, &jobs) != 0 || jobs != (double)(long)jobs) {
                fprintf(stderr, "wsconform run: --jobs expects a whole number 1..%d, got '%s'\n",
                        MAX_JOBS, optarg);
                return 2;
            }
            break;
        case 'T':
            if (parse_positive(optarg, 0.01, 1000, &scale) != 0) {
                fprintf(stderr, "wsconform run: --timeout-scale expects a number 0.01..1000, "
                                "got '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "wsconform run: expected one URL, got %d arguments\n", argc - optind);
        usage(stderr);
        return 2;
    }
    if (ca && insecure) {
        fprintf(stderr, "wsconform run: --ca and --insecure exclude each other\n");
        return 2;
    }

    char err[512];
    ws_url url;
    if (ws_url_parse(argv[optind], &url, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        return 2;
    }

    case_list all = {0};
    if (catalog_load_dir(cases_dir ? cases_dir : catalog_default_dir(), &all, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform: %s\n", err);
        return 2;
    }
    const case_def **selected = NULL;
    size_t count = 0;
    if (catalog_select(&all, include, exclude, &selected, &count, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        case_list_free(&all);
        return 2;
    }
    if (count == 0) {
        fprintf(stderr, "wsconform run: no case matches --cases '%s'%s%s\n",
                include ? include : "*", exclude ? " --exclude " : "", exclude ? exclude : "");
        free(selected);
        case_list_free(&all);
        return 2;
    }

    transport_target target = {.host = url.host, .verify_host = !insecure};
    int status = 0;
    if (url.secure) {
        target.tls = transport_tls_context(ca, insecure, err, sizeof err);
        if (!target.tls) {
            fprintf(stderr, "wsconform run: %s\n", err);
            status = 2;
        }
    }
    if (!status && transport_resolve(url.host, url.port, &target, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        status = 3;
    }
    if (!status && transport_probe(&target, (int)(5000 * scale), err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: cannot reach %s: %s\n", argv[optind], err);
        status = 3;
    }
    if (status) {
        if (target.tls)
            SSL_CTX_free(target.tls);
        free(selected);
        case_list_free(&all);
        return status;
    }

    session_config cfg = {
        .url = &url,
        .target = &target,
        .timeout_scale = scale,
        .user_agent = "wsconform/0.1.0",
        .max_message = 64u << 20,
        .max_event_bytes = 96u << 20,
        .max_wire_log = 256u << 10,
    };
    run_info info = {.target = argv[optind], .agent = agent, .strict = strict};
    time_t wall = time(NULL);
    strftime(info.started_at, sizeof info.started_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
    progress_state progress = {.tty = isatty(STDERR_FILENO) && !tap, .info = &info};

    uint64_t t0 = monotonic_us();
    case_result **results =
        runner_run(selected, count, &cfg, (size_t)jobs, show_progress, &progress);
    info.duration_ms = (monotonic_us() - t0) / 1000;
    if (progress.tty)
        fputc('\n', stderr);

    size_t failed = 0, tally[5] = {0};
    for (size_t i = 0; i < count; i++) {
        failed += report_case_failed(&info, results[i]);
        tally[result_failed(results[i]) ? VERDICT_FAILED : results[i]->outcome]++;
    }
    if (tap)
        report_tap(stdout, &info, results, count);
    int rc = failed ? 1 : 0;
    if (out_dir && report_write_dir(out_dir, &info, results, count) != 0)
        rc = 2;
    fprintf(tap ? stderr : stdout,
            "%zu cases in %.2f s: %zu OK, %zu NON-STRICT, %zu INFORMATIONAL, %zu UNIMPLEMENTED, "
            "%zu FAILED\n",
            count, (double)info.duration_ms / 1000.0, tally[VERDICT_OK],
            tally[VERDICT_NON_STRICT], tally[VERDICT_INFORMATIONAL], tally[VERDICT_UNIMPLEMENTED],
            tally[VERDICT_FAILED]);
    if (!tap)
        for (size_t i = 0; i < count; i++)
            if (report_case_failed(&info, results[i]))
                printf("FAILED %s (%s): %s\n", results[i]->def->id,
                       results[i]->def->rfc ? results[i]->def->rfc : "", results[i]->reason);

    for (size_t i = 0; i < count; i++)
        result_free(results[i]);
    free(results);
    free(selected);
    case_list_free(&all);
    if (target.tls)
        SSL_CTX_free(target.tls);
    return rc;
}

/* `wsconform run URL`: plays the selected cases against a server. */
#define _DEFAULT_SOURCE
#include "cli/cmd_run.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/catalog.h"
#include "verdict/report.h"
#include "run/runner.h"
#include "run/session.h"
#include "run/transport.h"
#include "run/target_url.h"

#define DEFAULT_JOBS 32
#define MAX_JOBS 256
/* What the sessions may hold at once (session_memory_bound()), so that the
 * whole process stays well under 128 MiB whatever the target sends. */
#define MEMORY_BUDGET (64u << 20)

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct progress_state {
    bool tty;
    const run_info *info;
    const char *out_dir;
    size_t failures;
    int write_errors;
} progress_state;

/* A case is final: its detail file is written now, so the wire log can go. */
static void on_finished(void *ctx, case_result *r, size_t finished, size_t total)
{
    progress_state *p = ctx;
    if (report_case_failed(p->info, r))
        p->failures++;
    if (p->out_dir && report_write_case(p->out_dir, r) != 0)
        p->write_errors++;
    result_trim(r);
    if (p->tty)
        fprintf(stderr, "\r\033[K%zu/%zu done, %zu failed", finished, total, p->failures);
}

static void on_running(void *ctx, const case_def *const *running, size_t count, size_t done,
                       size_t total)
{
    progress_state *p = ctx;
    if (!p->tty)
        return;
    fprintf(stderr, "\r\033[K%zu/%zu done, %zu failed, running:", done, total, p->failures);
    for (size_t i = 0; i < count && i < 6; i++)
        fprintf(stderr, " %s", running[i]->id);
    if (count > 6)
        fprintf(stderr, " (+%zu)", count - 6);
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
            "  --jobs N       cases run at once, 1..256 (default %d); a case that did not\n"
            "                 pass is played again alone, so --jobs never changes a verdict\n"
            "  --out DIR      write results.json, results.tap and cases/<id>.json there\n"
            "                 (created before anything runs)\n"
            "  --agent NAME   name of the implementation under test, for the reports\n"
            "  --tap          TAP 14 on stdout\n"
            "  --strict       NON-STRICT counts as a failure\n"
            "  --timeout-scale F  multiply every timeout by F (slow targets, sanitizers)\n"
            "  --ca FILE      trust these CA certificates (PEM) for wss://\n"
            "  --insecure     do not verify the server's certificate\n"
            "  --cases-dir DIR  where case files are read from\n"
            "exit status: 0 no case failed, 1 a case failed, 2 usage or case-file error,\n"
            "             3 the target could not be reached, is not a WebSocket endpoint\n"
            "             or died during the run, 130 interrupted (reports still written)\n",
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
    target_url url;
    if (target_url_parse(argv[optind], &url, err, sizeof err) != 0) {
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

    if ((ca || insecure) && !url.secure) {
        fprintf(stderr, "wsconform run: %s applies to wss:// URLs only, not to %s\n",
                ca ? "--ca" : "--insecure", argv[optind]);
        free(selected);
        case_list_free(&all);
        return 2;
    }
    if (out_dir && report_open_dir(out_dir) != 0) {
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
    if (status) {
        free(selected);
        case_list_free(&all);
        return status;
    }

    session_config cfg = {
        .url = &url,
        .target = &target,
        .timeout_scale = scale,
        .user_agent = "wsconform/" WSCONFORM_VERSION,
    };
    run_info info = {.target = argv[optind], .agent = agent, .strict = strict,
                     .jobs = (size_t)jobs};
    time_t wall = time(NULL);
    strftime(info.started_at, sizeof info.started_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
    progress_state progress = {.tty = isatty(STDERR_FILENO) && !tap, .info = &info,
                               .out_dir = out_dir};

    struct sigaction sa = {.sa_handler = on_interrupt};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a peer gone mid-write is an observation, not our death */

    uint64_t t0 = monotonic_us();
    case_result **results = NULL;
    if (transport_resolve(url.host, url.port, &target, info.target_detail,
                          sizeof info.target_detail) != 0)
        info.target_state = TARGET_UNREACHABLE;
    else
        info.target_state = runner_preflight(&cfg, info.target_detail, sizeof info.target_detail);
    if (info.target_state != TARGET_OK) {
        static const char *const what[] = {"", "cannot reach %s: %s", "TLS handshake with %s failed: %s",
                                           "%s is not a WebSocket endpoint: %s"};
        fputs("wsconform run: ", stderr);
        fprintf(stderr, what[info.target_state], argv[optind], info.target_detail);
        fputc('\n', stderr);
        char why[700];
        snprintf(why, sizeof why, "not run: %s", info.target_detail);
        results = calloc(count, sizeof *results);
        if (!results)
            abort();
        for (size_t i = 0; i < count; i++)
            results[i] = result_not_run(selected[i], why);
    } else {
        runner_config rc = {.session = &cfg, .jobs = (size_t)jobs, .memory_budget = MEMORY_BUDGET,
                            .stop = &interrupted,
                            .hooks = {.finished = on_finished, .running = on_running,
                                      .ctx = &progress}};
        results = runner_run(selected, count, &rc, &info);
    }
    info.duration_ms = (monotonic_us() - t0) / 1000;
    if (progress.tty)
        fputs("\r\033[K", stderr);

    size_t tally[VERDICT_COUNT];
    report_tally(results, count, tally);
    size_t failed = report_count_failed(&info, results, count);
    if (tap)
        report_tap(stdout, &info, results, count);
    int rc = info.target_state == TARGET_INTERRUPTED ? 130
             : info.target_state != TARGET_OK       ? 3
             : failed                               ? 1
                                                    : 0;
    if (out_dir && (report_write_summary(out_dir, &info, results, count) != 0 ||
                    progress.write_errors))
        rc = rc ? rc : 2;
    FILE *out = tap ? stderr : stdout;
    if (info.target_state == TARGET_DIED)
        fprintf(out, "TARGET DIED during %s: %s\n",
                info.died_count ? info.died_during[0]->id : "the run", info.target_detail);
    else if (info.target_state == TARGET_INTERRUPTED)
        fprintf(out, "INTERRUPTED: %s\n", info.target_detail);
    fprintf(out,
            "%zu cases in %.2f s: %zu OK, %zu NON-STRICT, %zu INFORMATIONAL, %zu UNIMPLEMENTED, "
            "%zu FAILED, %zu NOT RUN",
            count, (double)info.duration_ms / 1000.0, tally[VERDICT_OK],
            tally[VERDICT_NON_STRICT], tally[VERDICT_INFORMATIONAL], tally[VERDICT_UNIMPLEMENTED],
            tally[VERDICT_FAILED], tally[VERDICT_NOT_RUN]);
    if (strict && tally[VERDICT_NON_STRICT])
        fprintf(out, "; --strict: the %zu NON-STRICT fail the run", tally[VERDICT_NON_STRICT]);
    fputc('\n', out);
    if (!tap)
        for (size_t i = 0; i < count; i++)
            if (report_case_failed(&info, results[i]))
                printf("FAILED%s %s (%s): %s\n", result_failed(results[i]) ? "" : " (--strict)",
                       results[i]->def->id, results[i]->def->rfc ? results[i]->def->rfc : "",
                       results[i]->reason);

    for (size_t i = 0; i < count; i++)
        result_free(results[i]);
    free(results);
    free(info.died_during);
    free(selected);
    case_list_free(&all);
    if (target.tls)
        SSL_CTX_free(target.tls);
    return rc;
}

/* `wsconform run URL`: plays the selected cases against a server. */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include "cli/commands.h"

#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/spec_file.h"
#include "lang/catalog.h"
#include "report/baseline.h"
#include "report/report_paths.h"
#include "report/reports.h"
#include "report/results_writer.h"
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
            "                         [--html DIR] [--junit FILE] [--autobahn-json DIR]\n"
            "                         [--baseline FILE]\n"
            "       wsconform run --spec FILE [options]\n"
            "  URL            ws://host:port/path or wss://...; IPv6 literals in brackets\n"
            "  --cases LIST   comma-separated globs over case ids (\"1.*,2.1\"); default all\n"
            "  --exclude LIST globs of cases to leave out\n"
            "  --jobs N       cases run at once, 1..256 (default %d); a case that did not\n"
            "                 pass is played again alone, so --jobs never changes a verdict\n"
            "  --out DIR      write results.json, results.tap, cases/<id>.json and the HTML\n"
            "                 report (index.html) there (created before anything runs)\n"
            "  --agent NAME   name of the implementation under test, for the reports\n"
            "  --tap          TAP 14 on stdout\n"
            "  --strict       NON-STRICT counts as a failure\n"
            "  --timeout-scale F  multiply every timeout by F (slow targets, sanitizers)\n"
            "  --ca FILE      trust these CA certificates (PEM) for wss://\n"
            "  --insecure     do not verify the server's certificate\n"
            "  --cases-dir DIR  where case files are read from\n"
            "  --html DIR     the HTML report (index.html and a page per case) in DIR\n"
            "  --junit FILE   JUnit XML: a testsuite per section, a testcase per case\n"
            "  --autobahn-json DIR  Autobahn's index.json and per-case files in DIR\n"
            "  --baseline FILE  compare with these expected verdicts (wsconform baseline):\n"
            "                 exit 0 when no case got worse, 1 on a regression; prints the\n"
            "                 regressions, then the improvements (and OUT/baseline.json)\n"
            "  --spec FILE    Autobahn's fuzzingclient.json: every server of it in turn, the\n"
            "                 cases it selects (Autobahn's rules), one report with a column\n"
            "                 per agent in its outdir (or --out): index.html, index.json\n"
            "                 and the Autobahn per-case files, each agent's run in a folder\n"
            "exit status: 0 no case failed, 1 a case failed, 2 usage or case-file error,\n"
            "             3 the target could not be reached, is not a WebSocket endpoint\n"
            "             or died during the run, 130 interrupted (reports still written)\n",
            DEFAULT_JOBS);
}

/* What the command line asked for. */
typedef struct run_options {
    const char *url, *include, *exclude, *out_dir, *agent, *ca, *cases_dir;
    const char *baseline, *spec;
    report_request reports;
    bool tap, strict, insecure;
    long jobs;
    double timeout_scale;
} run_options;

static int parse_value(int opt, const char *value, run_options *o)
{
    if (opt == 'j' && options_whole_number(value, 1, MAX_JOBS, &o->jobs) != 0) {
        fprintf(stderr, "wsconform run: --jobs expects a whole number 1..%d, got '%s'\n", MAX_JOBS,
                value);
        return 2;
    }
    if (opt == 'T' && options_number(value, 0.01, 1000, &o->timeout_scale) != 0) {
        fprintf(stderr, "wsconform run: --timeout-scale expects a number 0.01..1000, got '%s'\n",
                value);
        return 2;
    }
    return OPTIONS_CONTINUE;
}

/* With --spec the file names the targets and the cases. */
static int spec_options_check(int argc, run_options *o)
{
    const char *clash = optind != argc  ? "a URL"
                        : o->include    ? "--cases"
                        : o->exclude    ? "--exclude"
                        : o->agent      ? "--agent"
                        : o->tap        ? "--tap (one TAP stream per target; use --junit)"
                                        : NULL;
    if (clash) {
        fprintf(stderr, "wsconform run: --spec gives the servers, their agents and the cases; "
                        "%s cannot be given with it\n", clash);
        return 2;
    }
    return OPTIONS_CONTINUE;
}

static int parse_options(int argc, char **argv, run_options *o)
{
    static const struct option options[] = {
        {"cases", required_argument, NULL, 'c'},   {"exclude", required_argument, NULL, 'x'},
        {"jobs", required_argument, NULL, 'j'},    {"out", required_argument, NULL, 'o'},
        {"agent", required_argument, NULL, 'a'},   {"tap", no_argument, NULL, 't'},
        {"strict", no_argument, NULL, 's'},        {"timeout-scale", required_argument, NULL, 'T'},
        {"ca", required_argument, NULL, 'C'},      {"insecure", no_argument, NULL, 'k'},
        {"cases-dir", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'},
        {"html", required_argument, NULL, 'H'},    {"junit", required_argument, NULL, 'J'},
        {"autobahn-json", required_argument, NULL, 'A'},
        {"baseline", required_argument, NULL, 'B'}, {"spec", required_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    *o = (run_options){.jobs = DEFAULT_JOBS, .timeout_scale = 1.0};
    int opt, status = OPTIONS_CONTINUE;
    options_reset();
    while (status == OPTIONS_CONTINUE && (opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'c': o->include = optarg; break;
        case 'x': o->exclude = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 'a': o->agent = optarg; break;
        case 't': o->tap = true; break;
        case 's': o->strict = true; break;
        case 'C': o->ca = optarg; break;
        case 'k': o->insecure = true; break;
        case 'd': o->cases_dir = optarg; break;
        case 'H': o->reports.html_dir = optarg; break;
        case 'J': o->reports.junit_file = optarg; break;
        case 'A': o->reports.autobahn_dir = optarg; break;
        case 'B': o->baseline = optarg; break;
        case 'S': o->spec = optarg; break;
        case 'j': case 'T': status = parse_value(opt, optarg, o); break;
        default: status = options_usage_status(usage, opt); break;
        }
    }
    if (status != OPTIONS_CONTINUE)
        return status;
    if (o->ca && o->insecure) {
        fprintf(stderr, "wsconform run: --ca and --insecure exclude each other\n");
        return 2;
    }
    o->reports.strict = o->strict;
    if (o->spec)
        return spec_options_check(argc, o);
    if (optind != argc - 1) {
        fprintf(stderr, "wsconform run: expected one URL, got %d arguments\n", argc - optind);
        usage(stderr);
        return 2;
    }
    o->url = argv[optind];
    if (o->out_dir && !o->reports.html_dir)
        o->reports.html_dir = o->out_dir; /* the report people open, beside the files */
    return OPTIONS_CONTINUE;
}

/* What a run holds from set-up to the end; freed by tear_down() alone. */
typedef struct run_setup {
    target_url url;
    case_list all;
    const case_def **selected;
    size_t count;
    transport_target target;
    baseline *expected;       /* --baseline */
    char *scratch_dir;        /* the run's files when reports need them and --out is not given */
    const char *files_dir;    /* --out or scratch_dir; NULL: no files */
    char server[128];         /* the Server header of the target's 101 */
} run_setup;

/* The selected cases, loaded and checked before anything runs. Returns 0 or 2. */
static int select_cases(const run_options *o, run_setup *s)
{
    char err[512];
    const char *dir = o->cases_dir ? o->cases_dir : catalog_default_dir();
    if (catalog_load_dir(dir, &s->all, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform: %s\n", err);
        return 2;
    }
    if (catalog_select(&s->all, o->include, o->exclude, &s->selected, &s->count, err,
                       sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        return 2;
    }
    if (s->count == 0) {
        fprintf(stderr, "wsconform run: no case matches --cases '%s'%s%s\n",
                o->include ? o->include : "*", o->exclude ? " --exclude " : "",
                o->exclude ? o->exclude : "");
        return 2;
    }
    return 0;
}

/* A private folder for the run's files, removed by tear_down(). */
static int make_scratch_dir(run_setup *s)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/wsconform-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(path)) {
        fprintf(stderr, "wsconform run: cannot create a folder for the run's files in %s: %m\n",
                tmp && *tmp ? tmp : "/tmp");
        return -1;
    }
    s->scratch_dir = strdup(path);
    if (!s->scratch_dir)
        abort();
    return report_open_dir(s->scratch_dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* The URL, the cases, the --out directory and the TLS context, in that order
 * (the first problem is the one reported). Returns 0 or 2. */
static int set_up(const run_options *o, run_setup *s)
{
    char err[512];
    if (target_url_parse(o->url, &s->url, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        return 2;
    }
    if (select_cases(o, s) != 0)
        return 2;
    if ((o->ca || o->insecure) && !s->url.secure) {
        fprintf(stderr, "wsconform run: %s applies to wss:// URLs only, not to %s\n",
                o->ca ? "--ca" : "--insecure", o->url);
        return 2;
    }
    if (o->baseline && !(s->expected = baseline_load(o->baseline, err, sizeof err))) {
        fprintf(stderr, "wsconform run: %s\n", err);
        return 2;
    }
    if (o->out_dir && report_open_dir(o->out_dir) != 0)
        return 2;
    s->files_dir = o->out_dir;
    if (!o->out_dir && (reports_requested(&o->reports) || o->baseline)) {
        if (make_scratch_dir(s) != 0)
            return 2;
        s->files_dir = s->scratch_dir;
    }
    s->target = (transport_target){.host = s->url.host, .verify_host = !o->insecure};
    if (s->url.secure) {
        s->target.tls = transport_tls_context(o->ca, o->insecure, err, sizeof err);
        if (!s->target.tls) {
            fprintf(stderr, "wsconform run: %s\n", err);
            return 2;
        }
    }
    return 0;
}

static void tear_down(run_setup *s)
{
    if (s->scratch_dir)
        nftw(s->scratch_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(s->scratch_dir);
    baseline_free(s->expected);
    free(s->selected);
    case_list_free(&s->all);
    if (s->target.tls)
        SSL_CTX_free(s->target.tls);
}

static void catch_signals(void)
{
    struct sigaction sa = {.sa_handler = on_interrupt};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a peer gone mid-write is an observation, not our death */
}

/* Every case NOT RUN, after the target failed the preflight. */
static case_result **not_run(const run_options *o, const run_setup *s, const run_info *info)
{
    static const char *const what[] = {"", "cannot reach %s: %s",
                                       "TLS handshake with %s failed: %s",
                                       "%s is not a WebSocket endpoint: %s"};
    fputs("wsconform run: ", stderr);
    fprintf(stderr, what[info->target_state], o->url, info->target_detail);
    fputc('\n', stderr);
    char why[700];
    snprintf(why, sizeof why, "not run: %s", info->target_detail);
    case_result **results = calloc(s->count, sizeof *results);
    if (!results)
        abort();
    for (size_t i = 0; i < s->count; i++)
        results[i] = result_not_run(s->selected[i], why);
    return results;
}

/* Checks the target, then plays every selected case (or marks them NOT RUN). */
static case_result **play(const run_options *o, run_setup *s, run_info *info,
                          progress_state *progress)
{
    session_config cfg = {
        .url = &s->url,
        .target = &s->target,
        .timeout_scale = o->timeout_scale,
        .user_agent = "wsconform/" WSCONFORM_VERSION,
    };
    catch_signals();
    uint64_t t0 = monotonic_us();
    case_result **results;
    if (transport_resolve(s->url.host, s->url.port, &s->target, info->target_detail,
                          sizeof info->target_detail) != 0)
        info->target_state = TARGET_UNREACHABLE;
    else
        info->target_state = runner_preflight(&cfg, info->target_detail,
                                              sizeof info->target_detail, s->server,
                                              sizeof s->server);
    if (!info->agent && s->server[0])
        info->agent = s->server; /* as Autobahn names an agent it was not told */
    if (info->target_state != TARGET_OK) {
        results = not_run(o, s, info);
    } else {
        runner_config rc = {.session = &cfg, .jobs = (size_t)o->jobs,
                            .memory_budget = MEMORY_BUDGET, .stop = &interrupted,
                            .hooks = {.finished = on_finished, .running = on_running,
                                      .ctx = progress}};
        results = runner_run(s->selected, s->count, &rc, info);
    }
    info->duration_ms = (monotonic_us() - t0) / 1000;
    if (progress->tty)
        fputs("\r\033[K", stderr);
    return results;
}

/* The summary line (and why the run ended early), then each failed case. */
static void print_summary(const run_options *o, const run_info *info, case_result *const *results,
                          size_t count)
{
    size_t tally[VERDICT_COUNT];
    report_tally(results, count, tally);
    FILE *out = o->tap ? stderr : stdout;
    if (info->target_state == TARGET_DIED)
        fprintf(out, "TARGET DIED during %s: %s\n",
                info->died_count ? info->died_during[0]->id : "the run", info->target_detail);
    else if (info->target_state == TARGET_INTERRUPTED)
        fprintf(out, "INTERRUPTED: %s\n", info->target_detail);
    fprintf(out, "%zu cases in %.2f s: ", count, (double)info->duration_ms / 1000.0);
    for (size_t v = 0; v < VERDICT_COUNT; v++)
        fprintf(out, "%s%zu %s", v ? ", " : "", tally[v], verdict_name((verdict)v));
    if (o->strict && tally[VERDICT_NON_STRICT])
        fprintf(out, "; --strict: the %zu %s fail the run", tally[VERDICT_NON_STRICT],
                verdict_name(VERDICT_NON_STRICT));
    fputc('\n', out);
    if (!o->tap)
        for (size_t i = 0; i < count; i++)
            if (report_case_failed(info, results[i]))
                printf("FAILED%s %s (%s): %s\n", result_failed(results[i]) ? "" : " (--strict)",
                       results[i]->def->id, results[i]->def->rfc ? results[i]->def->rfc : "",
                       results[i]->reason);
}

/* The reports made from the run's files, and the baseline gate, which
 * decides the exit status of a run that went to its end. */
static int derived_reports(const run_options *o, const run_setup *s, int status)
{
    char err[1024];
    run_doc doc;
    if (run_doc_load(&doc, s->files_dir, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        return status ? status : 2;
    }
    if (reports_write(&o->reports, &doc, 1, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        status = status ? status : 2;
    }
    if (s->expected && (status == 0 || status == 1)) {
        char json_path[4096];
        if (o->out_dir)
            snprintf(json_path, sizeof json_path, "%s/baseline.json", o->out_dir);
        int gate = baseline_gate(s->expected, &doc, o->tap ? stderr : stdout,
                                 o->out_dir ? json_path : NULL, err, sizeof err);
        if (gate < 0) {
            fprintf(stderr, "wsconform run: %s\n", err);
            status = 2;
        } else {
            status = gate;
        }
    }
    run_doc_free(&doc);
    return status;
}

/* TAP, results.json and the summary. Returns the exit status. */
static int report(const run_options *o, const run_setup *s, const run_info *info,
                  case_result *const *results, size_t count, const progress_state *progress)
{
    size_t failed = report_count_failed(info, results, count);
    if (o->tap)
        report_tap(stdout, info, results, count);
    int status = info->target_state == TARGET_INTERRUPTED ? 130
                 : info->target_state != TARGET_OK       ? 3
                 : failed                                ? 1
                                                         : 0;
    bool files_ok = true;
    if (s->files_dir && (report_write_summary(s->files_dir, info, results, count) != 0 ||
                         progress->write_errors)) {
        status = status ? status : 2;
        files_ok = false;
    }
    print_summary(o, info, results, count);
    if (files_ok && s->files_dir && (reports_requested(&o->reports) || s->expected))
        status = derived_reports(o, s, status);
    return status;
}

/* Plays the cases of o against one target and writes its reports. Returns
 * the exit status. */
static int run_target(const run_options *opts)
{
    run_options o = *opts;
    run_setup s = {0};
    int status = set_up(&o, &s);
    if (status == 0) {
        run_info info = {.target = o.url, .agent = o.agent, .strict = o.strict,
                         .jobs = (size_t)o.jobs, .include = o.include, .exclude = o.exclude};
        time_t wall = time(NULL);
        strftime(info.started_at, sizeof info.started_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
        progress_state progress = {.tty = isatty(STDERR_FILENO) && !o.tap, .info = &info,
                                   .out_dir = s.files_dir};
        case_result **results = play(&o, &s, &info, &progress);
        status = report(&o, &s, &info, results, s.count, &progress);
        for (size_t i = 0; i < s.count; i++)
            result_free(results[i]);
        free(results);
        free(info.died_during);
    }
    tear_down(&s);
    return status;
}

/* The agent of a server the spec does not name: its Server header, else
 * "UnknownServer" (Autobahn's rules). */
static void discover_agent(const run_options *o, const char *url, char *agent, size_t cap)
{
    snprintf(agent, cap, "UnknownServer");
    char err[512];
    run_setup s = {0};
    if (target_url_parse(url, &s.url, err, sizeof err) != 0)
        return;
    s.target = (transport_target){.host = s.url.host, .verify_host = !o->insecure};
    if (s.url.secure && !(s.target.tls = transport_tls_context(o->ca, o->insecure, err, sizeof err)))
        return;
    session_config cfg = {.url = &s.url, .target = &s.target, .timeout_scale = o->timeout_scale,
                          .user_agent = "wsconform/" WSCONFORM_VERSION};
    if (transport_resolve(s.url.host, s.url.port, &s.target, err, sizeof err) == 0 &&
        runner_preflight(&cfg, err, sizeof err, s.server, sizeof s.server) == TARGET_OK &&
        s.server[0])
        snprintf(agent, cap, "%s", s.server);
    if (s.target.tls)
        SSL_CTX_free(s.target.tls);
}

/* The worse of two exit statuses: interrupted, usage, target, failure, none. */
static int worse_status(int a, int b)
{
    static const int order[] = {130, 2, 3, 1, 0};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (a == order[i] || b == order[i])
            return order[i];
    return a ? a : b;
}

/* --spec: each server in turn into OUTDIR/<agent>/, then one report of all. */
static int run_spec_file(const run_options *o)
{
    char err[1024];
    run_spec spec;
    if (spec_load(&spec, o->spec, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform run: %s\n", err);
        return 2;
    }
    spec_print_ignored(&spec, stderr);
    if (o->baseline && spec.server_count > 1) {
        fprintf(stderr, "wsconform run: a baseline holds one agent's verdicts; %s has %zu "
                        "servers\n", o->spec, spec.server_count);
        spec_free(&spec);
        return 2;
    }
    const char *outdir = o->out_dir ? o->out_dir : spec.outdir;
    int status = 0;
    size_t ran = 0;
    char (*agents)[128] = calloc(spec.server_count, sizeof *agents);
    char (*dirs)[4096] = calloc(spec.server_count, sizeof *dirs);
    if (!agents || !dirs)
        abort();
    for (size_t i = 0; i < spec.server_count && status != 130 && status != 2; i++, ran++) {
        const spec_server *sv = &spec.servers[i];
        if (sv->agent)
            snprintf(agents[i], sizeof agents[i], "%s", sv->agent);
        else
            discover_agent(o, sv->url, agents[i], sizeof agents[i]);
        for (size_t k = 0; k < i; k++)
            if (strcmp(agents[k], agents[i]) == 0) { /* one column per agent */
                size_t n = strlen(agents[i]);
                snprintf(agents[i] + (n < 100 ? n : 100), sizeof agents[i] - 100, " (%zu)", i + 1);
                break;
            }
        char folder[128];
        report_agent_slug(agents[i], folder, sizeof folder); /* as Autobahn names files */
        snprintf(dirs[i], sizeof dirs[i], "%s/%s", outdir, folder);
        char *exclude = spec_exclude_for(&spec, agents[i]);
        run_options one = *o;
        one.spec = NULL;
        one.url = sv->url;
        one.agent = agents[i];
        one.include = spec.include;
        one.exclude = exclude;
        one.out_dir = dirs[i];
        one.reports = (report_request){.strict = o->strict};
        printf("== %s (%s)\n", agents[i], sv->url);
        status = worse_status(status, run_target(&one));
        free(exclude);
    }
    if (status != 2) {
        report_request rq = o->reports;
        rq.html_dir = rq.html_dir ? rq.html_dir : outdir;
        rq.autobahn_dir = rq.autobahn_dir ? rq.autobahn_dir : outdir;
        run_doc *runs = calloc(ran, sizeof *runs);
        if (!runs)
            abort();
        size_t loaded = 0;
        for (; loaded < ran; loaded++)
            if (run_doc_load(&runs[loaded], dirs[loaded], err, sizeof err) != 0)
                break;
        if (loaded < ran || reports_write(&rq, runs, loaded, err, sizeof err) != 0) {
            fprintf(stderr, "wsconform run: %s\n", err);
            status = worse_status(status, 2);
        } else {
            printf("reports of %zu agents in %s\n", loaded, outdir);
        }
        for (size_t k = 0; k < loaded; k++)
            run_doc_free(&runs[k]);
        free(runs);
    }
    free(agents);
    free(dirs);
    spec_free(&spec);
    return status;
}

int cmd_run(int argc, char **argv)
{
    run_options o;
    int status = parse_options(argc, argv, &o);
    if (status != OPTIONS_CONTINUE)
        return status;
    return o.spec ? run_spec_file(&o) : run_target(&o);
}

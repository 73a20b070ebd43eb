/* `wsconform list`: the selected cases, one line each. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "lang/catalog.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: wsconform list [--cases LIST] [--exclude LIST] [--cases-dir DIR]\n"
               "  prints ID<TAB>RFC<TAB>TITLE for every selected case, in id order\n"
               "  LIST: comma-separated globs over case ids, e.g. '1.*,2.1' (1.* is not 10.*)\n"
               "  DIR: default $WSCONFORM_CASES, else %s\n",
            catalog_compiled_dir());
}

typedef struct list_options {
    const char *include, *exclude, *dir;
} list_options;

static int parse_options(int argc, char **argv, list_options *o)
{
    static const struct option options[] = {
        {"cases", required_argument, NULL, 'c'},
        {"exclude", required_argument, NULL, 'x'},
        {"cases-dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    options_reset();
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'c': o->include = optarg; break;
        case 'x': o->exclude = optarg; break;
        case 'd': o->dir = optarg; break;
        default: return options_usage_status(usage, opt);
        }
    }
    if (optind != argc) {
        fprintf(stderr, "wsconform list: expected no arguments, found '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return OPTIONS_CONTINUE;
}

int cmd_list(int argc, char **argv)
{
    list_options o = {0};
    int status = parse_options(argc, argv, &o);
    if (status != OPTIONS_CONTINUE)
        return status;
    char err[1024];
    case_list all = {0};
    if (catalog_load_dir(o.dir ? o.dir : catalog_default_dir(), &all, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        case_list_free(&all);
        return 2;
    }
    const case_def **selected;
    size_t count;
    if (catalog_select(&all, o.include, o.exclude, &selected, &count, err, sizeof err) != 0) {
        fprintf(stderr, "wsconform list: %s\n", err);
        case_list_free(&all);
        return 2;
    }
    for (size_t i = 0; i < count; i++)
        printf("%s\t%s\t%s\n", selected[i]->id, selected[i]->rfc, selected[i]->title);
    fflush(stdout);
    if (count == all.count)
        fprintf(stderr, "%zu cases\n", count);
    else
        fprintf(stderr, "%zu of %zu cases\n", count, all.count);
    free(selected);
    case_list_free(&all);
    return 0;
}

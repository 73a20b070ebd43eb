/* `wsconform check`: parses case files and says which are good. */
#include <getopt.h>
#include <stdio.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "lang/catalog.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: wsconform check FILE|DIR...\n"
               "  parses case files (every *.case under a DIR); ids must be unique across all\n"
               "  prints 'FILE: N cases OK' or 'FILE:LINE: error'; exit 0 if all parse, else 2\n");
}

static int parse_options(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    options_reset();
    if ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
        return options_usage_status(usage, opt);
    if (optind >= argc) {
        fprintf(stderr, "wsconform check: expected at least one case file, found none\n");
        usage(stderr);
        return 2;
    }
    return OPTIONS_CONTINUE;
}

/* Checks the case files at `path` (a file, or every one under a directory)
 * into `all`. Returns 0 if all parse, else 2. */
static int check_path(const char *path, case_list *all)
{
    char err[1024];
    char **paths;
    size_t count;
    if (catalog_find_files(path, &paths, &count, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    int status = 0;
    if (count == 0) {
        fprintf(stderr, "%s: expected *.case files in the directory, found none\n", path);
        status = 2;
    }
    for (size_t i = 0; i < count; i++) {
        size_t before = all->count;
        if (catalog_load_file(paths[i], all, err, sizeof err) != 0) {
            fflush(stdout);
            fprintf(stderr, "%s\n", err);
            status = 2;
        } else {
            printf("%s: %zu cases OK\n", paths[i], all->count - before);
        }
    }
    catalog_free_files(paths, count);
    return status;
}

int cmd_check(int argc, char **argv)
{
    int status = parse_options(argc, argv);
    if (status != OPTIONS_CONTINUE)
        return status;
    case_list all = {0};
    status = 0;
    for (int a = optind; a < argc; a++)
        if (check_path(argv[a], &all) != 0)
            status = 2;
    fflush(stdout);
    case_list_free(&all);
    return status;
}

/* Option parsing shared by the subcommands. */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

void options_reset(void)
{
#ifdef __GLIBC__
    optind = 0; /* glibc: also resets its internal state */
#else
    optind = 1;
#endif
}

int options_usage_status(usage_fn *usage, int opt)
{
    if (opt == 'h') {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}

int options_number(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int options_whole_number(const char *text, long min, long max, long *out)
{
    double v;
    if (options_number(text, (double)min, (double)max, &v) != 0 || v != (double)(long)v)
        return -1;
    *out = (long)v;
    return 0;
}

/* Where reports go: their folders, and the file-name form of an agent. */
#ifndef WSCONFORM_REPORT_PATHS_H
#define WSCONFORM_REPORT_PATHS_H

#include <stddef.h>

/* mkdir -p: the folder and its parents. 0, or -1 with "PATH: cannot create
 * PART: why" in err
 * (a path that exists and is not a folder is an error too). */
int report_make_dirs(const char *path, char *err, size_t errlen);

/* report_make_dirs() for the folder a file goes into (nothing for a bare
 * file name). */
int report_make_parent_dirs(const char *file, char *err, size_t errlen);

/* Autobahn's file-name form of an agent: lower case, every character outside
 * [a-z0-9] as '_' (a multi-byte UTF-8 character is one character), cut to
 * fit cap. Returns its length. */
size_t report_agent_slug(const char *agent, char *out, size_t cap);

#endif

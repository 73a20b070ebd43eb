/*
 * The case catalog: case files loaded from a directory tree, selected by id
 * globs and ordered naturally.
 */
#ifndef WSCONFORM_CATALOG_H
#define WSCONFORM_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/case.h"

/* Largest case file read (payload files referenced with file: have their own
 * limit, CASELANG_PAYLOAD_MAX). */
#define CATALOG_FILE_MAX (16u * 1024u * 1024u)

/* The case directory compiled in (WSCONFORM_CASES_DIR). */
const char *catalog_compiled_dir(void);

/* The case directory used when none is given: $WSCONFORM_CASES if set and not
 * empty, else the directory compiled in (WSCONFORM_CASES_DIR). */
const char *catalog_default_dir(void);

/* Parses one case file and appends its cases to `list` (ids must be unique
 * across the list). Returns 0, or -1 with "FILE:LINE: message" in err and
 * `list` unchanged. */
int catalog_load_file(const char *path, case_list *list, char *err, size_t err_cap);

/* Loads every `*.case` file under `dir`, recursively, in byte order of their
 * paths. Names starting with '.' are skipped, and so are subdirectories named
 * `examples` (the language's worked examples, which reuse real case ids;
 * naming such a directory as `dir` itself loads it). Returns 0, or -1 with the
 * first error in err; on error the cases of the failing file are not added
 * but earlier files' cases stay in `list` (free it with case_list_free). A
 * tree without any case file is an error. */
int catalog_load_dir(const char *dir, case_list *list, char *err, size_t err_cap);

/* The `*.case` files under `dir` (or `dir` itself when it is a file), sorted
 * by path, skipping what catalog_load_dir skips. Returns 0 with a malloc'd array of malloc'd strings in *paths, or
 * -1 with a message in err. */
int catalog_find_files(const char *dir, char ***paths, size_t *count, char *err, size_t err_cap);

/* Frees what catalog_find_files returned. */
void catalog_free_files(char **paths, size_t count);

/* Orders case ids naturally: dot-separated parts, numeric parts by value
 * (1.2 < 1.10 < 2.1), other parts as byte strings, numbers before words, a
 * prefix before its extensions (1.1 < 1.1.1). */
int case_id_compare(const char *a, const char *b);

/* True if `id` matches one of the comma-separated fnmatch(3) globs in `list`
 * (blanks around items are ignored). A NULL list, or one without any item,
 * matches nothing. */
bool catalog_id_matches(const char *list, const char *id);

/* True if `id` is selected by `include` (NULL or without items: every id)
 * and not by `exclude`: the rule of catalog_select(). */
bool catalog_id_selected(const char *include, const char *exclude, const char *id);

/*
 * The cases of `all` whose id matches `include` (NULL or empty: every case)
 * and does not match `exclude` (NULL: none), ordered by case_id_compare.
 * Returns 0 with a malloc'd array of pointers into `all` (NULL when
 * *count is 0), or -1 with a message in err.
 */
int catalog_select(const case_list *all, const char *include, const char *exclude,
                   const case_def ***selected, size_t *count, char *err, size_t err_cap);

#endif

/*
 * The contents of a baseline loaded by baseline_load() (baseline.h), for the
 * code that compares runs with it and the code that writes a new one from it.
 */
#ifndef WSCONFORM_BASELINE_FILE_H
#define WSCONFORM_BASELINE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "report/baseline.h"
#include "report/verdict_order.h"

typedef struct baseline_entry {
    const char *id;
    bool unstable;
    verdict_pair *seen;     /* stable: its one verdict; unstable: "seen" */
    size_t seen_count;      /* 0: unstable without "seen" (any verdict matches) */
    const char *note;       /* NULL: none */
} baseline_entry;

struct baseline {
    char *path;
    cJSON *root;            /* the file, for its descriptive keys */
    baseline_entry *entries; /* in the file's order */
    size_t count;
    baseline_entry **by_id; /* the entries ordered by strcmp of their ids */
};

/* The entry of this case, or NULL. */
const baseline_entry *baseline_find(const baseline *b, const char *id);

#endif

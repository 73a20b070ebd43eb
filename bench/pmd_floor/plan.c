/* From the case files to the zlib work of their bulk steps (floor.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floor.h"
#include "lang/catalog.h"

#define OFFERS_MAX 16

/* A fixed price per message beside its bytes: a window reset and a flush
 * cost something even for a 16-byte message. Only orders the dealing. */
#define COST_PER_MESSAGE 2048u

/* The agreement the echo server reaches on this offer (harness/echo/opening.c
 * agree_deflate: the first acceptable offer, no server configuration), as each
 * end configures it. False when the echo would decline permessage-deflate. */
static bool agree(const char *extensions, uint8_t mem_level, floor_agreement *out)
{
    if (!extensions)
        return false;
    ws_extension offers[OFFERS_MAX];
    size_t num = 0;
    ws_handshake_parse_extensions(extensions, strlen(extensions), offers, OFFERS_MAX, &num);
    ws_pmd_params agreed;
    size_t chosen;
    if (ws_pmd_server_choose(offers, num, NULL, &agreed, &chosen) != 1)
        return false;
    memset(out, 0, sizeof *out);
    out->suite_deflate.level = out->echo_deflate.level = FLOOR_LEVEL;
    out->suite_deflate.mem_level = out->echo_deflate.mem_level = mem_level;
    ws_pmd_configure(&agreed, WS_ROLE_CLIENT, &out->suite_deflate, &out->suite_inflate);
    ws_pmd_configure(&agreed, WS_ROLE_SERVER, &out->echo_deflate, &out->echo_inflate);
    if (!mem_level) {
        /* the codec's default (ws_deflater_init): window_bits - 3 below 11, else 8 */
        uint8_t w = out->echo_deflate.window_bits ? out->echo_deflate.window_bits : 15;
        out->echo_deflate.mem_level = w < 11 ? (uint8_t)(w - 3) : 8;
        w = out->suite_deflate.window_bits ? out->suite_deflate.window_bits : 15;
        out->suite_deflate.mem_level = w < 11 ? (uint8_t)(w - 3) : 8;
    }
    return true;
}

static bool same_agreement(const floor_agreement *a, const floor_agreement *b)
{
    return a->suite_deflate.window_bits == b->suite_deflate.window_bits &&
           a->suite_deflate.no_context_takeover == b->suite_deflate.no_context_takeover &&
           a->echo_deflate.window_bits == b->echo_deflate.window_bits &&
           a->echo_deflate.no_context_takeover == b->echo_deflate.no_context_takeover;
}

/* The row of the split for this set and agreement; -1 when the table is full. */
static long profile_of(floor_plan *plan, const dataset *set, const floor_agreement *a)
{
    for (size_t i = 0; i < plan->profile_count; i++)
        if (plan->profiles[i].set == set && same_agreement(&plan->profiles[i].agreement, a))
            return (long)i;
    if (plan->profile_count == FLOOR_PROFILES_MAX)
        return -1;
    plan->profiles[plan->profile_count] = (floor_profile){set, *a};
    return (long)plan->profile_count++;
}

/* Counts the messages and bytes of one bulk step, and its largest message. */
static void measure_bulk(const step *st, uint64_t *bytes, uint64_t *largest)
{
    uint64_t cursor = 0;
    for (uint32_t k = 0; k < st->count; k++) {
        dataset_span s = dataset_bulk_span(st->dataset, cursor, st->bulk_size);
        uint64_t n = s.length[0] + s.length[1];
        *bytes += n;
        if (n > *largest)
            *largest = n;
        cursor = s.next_cursor;
    }
}

/* Adds c's compressed bulk steps; 0, or -1 with a message. */
static int plan_case(floor_plan *plan, floor_case *c, char *err, size_t err_cap)
{
    const case_def *def = c->def;
    for (size_t i = 0; i < def->step_count; i++) {
        const step *st = &def->steps[i];
        if (st->kind != STEP_BULK)
            continue;
        if (st->compress != COMPRESS_SYNC || st->compress_window) {
            plan->not_compressed++;
            continue;
        }
        if (!st->dataset || st->bulk_size == 0 || st->bulk_size > st->dataset->chars) {
            snprintf(err, err_cap, "%s:%d: a bulk message of %llu units from a set of %llu",
                     def->file, st->line, (unsigned long long)st->bulk_size,
                     st->dataset ? (unsigned long long)st->dataset->chars : 0ull);
            return -1;
        }
        long profile = profile_of(plan, st->dataset, &c->agreement);
        if (profile < 0) {
            snprintf(err, err_cap, "more than %u data set and agreement pairs",
                     FLOOR_PROFILES_MAX);
            return -1;
        }
        uint64_t bytes = 0;
        measure_bulk(st, &bytes, &plan->max_message);
        c->cost += bytes + (uint64_t)st->count * COST_PER_MESSAGE;
        plan->messages += st->count;
        c->bulks[c->bulk_count++] = (floor_bulk){st, (size_t)profile};
    }
    return 0;
}

static int by_cost_descending(const void *a, const void *b)
{
    uint64_t x = ((const floor_case *)a)->cost, y = ((const floor_case *)b)->cost;
    return x < y ? 1 : x > y ? -1 : 0;
}

static bool has_bulk(const case_def *def)
{
    for (size_t i = 0; i < def->step_count; i++)
        if (def->steps[i].kind == STEP_BULK)
            return true;
    return false;
}

int floor_plan_load(floor_plan *plan, const char *dir, const char *include, uint8_t mem_level,
                    char *err, size_t err_cap)
{
    memset(plan, 0, sizeof *plan);
    if (catalog_load_dir(dir, &plan->all, err, err_cap) != 0)
        return -1;
    const case_def **selected = NULL;
    size_t count = 0;
    if (catalog_select(&plan->all, include, NULL, &selected, &count, err, err_cap) != 0)
        return -1;
    plan->cases = calloc(count ? count : 1, sizeof *plan->cases);
    if (!plan->cases) {
        free(selected);
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (!has_bulk(selected[i]))
            continue;
        floor_case *c = &plan->cases[plan->count];
        c->def = selected[i];
        if (!agree(c->def->request.extensions, mem_level, &c->agreement)) {
            plan->not_agreed++;
            continue;
        }
        c->bulks = calloc(c->def->step_count, sizeof *c->bulks);
        if (!c->bulks) {
            snprintf(err, err_cap, "out of memory");
            rc = -1;
            break;
        }
        rc = plan_case(plan, c, err, err_cap);
        if (c->bulk_count) {
            plan->count++;
        } else {
            free(c->bulks);
            *c = (floor_case){0};
        }
    }
    free(selected);
    if (rc == 0)
        qsort(plan->cases, plan->count, sizeof *plan->cases, by_cost_descending);
    return rc;
}

void floor_plan_free(floor_plan *plan)
{
    for (size_t i = 0; i < plan->count; i++)
        free(plan->cases[i].bulks);
    free(plan->cases);
    case_list_free(&plan->all);
    memset(plan, 0, sizeof *plan);
}

/*
 * pmd-floor: the zlib work of every bulk compression case, done by zlib
 * alone, with nothing else around it: no sockets, no framing, no event loop.
 * Its wall time is the least a run of those cases against the echo server can
 * take on this machine, with both ends compressing at level 1 and everything
 * split over the cores.
 *
 * For every message of every bulk step, four operations, as in a real run:
 *   suite deflate   the suite compresses the message (client role)
 *   echo inflate    the echo server decompresses it
 *   echo deflate    the echo server compresses its echo (server role)
 *   suite inflate   the suite decompresses the echo
 * each with the window and context takeover the case's offer agrees to.
 */
#ifndef WSCONFORM_PMD_FLOOR_H
#define WSCONFORM_PMD_FLOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wscodec/deflate.h>

#include "lang/case.h"
#include "lang/dataset.h"

/* Both ends compress at level 1: the suite's SUITE_LEVEL in
 * harness/run/compressor.c and the echo's deflater in harness/echo/opening.c.
 * Both leave memLevel to the codec (8, or window_bits - 3 below window 11);
 * pmd-floor --mem-level tries another for every window. */
#define FLOOR_LEVEL 1
#define FLOOR_MEM_LEVEL 0 /* 0: as the codec chooses for the window */

typedef enum floor_op {
    OP_SUITE_DEFLATE = 0,
    OP_ECHO_INFLATE,
    OP_ECHO_DEFLATE,
    OP_SUITE_INFLATE,
    OP_COUNT,
} floor_op;

/* What both ends use for one connection, from the case's offer. */
typedef struct floor_agreement {
    ws_deflater_config suite_deflate, echo_deflate;
    ws_inflater_config suite_inflate, echo_inflate;
} floor_agreement;

/* A data set under one agreement: a row of the split. */
typedef struct floor_profile {
    const dataset *set;
    floor_agreement agreement;
} floor_profile;

typedef struct floor_bulk {
    const step *st;       /* STEP_BULK, compressed */
    size_t profile;
} floor_bulk;

typedef struct floor_case {
    const case_def *def;
    floor_agreement agreement;
    floor_bulk *bulks;
    size_t bulk_count;
    uint64_t cost;        /* estimated work, to deal the biggest cases first */
} floor_case;

#define FLOOR_PROFILES_MAX 64

typedef struct floor_plan {
    case_list all;
    floor_case *cases;    /* largest cost first */
    size_t count;
    floor_profile profiles[FLOOR_PROFILES_MAX];
    size_t profile_count;
    uint64_t messages;
    uint64_t max_message; /* bytes of the largest message */
    size_t not_agreed;    /* bulk cases whose offer the echo would decline */
    size_t not_compressed;/* bulk steps sent uncompressed: no zlib work */
} floor_plan;

/* Loads the cases under dir matching the globs in include (NULL: all) and
 * plans the zlib work of those with a compressed bulk step, both ends
 * deflating with zlib's memLevel mem_level. 0, or -1 with a message in err. */
int floor_plan_load(floor_plan *plan, const char *dir, const char *include, uint8_t mem_level,
                    char *err, size_t err_cap);
void floor_plan_free(floor_plan *plan);

/* Time and volume of one operation on one profile. */
typedef struct floor_tally {
    double seconds;
    uint64_t bytes_in, bytes_out, messages;
} floor_tally;

typedef struct floor_split {
    floor_tally tally[FLOOR_PROFILES_MAX][OP_COUNT];
} floor_split;

/* Plays the zlib work of one case, adding to split. 0, or -1 with a message
 * in err when zlib fails or a round trip does not give the message back. */
int floor_replay_case(const floor_plan *plan, const floor_case *c, floor_split *split, char *err,
                      size_t err_cap);

double floor_now(void);

#endif

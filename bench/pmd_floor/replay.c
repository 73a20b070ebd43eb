/* The zlib work of one case's bulk steps, timed per operation (floor.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "floor.h"

static double seconds_of(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double floor_now(void)
{
    return seconds_of(CLOCK_MONOTONIC);
}

/* CPU time, not wall time: on a shared machine a call's wall time counts
 * whatever else ran meanwhile. */
static double cpu_now(void)
{
    return seconds_of(CLOCK_PROCESS_CPUTIME_ID);
}

/* One connection: both ends' streams, kept across its messages as the
 * agreement says, and room for the largest message of the plan. */
typedef struct connection {
    z_stream suite_deflate, echo_inflate, echo_deflate, suite_inflate;
    int ready;              /* streams initialised, in the order above */
    uint8_t *compressed, *echoed, *received;
    size_t compressed_cap, message_cap;
} connection;

/* As the codec's deflater: zlib cannot compress within a window of 256
 * bytes, so at 8 it writes stored blocks with a window of 9. */
static int deflate_init(z_stream *z, const ws_deflater_config *config)
{
    int bits = config->window_bits ? config->window_bits : 15;
    bool stored_only = bits == 8;
    memset(z, 0, sizeof *z);
    return deflateInit2(z, stored_only ? Z_NO_COMPRESSION : config->level, Z_DEFLATED,
                        -(stored_only ? 9 : bits), config->mem_level, Z_DEFAULT_STRATEGY);
}

static int inflate_init(z_stream *z, const ws_inflater_config *config)
{
    memset(z, 0, sizeof *z);
    return inflateInit2(z, -(config->window_bits ? config->window_bits : 15));
}

static void connection_close(connection *c)
{
    if (c->ready > 0)
        deflateEnd(&c->suite_deflate);
    if (c->ready > 1)
        inflateEnd(&c->echo_inflate);
    if (c->ready > 2)
        deflateEnd(&c->echo_deflate);
    if (c->ready > 3)
        inflateEnd(&c->suite_inflate);
    free(c->compressed);
    free(c->echoed);
    free(c->received);
}

static bool connection_open(connection *c, const floor_agreement *a, uint64_t max_message)
{
    memset(c, 0, sizeof *c);
    if (deflate_init(&c->suite_deflate, &a->suite_deflate) != Z_OK)
        return false;
    c->ready = 1;
    if (inflate_init(&c->echo_inflate, &a->echo_inflate) != Z_OK)
        return false;
    c->ready = 2;
    if (deflate_init(&c->echo_deflate, &a->echo_deflate) != Z_OK)
        return false;
    c->ready = 3;
    if (inflate_init(&c->suite_inflate, &a->suite_inflate) != Z_OK)
        return false;
    c->ready = 4;
    /* Stored blocks (window 8) grow data by 5 bytes per 16 KiB; a sync flush
     * adds an empty block. The slack covers both with room to spare. */
    c->compressed_cap = (size_t)max_message + (size_t)max_message / 64 + 1024;
    c->message_cap = (size_t)max_message + 1;
    c->compressed = malloc(c->compressed_cap);
    c->echoed = malloc(c->message_cap);
    c->received = malloc(c->message_cap);
    return c->compressed && c->echoed && c->received;
}

/* Compresses the pieces as one message ending with a sync flush; its 00 00 ff
 * ff stays in (the sender strips it, the receiver puts it back: the same
 * bytes through zlib). Returns the compressed length, or 0 on failure. */
static size_t deflate_message(z_stream *z, const uint8_t *const piece[2],
                              const uint64_t length[2], size_t pieces, bool reset, uint8_t *out,
                              size_t cap)
{
    z->next_out = out;
    z->avail_out = (uInt)cap;
    for (size_t i = 0; i < pieces; i++) {
        z->next_in = (Bytef *)(uintptr_t)piece[i];
        z->avail_in = (uInt)length[i];
        int rc = deflate(z, i + 1 == pieces ? Z_SYNC_FLUSH : Z_NO_FLUSH);
        if (rc != Z_OK || z->avail_in != 0 || z->avail_out == 0)
            return 0;
    }
    size_t made = cap - z->avail_out;
    if (reset)
        deflateReset(z);
    return made;
}

/* Decompresses one message into out; returns its length, or cap on failure
 * (out has one byte more than any message, so cap never is a length). */
static size_t inflate_message(z_stream *z, const uint8_t *in, size_t in_len, bool reset,
                              uint8_t *out, size_t cap)
{
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)in_len;
    z->next_out = out;
    z->avail_out = (uInt)cap;
    int rc = inflate(z, Z_SYNC_FLUSH);
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || z->avail_in != 0 || z->avail_out == 0)
        return cap;
    size_t made = cap - z->avail_out;
    if (reset)
        inflateReset(z);
    return made;
}

static void tally(floor_tally *t, double seconds, uint64_t in, uint64_t out)
{
    t->seconds += seconds;
    t->bytes_in += in;
    t->bytes_out += out;
    t->messages++;
}

/* One message there and back; false when zlib failed or it came back changed. */
static bool round_trip(connection *c, const floor_agreement *a, const dataset *set,
                       const dataset_span *s, floor_tally *t)
{
    const uint8_t *base = set->bytes.pattern;
    const uint8_t *piece[2] = {base + s->offset[0], base + s->offset[1]};
    uint64_t length = s->length[0] + s->length[1];

    double t0 = cpu_now();
    size_t sent = deflate_message(&c->suite_deflate, piece, s->length, s->pieces,
                                  a->suite_deflate.no_context_takeover, c->compressed,
                                  c->compressed_cap);
    double t1 = cpu_now();
    size_t got = sent ? inflate_message(&c->echo_inflate, c->compressed, sent,
                                        a->echo_inflate.no_context_takeover, c->echoed,
                                        c->message_cap)
                      : c->message_cap;
    double t2 = cpu_now();
    tally(&t[OP_SUITE_DEFLATE], t1 - t0, length, sent);
    tally(&t[OP_ECHO_INFLATE], t2 - t1, sent, got);
    if (got != length || memcmp(c->echoed, piece[0], s->length[0]) != 0 ||
        (s->pieces == 2 && memcmp(c->echoed + s->length[0], piece[1], s->length[1]) != 0))
        return false;

    const uint8_t *echo[2] = {c->echoed, NULL};
    const uint64_t echo_length[2] = {length, 0};
    t0 = cpu_now();
    sent = deflate_message(&c->echo_deflate, echo, echo_length, 1,
                           a->echo_deflate.no_context_takeover, c->compressed, c->compressed_cap);
    t1 = cpu_now();
    got = sent ? inflate_message(&c->suite_inflate, c->compressed, sent,
                                 a->suite_inflate.no_context_takeover, c->received,
                                 c->message_cap)
               : c->message_cap;
    t2 = cpu_now();
    tally(&t[OP_ECHO_DEFLATE], t1 - t0, length, sent);
    tally(&t[OP_SUITE_INFLATE], t2 - t1, sent, got);
    return got == length && memcmp(c->received, c->echoed, length) == 0;
}

int floor_replay_case(const floor_plan *plan, const floor_case *fc, floor_split *split, char *err,
                      size_t err_cap)
{
    connection c;
    if (!connection_open(&c, &fc->agreement, plan->max_message)) {
        connection_close(&c);
        snprintf(err, err_cap, "%s: zlib or memory refused a connection's streams", fc->def->id);
        return -1;
    }
    int rc = 0;
    for (size_t b = 0; b < fc->bulk_count && rc == 0; b++) {
        const step *st = fc->bulks[b].st;
        floor_tally *t = split->tally[fc->bulks[b].profile];
        uint64_t cursor = 0;
        for (uint32_t k = 0; k < st->count; k++) {
            dataset_span s = dataset_bulk_span(st->dataset, cursor, st->bulk_size);
            if (!round_trip(&c, &fc->agreement, st->dataset, &s, t)) {
                snprintf(err, err_cap, "%s: message %u of %u (line %d) did not survive the "
                         "round trip through zlib", fc->def->id, k + 1, st->count, st->line);
                rc = -1;
                break;
            }
            cursor = s.next_cursor;
        }
    }
    connection_close(&c);
    return rc;
}

/* The write queue: how units are cut into writes, and lazy masking. */
#include "run/outq.h"
#include "lang/payload.h"
#include "tap.h"
#include "wscodec.h"

static out_unit *unit(const char *literal, const payload *body, bool alone, uint64_t chop)
{
    out_unit *u = calloc(1, sizeof *u);
    size_t n = strlen(literal);
    u->bytes = n ? malloc(n) : NULL;
    if (n)
        memcpy(u->bytes, literal, n);
    u->bytes_length = n;
    if (body) {
        u->body = body;
        u->body_length = body->length;
    }
    u->alone = alone;
    u->chop = chop;
    return u;
}

/* Drains the queue, writing at most `cap` per call; returns the write sizes. */
static size_t drain(outq *q, size_t cap, size_t *sizes, size_t max, uint8_t *all, size_t *total)
{
    uint8_t buf[256];
    size_t writes = 0;
    *total = 0;
    while (!outq_empty(q) && writes < max) {
        uint32_t pause;
        size_t n = outq_peek(q, buf, cap < sizeof buf ? cap : sizeof buf, &pause);
        memcpy(all + *total, buf, n);
        *total += n;
        sizes[writes++] = n;
        outq_consume(q, n);
    }
    return writes;
}

int main(void)
{
    outq q = {0};
    payload body = {(uint8_t *)"ab", 2, 7}; /* "abababa" */
    size_t sizes[64], total;
    uint8_t all[512];

    outq_push(&q, unit("H1", &body, false, 0));
    outq_push(&q, unit("H2", NULL, false, 0));
    is_int(q.pending, 11, "pending counts literal and body bytes");
    size_t w = drain(&q, 256, sizes, 64, all, &total);
    ok(w == 1 && total == 11 && memcmp(all, "H1abababaH2", 11) == 0,
       "coalesced units go out in one write");

    outq_push(&q, unit("A", NULL, false, 0));
    outq_push(&q, unit("BB", NULL, true, 0));
    outq_push(&q, unit("C", NULL, false, 0));
    w = drain(&q, 256, sizes, 64, all, &total);
    ok(w == 3 && sizes[0] == 1 && sizes[1] == 2 && sizes[2] == 1,
       "a unit marked alone is written by itself (%zu writes)", w);

    outq_push(&q, unit("XY", &body, false, 4));
    w = drain(&q, 256, sizes, 64, all, &total);
    ok(w == 3 && sizes[0] == 4 && sizes[1] == 4 && sizes[2] == 1 && total == 9 &&
           memcmp(all, "XYabababa", 9) == 0,
       "chop 4 cuts 9 bytes into 4+4+1");

    outq_push(&q, unit("", &body, false, 1));
    w = drain(&q, 256, sizes, 64, all, &total);
    is_int(w, 7, "chop 1 writes byte by byte");

    /* A partial write resumes inside the same chop piece. */
    outq_push(&q, unit("0123456789", NULL, false, 4));
    uint32_t pause;
    uint8_t buf[16];
    size_t n = outq_peek(&q, buf, sizeof buf, &pause);
    is_int(n, 4, "first piece is 4 bytes");
    outq_consume(&q, 3);
    n = outq_peek(&q, buf, sizeof buf, &pause);
    ok(n == 1 && buf[0] == '3', "after writing 3 of 4, the rest of the piece follows");
    outq_clear(&q);

    /* Masking is applied as the body is written, at the right offset. */
    payload plain = {(uint8_t *)"Hello", 5, 5};
    out_unit *m = unit("", &plain, false, 2);
    m->masked = true;
    memcpy(m->key, "\x37\xfa\x21\x3d", 4);
    outq_push(&q, m);
    drain(&q, 256, sizes, 64, all, &total);
    static const uint8_t rfc_masked[] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
    is_mem(all, total, rfc_masked, 5, "chopped masked body equals RFC 5.7's masked Hello");

    /* A unit can tell when its last byte is written. */
    bool written = false;
    out_unit *close = unit("\x88\x82" "ABCDxy", NULL, false, 0);
    close->written_flag = &written;
    outq_push(&q, close);
    outq_consume(&q, 7);
    ok(!written, "not written while a byte is left");
    outq_consume(&q, 1);
    ok(written && outq_empty(&q), "written once the last byte went out");

    outq_push(&q, unit("", NULL, false, 0));
    ok(outq_empty(&q), "empty units are not queued");
    return done_testing();
}

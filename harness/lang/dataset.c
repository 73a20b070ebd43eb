/*
 * The data set registry: generation on first use, the character index of the
 * text sets, and the byte buffer the generators write into.
 */
#include "lang/dataset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/dataset_build.h"

/* Every CHAR_STEP-th character's byte offset is kept: a lookup walks at most
 * CHAR_STEP - 1 characters from there. */
#define CHAR_STEP 64u

typedef struct dataset_slot {
    dataset d;
    size_t size;
    bool (*make)(gen_buf *b);
    bool made;
    uint32_t *char_index; /* text sets: byte offset of character k * CHAR_STEP */
} dataset_slot;

static dataset_slot slots[] = {
    {{"json", "a large JSON document", true, {0}, 0}, 194056, dataset_make_json, false, NULL},
    {{"bmp", "a 512x512 8-bit greyscale BMP picture", false, {0}, 0}, 263222, dataset_make_bmp,
     false, NULL},
    {{"prose", "German verse drama (UTF-8, sent as binary)", false, {0}, 0}, 222218,
     dataset_make_prose, false, NULL},
    {{"html", "a large HTML report page", true, {0}, 0}, 263647, dataset_make_html, false, NULL},
    {{"pdf", "a PDF file with deflated streams", false, {0}, 0}, 1042328, dataset_make_pdf, false,
     NULL},
};

#define SLOT_COUNT (sizeof slots / sizeof slots[0])

void gen_put(gen_buf *b, const void *bytes, size_t n)
{
    if (n > b->cap - b->n) {
        n = b->cap - b->n;
        b->overflow = true;
    }
    memcpy(b->p + b->n, bytes, n);
    b->n += n;
}

void gen_puts(gen_buf *b, const char *s)
{
    gen_put(b, s, strlen(s));
}

void gen_putf(gen_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->overflow = true; /* formats are short; a long one is a generator bug */
        return;
    }
    gen_put(b, tmp, (size_t)n);
}

/* A word of words[] exactly n bytes long, or the first longer one cut to n. */
static void put_last_word(gen_buf *b, gen_rng *r, const char *const *words, size_t count,
                          size_t n)
{
    size_t from = gen_below(r, (uint32_t)count);
    const char *longer = words[from]; /* the caller made n at most the longest word's length */
    for (size_t i = 0; i < count; i++) {
        const char *w = words[(from + i) % count];
        if (strlen(w) == n) {
            gen_put(b, w, n);
            return;
        }
        if (strlen(w) > n && (strlen(longer) < n || strlen(longer) > strlen(w)))
            longer = w;
    }
    gen_put(b, longer, n < strlen(longer) ? n : strlen(longer));
}

void gen_fill_words(gen_buf *b, gen_rng *r, const char *const *words, size_t count, size_t n)
{
    size_t end = b->n + n, longest = 0;
    for (size_t i = 0; i < count; i++)
        longest = strlen(words[i]) > longest ? strlen(words[i]) : longest;
    while (b->n < end && !b->overflow) {
        size_t left = end - b->n;
        if (left <= longest) {
            put_last_word(b, r, words, count, left);
            continue;
        }
        const char *w = words[gen_below(r, (uint32_t)count)];
        gen_put(b, w, strlen(w));
        gen_put(b, " ", 1);
    }
}

/* Byte offsets of every CHAR_STEP-th character of a UTF-8 set, and its count. */
static uint32_t *index_characters(const uint8_t *p, size_t n, uint64_t *chars)
{
    uint32_t *index = malloc((n / CHAR_STEP + 2) * sizeof *index);
    if (!index)
        return NULL;
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if ((p[i] & 0xc0) == 0x80)
            continue; /* a continuation byte */
        if (count % CHAR_STEP == 0)
            index[count / CHAR_STEP] = (uint32_t)i;
        count++;
    }
    if (count % CHAR_STEP == 0)
        index[count / CHAR_STEP] = (uint32_t)n;
    *chars = count;
    return index;
}

static bool make_slot(dataset_slot *s)
{
    gen_buf b = {malloc(s->size), 0, s->size, false};
    if (!b.p)
        return false;
    if (!s->make(&b) || b.overflow || b.n != s->size) {
        free(b.p);
        return false;
    }
    uint64_t chars = s->size;
    if (s->d.text && !(s->char_index = index_characters(b.p, b.n, &chars))) {
        free(b.p);
        return false;
    }
    s->d.bytes.pattern = b.p;
    s->d.bytes.pattern_length = b.n;
    s->d.bytes.length = b.n;
    s->d.chars = chars;
    s->made = true;
    return true;
}

static dataset_slot *slot_named(const char *name, size_t name_length)
{
    for (size_t i = 0; i < SLOT_COUNT; i++)
        if (strlen(slots[i].d.name) == name_length &&
            memcmp(slots[i].d.name, name, name_length) == 0)
            return &slots[i];
    return NULL;
}

const dataset *dataset_find(const char *name, size_t name_length)
{
    dataset_slot *s = slot_named(name, name_length);
    if (!s || (!s->made && !make_slot(s)))
        return NULL;
    return &s->d;
}

bool dataset_exists(const char *name, size_t name_length)
{
    return slot_named(name, name_length) != NULL;
}

const char *dataset_names(void)
{
    return "json, bmp, prose, html, pdf";
}

uint64_t dataset_byte_offset(const dataset *d, uint64_t char_index)
{
    if (!d->text)
        return char_index;
    const dataset_slot *s = (const dataset_slot *)d; /* d is the first member of its slot */
    if (char_index >= d->chars)
        return d->bytes.length;
    const uint8_t *p = d->bytes.pattern;
    uint64_t at = s->char_index[char_index / CHAR_STEP];
    for (uint64_t k = char_index % CHAR_STEP; k > 0; k--) {
        at++;
        while ((p[at] & 0xc0) == 0x80)
            at++;
    }
    return at;
}

dataset_span dataset_bulk_span(const dataset *d, uint64_t cursor, uint64_t units)
{
    uint64_t total = d->chars, to = cursor + units;
    dataset_span s = {.pieces = 1, .next_cursor = total ? to % total : 0};
    s.offset[0] = dataset_byte_offset(d, cursor);
    s.length[0] = dataset_byte_offset(d, to < total ? to : total) - s.offset[0];
    if (to > total) {
        s.length[1] = dataset_byte_offset(d, to - total);
        s.pieces = 2;
    }
    return s;
}

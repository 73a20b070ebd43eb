/*
 * The binary data sets: a synthetic greyscale photograph as a BMP, and a
 * PDF-like file whose pages hold deflated content and image streams.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/dataset_build.h"

/* -- bmp -- */

#define BMP_SIDE 512
#define BMP_PIXELS_AT (14 + 40 + 256 * 4)

static void put_le(gen_buf *b, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        uint8_t byte = (uint8_t)(v >> (8 * i));
        gen_put(b, &byte, 1);
    }
}

/* BITMAPFILEHEADER, BITMAPINFOHEADER and a grey palette. */
static void bmp_header(gen_buf *b)
{
    gen_puts(b, "BM");
    put_le(b, (uint32_t)b->cap, 4);
    put_le(b, 0, 4);
    put_le(b, BMP_PIXELS_AT, 4);
    put_le(b, 40, 4);
    put_le(b, BMP_SIDE, 4);
    put_le(b, BMP_SIDE, 4); /* positive height: rows bottom-up */
    put_le(b, 1, 2);
    put_le(b, 8, 2);
    put_le(b, 0, 4); /* BI_RGB */
    put_le(b, BMP_SIDE * BMP_SIDE, 4);
    put_le(b, 2835, 4); /* 72 dpi */
    put_le(b, 2835, 4);
    put_le(b, 256, 4);
    put_le(b, 256, 4);
    for (uint32_t i = 0; i < 256; i++)
        put_le(b, i | i << 8 | i << 16, 4);
}

/* Smooth random relief: values on a coarse grid, interpolated bilinearly. */
#define RELIEF_CELL 32
#define RELIEF_GRID (BMP_SIDE / RELIEF_CELL + 1)

static int relief_at(const int grid[RELIEF_GRID][RELIEF_GRID], int x, int y)
{
    int gx = x / RELIEF_CELL, gy = y / RELIEF_CELL, fx = x % RELIEF_CELL, fy = y % RELIEF_CELL;
    int top = grid[gy][gx] * (RELIEF_CELL - fx) + grid[gy][gx + 1] * fx;
    int bottom = grid[gy + 1][gx] * (RELIEF_CELL - fx) + grid[gy + 1][gx + 1] * fx;
    return (top * (RELIEF_CELL - fy) + bottom * fy) / (RELIEF_CELL * RELIEF_CELL);
}

/* The scene without noise: sky, sun, hills, a house; y counts from the top. */
static int scene_at(int x, int y)
{
    int horizon = 300 + (x - 256) * (x - 256) / 900;
    int sun_dx = x - 370, sun_dy = y - 110, sun = sun_dx * sun_dx + sun_dy * sun_dy;
    if (x >= 90 && x < 200 && y >= 250 && y < 360)
        return (x >= 130 && x < 160 && y >= 300) ? 40 : 150 + (x - 90) / 4; /* wall and door */
    int from_ridge = x < 145 ? 145 - x : x - 145;
    if (y >= 200 && y < 250 && from_ridge <= (y - 200) * 6 / 5)
        return 90; /* roof */
    if (y > horizon)
        return 70 + (y - horizon) / 3;
    if (sun < 45 * 45)
        return 245;
    if (sun < 70 * 70)
        return 245 - (sun - 45 * 45) / 60;
    return 120 + y / 4 + x / 16;
}

static void bmp_pixels(gen_buf *b, gen_rng *r)
{
    int grid[RELIEF_GRID][RELIEF_GRID];
    for (int i = 0; i < RELIEF_GRID; i++)
        for (int j = 0; j < RELIEF_GRID; j++)
            grid[i][j] = gen_range(r, -18, 18);
    uint8_t row[BMP_SIDE];
    for (int file_row = 0; file_row < BMP_SIDE; file_row++) {
        int y = BMP_SIDE - 1 - file_row;
        for (int x = 0; x < BMP_SIDE; x++) {
            int v = scene_at(x, y) + relief_at(grid, x, y) + gen_range(r, -8, 8);
            row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        gen_put(b, row, sizeof row);
    }
}

bool dataset_make_bmp(gen_buf *b)
{
    gen_rng r = {0x626d70};
    bmp_header(b);
    bmp_pixels(b, &r);
    return !b->overflow && b->n == b->cap;
}

/* -- pdf -- */

#define PDF_OBJECTS_MAX 512
#define PDF_IMAGE_WIDTH 240
#define PDF_IMAGE_HEIGHT 180
#define PDF_TEXT_LINES 56
#define PDF_CONTENT_MAX 8192
/* Objects 1-4 are fixed; each page is three objects from 5 on. */
#define PDF_CATALOG 1
#define PDF_PAGES 2
#define PDF_FONT 3
#define PDF_INFO 4
#define PDF_FIRST_PAGE 5

typedef struct pdf_writer {
    gen_buf *b;
    gen_rng r;
    size_t offsets[PDF_OBJECTS_MAX + 1]; /* by object number */
    int count;                           /* the highest object number written */
    uint8_t *raw, *packed;               /* a stream before and after deflate */
    size_t raw_cap, packed_cap;
} pdf_writer;

static void pdf_begin(pdf_writer *w, int number)
{
    w->offsets[number] = w->b->n;
    if (number > w->count)
        w->count = number;
    gen_putf(w->b, "%d 0 obj\n", number);
}

static void pdf_dict(pdf_writer *w, int number, const char *dict)
{
    pdf_begin(w, number);
    gen_putf(w->b, "%s\nendobj\n", dict);
}

/* A stream object of data[0..n), deflated (zlib format, as FlateDecode reads) if asked. */
static bool pdf_stream(pdf_writer *w, int number, const char *dict, const uint8_t *data, size_t n,
                       bool deflate)
{
    if (deflate) {
        n = gen_deflate(data, n, w->packed, w->packed_cap);
        if (n == 0)
            return false;
        data = w->packed;
    }
    pdf_begin(w, number);
    gen_putf(w->b, "<< /Length %zu%s%s >>\nstream\n", n, deflate ? " /Filter /FlateDecode" : "",
             dict);
    gen_put(w->b, data, n);
    gen_puts(w->b, "\nendstream\nendobj\n");
    return true;
}

/* A page's content stream: the picture, then lines of text; its length. */
static size_t pdf_content(pdf_writer *w, int page)
{
    static const char *const words[] = {
        "revenue", "quarter", "branch", "growth", "customer", "report", "region", "total",
        "increase", "decline", "forecast", "market", "product", "service", "annual", "result",
        "margin", "cost", "the", "of", "and", "in", "for", "with", "per", "was", "were", "by",
    };
    gen_buf c = {w->raw, 0, PDF_CONTENT_MAX, false};
    gen_putf(&c, "q %d 0 0 %d 56 420 cm /Im1 Do Q\nBT\n/F1 10 Tf\n12 TL\n56 400 Td\n",
             PDF_IMAGE_WIDTH, PDF_IMAGE_HEIGHT);
    gen_putf(&c, "(Page %d) Tj T*\n", page + 1);
    for (int line = 0; line < PDF_TEXT_LINES / 2; line++) {
        gen_puts(&c, "(");
        for (int k = 0, n = gen_range(&w->r, 6, 12); k < n; k++)
            gen_putf(&c, k ? " %s" : "%s", GEN_PICK(&w->r, words));
        GEN_PUT_NUMBER(&c, &w->r, " %d", 0, 99);
        GEN_PUT_NUMBER(&c, &w->r, ".%d%%) Tj T*\n", 0, 9);
    }
    gen_puts(&c, "ET\n");
    return c.n;
}

/* A grey picture: a diagonal gradient with a bright disc, noisy. */
static void pdf_image(pdf_writer *w, int page)
{
    for (int y = 0; y < PDF_IMAGE_HEIGHT; y++)
        for (int x = 0; x < PDF_IMAGE_WIDTH; x++) {
            int dx = x - 60 - page * 7 % 120, dy = y - 90;
            int v = (x + y + page * 13) % 200 + (dx * dx + dy * dy < 900 ? 50 : 0);
            v += gen_range(&w->r, -12, 12);
            w->raw[y * PDF_IMAGE_WIDTH + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

static bool pdf_page(pdf_writer *w, int page)
{
    int first = PDF_FIRST_PAGE + 3 * page;
    char dict[256];
    snprintf(dict, sizeof dict,
             "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d "
             "0 R >> /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>",
             PDF_PAGES, PDF_FONT, first + 2, first + 1);
    pdf_dict(w, first, dict);
    size_t content = pdf_content(w, page);
    /* Every other page keeps its text uncompressed. */
    if (!pdf_stream(w, first + 1, "", w->raw, content, page % 2 == 0))
        return false;
    pdf_image(w, page);
    snprintf(dict, sizeof dict,
             " /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
             "/BitsPerComponent 8", PDF_IMAGE_WIDTH, PDF_IMAGE_HEIGHT);
    return pdf_stream(w, first + 2, dict, w->raw, PDF_IMAGE_WIDTH * PDF_IMAGE_HEIGHT, true);
}

static void pdf_page_tree(pdf_writer *w, int pages)
{
    pdf_begin(w, PDF_PAGES);
    gen_putf(w->b, "<< /Type /Pages /Count %d /Kids [", pages);
    for (int page = 0; page < pages; page++)
        gen_putf(w->b, page ? " %d 0 R" : "%d 0 R", PDF_FIRST_PAGE + 3 * page);
    gen_puts(w->b, "] >>\nendobj\n");
}

/* The cross-reference table and trailer for objects 1..objects (written if
 * write; returns its length). */
static size_t pdf_xref(pdf_writer *w, int objects, size_t xref_at, bool write)
{
    char end[160];
    int n = snprintf(end, sizeof end,
                     "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                     objects + 1, PDF_CATALOG, PDF_INFO, xref_at);
    char start[40];
    int m = snprintf(start, sizeof start, "xref\n0 %d\n", objects + 1);
    if (write) {
        gen_puts(w->b, start);
        gen_puts(w->b, "0000000000 65535 f \n");
        for (int i = 1; i <= objects; i++)
            gen_putf(w->b, "%010zu 00000 n \n", w->offsets[i]);
        gen_puts(w->b, end);
    }
    return (size_t)m + 20 + 20 * (size_t)objects + (size_t)n;
}

/* A last object of raw bytes (an embedded font program) sized so that the
 * object ends exactly at `end`. */
static bool pdf_filler(pdf_writer *w, int number, size_t end)
{
    static const char tail[] = "\nendstream\nendobj\n";
    size_t room = end - w->b->n;
    for (size_t digits = 1; digits <= 9; digits++) {
        char head[96];
        int h = snprintf(head, sizeof head,
                         "%d 0 obj\n<< /Length %0*d /Subtype /Type1C >>\nstream\n", number,
                         (int)digits, 0);
        if (room < (size_t)h + sizeof tail - 1)
            return false;
        size_t length = room - (size_t)h - (sizeof tail - 1);
        char shown[24];
        if ((size_t)snprintf(shown, sizeof shown, "%zu", length) != digits)
            continue;
        pdf_begin(w, number);
        gen_putf(w->b, "<< /Length %zu /Subtype /Type1C >>\nstream\n", length);
        for (size_t i = 0; i < length; i++) {
            uint8_t byte = (uint8_t)(gen_next(&w->r) >> 56);
            gen_put(w->b, &byte, 1);
        }
        gen_puts(w->b, tail);
        return w->b->n == end;
    }
    return false;
}

static bool pdf_body(pdf_writer *w)
{
    gen_buf *b = w->b;
    gen_puts(b, "%PDF-1.5\n%\xe2\xe3\xcf\xd3\n");
    pdf_dict(w, PDF_CATALOG, "<< /Type /Catalog /Pages 2 0 R >>");
    pdf_dict(w, PDF_FONT, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                          "/Encoding /WinAnsiEncoding >>");
    pdf_dict(w, PDF_INFO, "<< /Title (Annual report of the branches) /Author (Controlling) "
                          "/CreationDate (D:20190301120000Z) >>");
    /* A page takes at most this much; the filler takes what the last one leaves. */
    size_t page_max = w->packed_cap * 2 + 2048, reserve = page_max + 32 * PDF_OBJECTS_MAX;
    int pages = 0;
    while (b->cap - b->n > reserve && PDF_FIRST_PAGE + 3 * (pages + 1) < PDF_OBJECTS_MAX)
        if (!pdf_page(w, pages++))
            return false;
    pdf_page_tree(w, pages);
    int filler = w->count + 1;
    size_t xref_at = b->cap - pdf_xref(w, filler, b->cap, false);
    xref_at = b->cap - pdf_xref(w, filler, xref_at, false);
    if (!pdf_filler(w, filler, xref_at))
        return false;
    pdf_xref(w, filler, xref_at, true);
    return !b->overflow && b->n == b->cap;
}

bool dataset_make_pdf(gen_buf *b)
{
    pdf_writer *w = calloc(1, sizeof *w);
    if (!w)
        return false;
    w->b = b;
    w->r.state = 0x706466;
    w->raw_cap = PDF_IMAGE_WIDTH * PDF_IMAGE_HEIGHT;
    w->packed_cap = GEN_DEFLATE_BOUND(w->raw_cap);
    w->raw = malloc(w->raw_cap);
    w->packed = malloc(w->packed_cap);
    bool made = w->raw && w->packed && pdf_body(w);
    free(w->raw);
    free(w->packed);
    free(w);
    return made;
}

/*
 * The compression data sets (harness/lang/dataset.c) and the dataset() payload
 * atom: exact sizes, the same bytes on every generation, well-formed content
 * of each kind, compressibility like the files they stand for, and the
 * character index of the text sets.
 */
#include <cjson/cJSON.h>
#include <openssl/sha.h>
#include <zlib.h>

#include "lang/caselang.h"
#include "lang/dataset.h"
#include "lang/dataset_build.h"
#include "lang/payload.h"
#include "tap.h"
#include "wscodec/utf8.h"

typedef struct expected_set {
    const char *name;
    bool text, utf8;
    uint64_t size;
    bool (*make)(gen_buf *b);
    const char *sha1; /* changes only when a generator does */
    double ratio_min, ratio_max; /* original / raw deflate at level 6 */
} expected_set;

static const expected_set sets[] = {
    {"json", true, true, 194056, dataset_make_json, "bfb1a601c09533e42f3aba470f02d78127981d35", 6,
     10},
    {"bmp", false, false, 263222, dataset_make_bmp, "70b93559e993406836c39f98803128c05140e61c",
     1.1, 1.4},
    {"prose", false, true, 222218, dataset_make_prose, "59528c95e3adb34e3be45984729e9a0724f76334",
     2.5, 3.2},
    {"html", true, true, 263647, dataset_make_html, "f11f0a3100c13c27a66c1ee9463e132f562cf163", 5,
     9},
    {"pdf", false, false, 1042328, dataset_make_pdf, "9ac23d1e3524291421d1cc3f57582201418abc38",
     1.0, 1.1},
};

#define SET_COUNT (sizeof sets / sizeof sets[0])

static const dataset *find(const char *name)
{
    return dataset_find(name, strlen(name));
}

static const uint8_t *bytes_of(const dataset *d)
{
    return d->bytes.pattern;
}

static void sha1_hex(const uint8_t *p, size_t n, char hex[41])
{
    uint8_t digest[SHA_DIGEST_LENGTH];
    SHA1(p, n, digest);
    for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* Raw deflate (as permessage-deflate sends it) at level 6: original / compressed. */
static double deflate_ratio(const uint8_t *p, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    size_t cap = deflateBound(&z, (uLong)n);
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    double ratio = rc == Z_STREAM_END ? (double)n / (double)z.total_out : 0;
    deflateEnd(&z);
    free(out);
    return ratio;
}

/* gen_deflate's stream, inflated by zlib, gives back the input. */
static bool round_trips(const uint8_t *in, size_t n)
{
    size_t cap = GEN_DEFLATE_BOUND(n);
    uint8_t *packed = malloc(cap), *back = malloc(n + 1);
    size_t packed_n = packed ? gen_deflate(in, n, packed, cap) : 0;
    uLongf back_n = (uLongf)n + 1;
    bool same = packed_n > 0 && back &&
                uncompress(back, &back_n, packed, (uLong)packed_n) == Z_OK && back_n == n &&
                memcmp(back, in, n) == 0;
    free(packed);
    free(back);
    return same;
}

static void test_deflate(void)
{
    enum { N = 200000 };
    uint8_t *in = malloc(N);
    if (!in)
        return;
    gen_rng r = {1};
    memset(in, 0, N);
    ok(round_trips(in, 0), "deflate: an empty input");
    in[0] = 0xff;
    ok(round_trips(in, 1), "deflate: one byte (a 9-bit literal)");
    memset(in, 'a', N);
    ok(round_trips(in, N), "deflate: a long run (matches of 258 at distance 1)");
    for (size_t i = 0; i < N; i++)
        in[i] = (uint8_t)gen_next(&r);
    ok(round_trips(in, N), "deflate: random bytes (literals only)");
    /* Random bytes with copies of earlier ones: any length, any distance up to 32 KiB. */
    for (size_t i = 1000; i < N;) {
        size_t length = 3 + gen_below(&r, 300), distance = 1 + gen_below(&r, 32768);
        if (distance > i)
            distance = i;
        for (size_t k = 0; k < length && i < N; k++, i++)
            in[i] = in[i - distance];
        in[i < N ? i++ : N - 1] = (uint8_t)gen_next(&r);
    }
    ok(round_trips(in, N), "deflate: copies at many lengths and distances");
    size_t cap = GEN_DEFLATE_BOUND((size_t)N);
    uint8_t *packed = malloc(cap);
    ok(packed && gen_deflate(in, N, packed, 10) == 0, "deflate: an output too small is refused");
    memset(in, 'a', N);
    size_t run = packed ? gen_deflate(in, N, packed, cap) : 0;
    ok(run > 0 && run < N / 100, "deflate: a long run shrinks to %zu bytes (matches are used)", run);
    free(packed);
    free(in);
}

static void test_registry(void)
{
    ok(strcmp(dataset_names(), "json, bmp, prose, html, pdf") == 0, "the names for messages");
    ok(find("xml") == NULL && !dataset_exists("xml", 3), "an unknown name finds nothing");
    ok(dataset_find("jsonx", 4) != NULL && dataset_find("json", 3) == NULL,
       "a name is matched by its length, not up to a terminator");
    ok(find("json") == find("json"), "a set is generated once and kept");
}

static void test_set(const expected_set *e)
{
    const dataset *d = find(e->name);
    if (!ok(d != NULL, "%s: generated", e->name))
        return;
    is_int(d->bytes.length, e->size, "%s: exact size", e->name);
    ok(d->bytes.pattern_length == d->bytes.length && strcmp(d->name, e->name) == 0 &&
           d->text == e->text && d->what && d->what[0],
       "%s: one whole pattern, its name, kind (%s) and description", e->name,
       e->text ? "text" : "binary");
    gen_buf again = {malloc(e->size), 0, e->size, false};
    ok(again.p && e->make(&again) && again.n == e->size &&
           memcmp(again.p, bytes_of(d), e->size) == 0,
       "%s: a second generation gives the same bytes", e->name);
    free(again.p);
    char hex[41];
    sha1_hex(bytes_of(d), (size_t)d->bytes.length, hex);
    if (!ok(strcmp(hex, e->sha1) == 0, "%s: SHA-1 %s", e->name, e->sha1))
        tap_diag("     got SHA-1 %s", hex);
    double ratio = deflate_ratio(bytes_of(d), (size_t)d->bytes.length);
    ok(ratio >= e->ratio_min && ratio <= e->ratio_max,
       "%s: deflate ratio %.3f within %.1f..%.1f", e->name, ratio, e->ratio_min, e->ratio_max);
    if (e->utf8) {
        size_t at = 0;
        ok(ws_utf8_validate(bytes_of(d), (size_t)d->bytes.length, &at) == 0,
           "%s: valid UTF-8 (first error at byte %zu)", e->name, at);
    }
}

/* Character starts by a walk over every byte, compared with the index at each one. */
static void test_char_index(const char *name)
{
    const dataset *d = find(name);
    if (!d)
        return;
    const uint8_t *p = bytes_of(d);
    uint64_t chars = 0, wrong = 0, first_wrong = 0;
    for (uint64_t i = 0; i < d->bytes.length; i++) {
        if ((p[i] & 0xc0) == 0x80)
            continue;
        if (dataset_byte_offset(d, chars) != i && wrong++ == 0)
            first_wrong = chars;
        chars++;
    }
    is_int(d->chars, chars, "%s: %llu characters", name, (unsigned long long)chars);
    ok(d->chars < d->bytes.length, "%s: fewer characters than bytes (some are multi-byte)", name);
    ok(wrong == 0, "%s: byte offset of every character agrees with a walk (first wrong: %llu)",
       name, (unsigned long long)first_wrong);
    is_int(dataset_byte_offset(d, d->chars), d->bytes.length, "%s: offset of the end", name);
}

static void test_binary_offsets(void)
{
    const dataset *d = find("prose");
    uint64_t starts = 0;
    for (uint64_t i = 0; d && i < d->bytes.length; i++)
        starts += (bytes_of(d)[i] & 0xc0) != 0x80;
    ok(starts > 0 && d && starts < d->bytes.length,
       "prose: %llu characters in its bytes (umlauts and ß are two bytes)",
       (unsigned long long)starts);
    ok(d && d->chars == d->bytes.length && dataset_byte_offset(d, 12345) == 12345 &&
           dataset_byte_offset(d, d->chars) == d->bytes.length,
       "prose is sent as binary: offsets count bytes");
}

static void test_json(void)
{
    const dataset *d = find("json");
    cJSON *root = d ? cJSON_ParseWithLength((const char *)bytes_of(d), (size_t)d->bytes.length)
                    : NULL;
    ok(root && cJSON_IsArray(root), "json: parses as an array");
    int n = root ? cJSON_GetArraySize(root) : 0;
    ok(n > 100, "json: %d records", n);
    cJSON *first = root ? cJSON_GetArrayItem(root, 0) : NULL;
    cJSON *name = cJSON_GetObjectItemCaseSensitive(first, "name");
    ok(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(first, "id")) &&
           cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(first, "isActive")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(name, "first")) &&
           cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(first, "friends")),
       "json: a record has numbers, booleans, nested objects and arrays");
    cJSON_Delete(root);
}

static uint32_t le(const uint8_t *p, int bytes)
{
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void test_bmp(void)
{
    const dataset *d = find("bmp");
    if (!d)
        return;
    const uint8_t *p = bytes_of(d);
    ok(p[0] == 'B' && p[1] == 'M', "bmp: magic BM");
    is_int(le(p + 2, 4), d->bytes.length, "bmp: file size field");
    is_int(le(p + 10, 4), 1078, "bmp: pixels at 54 + 1024");
    is_int(le(p + 14, 4), 40, "bmp: BITMAPINFOHEADER");
    ok(le(p + 18, 4) == 512 && le(p + 22, 4) == 512, "bmp: 512x512, bottom-up (positive height)");
    ok(le(p + 26, 2) == 1 && le(p + 28, 2) == 8 && le(p + 30, 4) == 0, "bmp: 8 bpp, uncompressed");
    ok(le(p + 54 + 4 * 200, 4) == 0xc8c8c8, "bmp: grey palette");
}

/* The first `needle` in hay[0..n), or NULL. */
static const char *find_bytes(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* The value of "/Length N" in dict[0..n), or -1. */
static long stream_length(const char *dict, size_t n)
{
    const char *length = find_bytes(dict, n, "/Length ");
    return length ? strtol(length + 8, NULL, 10) : -1;
}

static void test_pdf_streams(const dataset *d)
{
    const char *text = (const char *)bytes_of(d);
    size_t n = (size_t)d->bytes.length, streams = 0, inflated = 0, pages = 0;
    static uint8_t out[1 << 20];
    for (size_t i = 0; i + 10 <= n; i++) {
        if (memcmp(text + i, ">>\nstream\n", 10) != 0)
            continue;
        const char *dict_end = text + i;
        const char *dict = dict_end;
        while (dict > text && strncmp(dict, "<<", 2) != 0)
            dict--;
        if (!find_bytes(dict, (size_t)(dict_end - dict), "/FlateDecode"))
            continue;
        streams++;
        long length = stream_length(dict, (size_t)(dict_end - dict));
        uLongf got = sizeof out;
        if (length > 0 && i + 20 + (size_t)length <= n &&
            uncompress(out, &got, (const Bytef *)text + i + 10, (uLong)length) == Z_OK &&
            got > 0 && memcmp(text + i + 10 + length, "\nendstream", 10) == 0) {
            inflated++;
            pages += got > 2 && memcmp(out, "q ", 2) == 0;
        }
    }
    ok(pages >= 5, "pdf: %zu of them are page contents (\"q ...\")", pages);
    ok(streams >= 10, "pdf: %zu FlateDecode streams", streams);
    is_int(inflated, streams, "pdf: every FlateDecode stream inflates to its endstream");
}

static void test_pdf(void)
{
    const dataset *d = find("pdf");
    if (!d)
        return;
    const char *text = (const char *)bytes_of(d);
    size_t n = (size_t)d->bytes.length;
    ok(n > 16 && memcmp(text, "%PDF-1.", 7) == 0, "pdf: starts with %%PDF-1.");
    ok(memcmp(text + n - 6, "%%EOF\n", 6) == 0, "pdf: ends with %%%%EOF");
    const char *startxref = find_bytes(text + n - 64, 64, "startxref\n");
    long xref = startxref ? strtol(startxref + 10, NULL, 10) : -1;
    ok(xref > 0 && (size_t)xref < n && memcmp(text + xref, "xref\n", 5) == 0,
       "pdf: startxref points at the xref table");
    ok(find_bytes(text, n, "BT\n/F1") != NULL, "pdf: some page text is not compressed");
    test_pdf_streams(d);
}

static void test_atom(void)
{
    static const char hdr[] = "case 1\n  title T\n  rfc 7.2\n  require r\n";
    char text[256];
    case_list l = {0};
    caselang_error e;
    snprintf(text, sizeof text, "%s  send text dataset(json)\n  send binary dataset( pdf )+\"!\"\n",
             hdr);
    int rc = caselang_parse(text, strlen(text), "t.case", false, &l, &e);
    if (!ok(rc == 0 && l.count == 1 && l.cases[0].step_count == 2, "dataset() payloads parse"))
        tap_diag("     %s", rc ? e.message : "wrong shape");
    if (rc == 0 && l.count == 1 && l.cases[0].step_count == 2) {
        const payload *json = &l.cases[0].steps[0].data, *pdf = &l.cases[0].steps[1].data;
        const dataset *d = find("json");
        is_int(json->length, 194056, "dataset(json) is 194056 bytes");
        ok(d && payload_equal_bytes(json, bytes_of(d), d->bytes.length), "... the set's bytes");
        is_int(pdf->length, 1042329, "dataset( pdf )+\"!\" is 1042328 + 1 bytes");
        ok(payload_byte_at(pdf, 1042328) == '!', "... ending with the concatenated byte");
    }
    case_list_free(&l);
    snprintf(text, sizeof text, "%s  send text dataset(xml)\n", hdr);
    char message[600];
    rc = caselang_parse(text, strlen(text), "t.case", false, &l, &e);
    ok(rc != 0 && strcmp(caselang_format_error(&e, message, sizeof message),
                         "t.case:5: unknown data set 'xml' (json, bmp, prose, html, pdf)") == 0,
       "an unknown name: %s", rc ? message : "(parsed)");
    snprintf(text, sizeof text, "%s  send text dataset(json\n", hdr);
    rc = caselang_parse(text, strlen(text), "t.case", false, &l, &e);
    ok(rc != 0 && e.line == 5 && strstr(e.message, "expected ')'"), "a missing ')': %s",
       rc ? e.message : "(parsed)");
    snprintf(text, sizeof text, "%s  send text dataset()\n", hdr);
    rc = caselang_parse(text, strlen(text), "t.case", false, &l, &e);
    ok(rc != 0 && e.line == 5 &&
           strcmp(e.message, "expected a data set name (json, bmp, prose, html, pdf) in dataset(), "
                             "found none") == 0,
       "no name: %s", rc ? e.message : "(parsed)");
    ok(find("json") && find("json")->bytes.length == 194056, "freeing cases leaves the set whole");
    case_list_free(&l);
}

int main(void)
{
    test_deflate();
    test_registry();
    for (size_t i = 0; i < SET_COUNT; i++)
        test_set(&sets[i]);
    test_char_index("json");
    test_char_index("html");
    test_binary_offsets();
    test_json();
    test_bmp();
    test_pdf();
    test_atom();
    return done_testing();
}

/*
 * Fuzz target: the incremental UTF-8 validator (wscodec/utf8.h).
 *
 * Input: one control byte choosing the chunking (fuzz_common.h), then the
 * text. Three answers must agree on the verdict and the error offset:
 *   - ws_utf8_validate() on the whole text;
 *   - ws_utf8_feed() over the chosen chunks, then ws_utf8_finish();
 *   - ref_utf8_validate(), a code-point-at-a-time reference (ref_utf8.h)
 *     that derives the fail-fast offset from code point ranges.
 * Also: before an error, v.offset counts the bytes fed; the error is sticky;
 * no chunk is read past its end (chunks sit at the end of a heap buffer).
 */
#include "fuzz_common.h"
#include "ref_utf8.h"
#include "wscodec/error.h"
#include "wscodec/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_split split;
    fuzz_split_init(&split, data[0]);
    const uint8_t *s = data + 1;
    const size_t n = size - 1;

    size_t ref_offset = 0;
    int ref = ref_utf8_validate(s, n, &ref_offset);

    size_t one_offset = 12345;
    int one = ws_utf8_validate(s, n, &one_offset);
    FUZZ_CHECK(one == ref);
    FUZZ_CHECK(one_offset == ref_offset);
    FUZZ_CHECK(ws_utf8_validate(s, n, NULL) == ref);

    fuzz_window window;
    fuzz_window_init(&window, n);
    ws_utf8 v;
    ws_utf8_init(&v);
    FUZZ_CHECK(ws_utf8_finish(&v) == WS_OK);
    size_t fed = 0;
    int rc = WS_OK;
    while (fed < n) {
        size_t k = fuzz_split_next(&split, n - fed);
        rc = ws_utf8_feed(&v, fuzz_window_put(&window, s + fed, k), k);
        if (rc != WS_OK) {
            FUZZ_CHECK(rc == WS_E_UTF8_INVALID && ref == WS_E_UTF8_INVALID);
            FUZZ_CHECK(v.offset == ref_offset);
            /* The offending byte is in this chunk: the prefix before it was valid. */
            FUZZ_CHECK(ref_offset >= fed && ref_offset < fed + k);
            break;
        }
        fed += k;
        FUZZ_CHECK(v.offset == fed);
        /* A valid prefix so far: the reference fails no earlier than here. */
        FUZZ_CHECK(ref != WS_E_UTF8_INVALID || ref_offset >= fed);
    }
    if (rc != WS_OK) {
        /* Sticky: more input, even none, changes nothing. */
        uint64_t at = v.offset;
        FUZZ_CHECK(ws_utf8_feed(&v, (const uint8_t *)"a", 1) == WS_E_UTF8_INVALID);
        FUZZ_CHECK(ws_utf8_feed(&v, NULL, 0) == WS_E_UTF8_INVALID);
        FUZZ_CHECK(ws_utf8_finish(&v) == WS_E_UTF8_INVALID);
        FUZZ_CHECK(v.offset == at);
    } else {
        FUZZ_CHECK(ws_utf8_finish(&v) == ref);
        /* An empty feed keeps the state. */
        FUZZ_CHECK(ws_utf8_feed(&v, NULL, 0) == WS_OK);
        FUZZ_CHECK(ws_utf8_finish(&v) == ref);
    }
    fuzz_window_free(&window);
    return 0;
}

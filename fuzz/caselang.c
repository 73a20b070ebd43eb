/*
 * Fuzz target: the case-language parser (harness/lang/caselang.h). Case files are
 * user input; a hostile one must end in a located error, never in a crash,
 * a hang or unbounded memory.
 *
 * Input: the text of one case file, parsed with `file:` payloads refused
 * (nothing is read from disk). The list it is appended to already holds one
 * case. Properties:
 *   - on error the list is exactly as it was, and the error names a line of
 *     the input (0..lines+1) with a non-empty message;
 *   - on success every new case has a non-empty id, a title, an RFC section,
 *     a requirement and a line inside the input, and parsing the same text again into the
 *     list fails on a duplicate id while leaving the list as it was;
 *   - the formatted error is NUL-terminated even in a tiny buffer.
 */
/* fuzz-extra-sources: harness/lang/caselang.c harness/lang/case.c harness/lang/case_ids.c harness/lang/close_expectation.c harness/lang/dataset.c harness/lang/dataset_binary.c harness/lang/dataset_deflate.c harness/lang/dataset_text.c harness/lang/directives.c harness/lang/expectation.c harness/lang/extension.c harness/lang/family.c harness/lang/lexer.c harness/lang/metadata.c harness/lang/names.c harness/lang/parser.c harness/lang/payload_expr.c harness/lang/quantity.c harness/lang/request.c harness/lang/send_options.c harness/lang/source_text.c harness/lang/steps.c harness/lang/url_vars.c */
/* fuzz-extra-seeds: cases */
#include <stdbool.h>

#include "lang/caselang.h"
#include "fuzz_common.h"

static const char resident[] = "case 0.resident\n"
                               "  title resident case\n"
                               "  rfc   5.2\n"
                               "  require A text frame carries UTF-8 text.\n"
                               "  send  text \"a\"\n"
                               "  expect OK: message text echo\n";

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    return lines;
}

static void check_error(const caselang_error *err, size_t lines)
{
    FUZZ_CHECK(err->line >= 0 && (size_t)err->line <= lines + 1);
    FUZZ_CHECK(err->message[0] != '\0');
    FUZZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL);
    char small[8];
    caselang_format_error(err, small, sizeof small);
    FUZZ_CHECK(memchr(small, '\0', sizeof small) != NULL);
}

/* The resident case is untouched: same count, same id, same payload. */
static void check_resident(const case_list *list)
{
    FUZZ_CHECK(list->count >= 1);
    FUZZ_CHECK(strcmp(list->cases[0].id, "0.resident") == 0);
    FUZZ_CHECK(list->cases[0].step_count == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    case_list list = { 0 };
    caselang_error err;
    if (caselang_parse(resident, sizeof resident - 1, "resident", false, &list, &err) != 0)
        fuzz_fail("the resident case does not parse", __FILE__, __LINE__);

    size_t lines = count_lines(data, size);
    memset(&err, 0, sizeof err);
    if (caselang_parse((const char *)data, size, "input", false, &list, &err) != 0) {
        check_error(&err, lines);
        FUZZ_CHECK(list.count == 1);
        check_resident(&list);
        case_list_free(&list);
        return 0;
    }
    check_resident(&list);
    size_t parsed = list.count;
    for (size_t i = 1; i < parsed; i++) {
        const case_def *c = &list.cases[i];
        FUZZ_CHECK(c->id != NULL && c->id[0] != '\0');
        FUZZ_CHECK(c->title != NULL && c->rfc != NULL && c->requirement != NULL);
        FUZZ_CHECK(c->line >= 1 && (size_t)c->line <= lines);
        for (size_t j = 1; j < i; j++)
            FUZZ_CHECK(strcmp(list.cases[j].id, c->id) != 0);
    }
    if (parsed > 1) {
        memset(&err, 0, sizeof err);
        FUZZ_CHECK(caselang_parse((const char *)data, size, "again", false, &list, &err) != 0);
        check_error(&err, lines);
        FUZZ_CHECK(list.count == parsed);
        check_resident(&list);
    }
    case_list_free(&list);
    return 0;
}

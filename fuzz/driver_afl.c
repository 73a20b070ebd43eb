/*
 * AFL++ driver: persistent mode with the test case in shared memory, around
 * any LLVMFuzzerTestOneInput() target. Build with afl-clang-fast (or
 * afl-clang-lto), which defines the __AFL_* macros.
 *
 * Each test case is copied into an allocation of exactly its size, so that a
 * sanitizer build (AFL_USE_ASAN=1) catches reads past its end. Outside
 * afl-fuzz the binary reads one input from standard input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef __AFL_FUZZ_TESTCASE_LEN
#error "driver_afl.c needs afl-clang-fast: the __AFL_* macros are not defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
#ifdef __AFL_HAVE_MANUAL_CONTROL
    __AFL_INIT();
#endif
    /* Must come after __AFL_INIT(): the buffer is mapped there. */
    const unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(100000)) {
        size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy)
            abort();
        if (len)
            memcpy(copy, buf, len);
        LLVMFuzzerTestOneInput(copy, len);
        free(copy);
    }
    return 0;
}

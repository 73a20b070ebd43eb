# wsconform — build, test and benchmark.
# make            libwscodec (static and shared) and build/wsconform
# make demo       set up dependencies, run every case against the built-in echo server
# make check      set up dependencies, then TAP tests: plain build, ASan+UBSan
#                 build (clang), valgrind
# make bench      speed figures as BENCH lines (codec, whole suite, fuzz targets)
# make fuzz       libFuzzer (clang, ASan+UBSan) and replay builds of fuzz/*.c;
#                 fuzz-afl, fuzz-smoke, fuzz-coverage: see fuzz/README.md
# make interop    every case against real third-party servers (ci/interop.sh)
# make install    PREFIX=/usr/local (DESTDIR honoured)

CC        ?= cc
SAN_CC    ?= clang
PREFIX    ?= /usr/local
BUILD     := build
VERSION   := 0.1.0

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD      := -std=c11
OPT       ?= -O2 -g
CPPFLAGS  += -Icodec/include -D_POSIX_C_SOURCE=200809L
BASE_CFLAGS := $(CSTD) $(WARN) $(OPT) -fPIC
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LIBS      := -lcrypto -lz

CODEC_SRC := $(wildcard codec/src/*.c)
CODEC_HDR := $(wildcard codec/include/*.h codec/include/wscodec/*.h codec/src/*.h)
CODEC_OBJ := $(CODEC_SRC:codec/src/%.c=$(BUILD)/codec/%.o)
SAN_OBJ   := $(CODEC_SRC:codec/src/%.c=$(BUILD)/san/codec/%.o)

TEST_SRC  := $(wildcard tests/codec/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/codec/%.c=$(BUILD)/tests/%.t)
SAN_TEST_BIN := $(TEST_SRC:tests/codec/%.c=$(BUILD)/san/tests/%.t)
TEST_HDR  := $(wildcard tests/*.h)

# The wsconform program: every harness/*/*.c; its tests link all but cli/main.c.
HARNESS_SRC := $(wildcard harness/*/*.c)
HARNESS_HDR := $(wildcard harness/*/*.h)
HARNESS_OBJ := $(HARNESS_SRC:harness/%.c=$(BUILD)/harness/%.o)
SAN_HARNESS_OBJ := $(HARNESS_SRC:harness/%.c=$(BUILD)/san/harness/%.o)
HARNESS_LIBS := -lssl -lcrypto -lz -lcjson
CASES_DIR ?= $(CURDIR)/cases
HARNESS_DEFS := -DWSCONFORM_CASES_DIR='"$(CASES_DIR)"' -DWSCONFORM_VERSION='"$(VERSION)"' -Iharness
WSCONFORM := $(BUILD)/wsconform
SAN_WSCONFORM := $(BUILD)/san/wsconform
PMD_FLOOR_SRC := $(wildcard bench/pmd_floor/*.c)
PMD_FLOOR := $(BUILD)/bench/pmd-floor
HTEST_SRC := $(wildcard tests/harness/test_*.c)
HTEST_BIN := $(HTEST_SRC:tests/harness/%.c=$(BUILD)/tests/%.t)
SAN_HTEST_BIN := $(HTEST_SRC:tests/harness/%.c=$(BUILD)/san/tests/%.t)
SCRIPT_TESTS := $(wildcard tests/harness/test_*.sh tests/interop/test_*.sh tests/fuzz/test_*.sh \
                           tests/docs/test_*.sh \
                           tests/robustness/test_*.sh)

LIB_A     := $(BUILD)/libwscodec.a
LIB_SO    := $(BUILD)/libwscodec.so
SAN_LIB_A := $(BUILD)/san/libwscodec.a

# Fuzz targets, their builds and runs (fuzz/README.md).
include fuzz/fuzz.mk

.PHONY: all lib check check-build check-plain check-san check-valgrind bench demo interop install clean
all: lib $(WSCONFORM)

lib: $(LIB_A) $(LIB_SO)

$(BUILD)/codec/%.o: codec/src/%.c $(CODEC_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/san/codec/%.o: codec/src/%.c $(CODEC_HDR)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(CSTD) $(WARN) $(SAN_FLAGS) -c $< -o $@

$(LIB_A): $(CODEC_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(CODEC_OBJ)
	$(CC) -shared -Wl,-soname,libwscodec.so.0 -o $@ $^ $(LIBS)

$(SAN_LIB_A): $(SAN_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/harness/%.o: harness/%.c $(CODEC_HDR) $(HARNESS_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HARNESS_DEFS) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/san/harness/%.o: harness/%.c $(CODEC_HDR) $(HARNESS_HDR)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(HARNESS_DEFS) $(CSTD) $(WARN) $(SAN_FLAGS) -c $< -o $@

$(WSCONFORM): $(HARNESS_OBJ) $(LIB_A)
	$(CC) -o $@ $(HARNESS_OBJ) $(LIB_A) $(HARNESS_LIBS)

$(SAN_WSCONFORM): $(SAN_HARNESS_OBJ) $(SAN_LIB_A)
	$(SAN_CC) $(SAN_FLAGS) -o $@ $(SAN_HARNESS_OBJ) $(SAN_LIB_A) $(HARNESS_LIBS)

$(BUILD)/tests/%.t: tests/harness/%.c $(filter-out %/cli/main.o,$(HARNESS_OBJ)) $(LIB_A) $(TEST_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HARNESS_DEFS) -Itests $(BASE_CFLAGS) $(CFLAGS) $< -o $@ \
	  $(filter-out %/cli/main.o,$(HARNESS_OBJ)) $(LIB_A) $(HARNESS_LIBS)

$(BUILD)/san/tests/%.t: tests/harness/%.c $(filter-out %/cli/main.o,$(SAN_HARNESS_OBJ)) $(SAN_LIB_A) $(TEST_HDR)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(HARNESS_DEFS) -Itests $(CSTD) $(WARN) $(SAN_FLAGS) $< -o $@ \
	  $(filter-out %/cli/main.o,$(SAN_HARNESS_OBJ)) $(SAN_LIB_A) $(HARNESS_LIBS)

$(BUILD)/tests/%.t: tests/codec/%.c $(LIB_A) $(TEST_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(BASE_CFLAGS) $(CFLAGS) $< -o $@ $(LIB_A) $(LIBS)

$(BUILD)/san/tests/%.t: tests/codec/%.c $(SAN_LIB_A) $(TEST_HDR)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) -Itests $(CSTD) $(WARN) $(SAN_FLAGS) $< -o $@ $(SAN_LIB_A) $(LIBS)

PROVE := prove --exec '' --failures

# Sets up what the tests need (ci/setup), builds the binaries in parallel, then
# runs the suites one after the other. Script tests find the program through
# WSCONFORM_BIN.
check:
	ci/setup
	$(MAKE) --no-print-directory check-build
	$(MAKE) --no-print-directory check-plain
	$(MAKE) --no-print-directory check-san
	$(MAKE) --no-print-directory check-valgrind
	$(MAKE) --no-print-directory check-fuzz-replay

check-build: $(TEST_BIN) $(HTEST_BIN) $(SAN_TEST_BIN) $(SAN_HTEST_BIN) $(WSCONFORM) \
             $(SAN_WSCONFORM) $(FUZZ_REPLAY_BIN) $(PMD_FLOOR)

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1

check-plain: $(TEST_BIN) $(HTEST_BIN) $(WSCONFORM) $(PMD_FLOOR)
	WSCONFORM_BIN=$(WSCONFORM) $(PROVE) $(TEST_BIN) $(HTEST_BIN) $(SCRIPT_TESTS)

check-san: $(SAN_TEST_BIN) $(SAN_HTEST_BIN) $(SAN_WSCONFORM)
	$(SAN_ENV) WSCONFORM_BIN=$(SAN_WSCONFORM) WSCONFORM_TIMEOUT_SCALE=4 \
	  $(PROVE) $(SAN_TEST_BIN) $(SAN_HTEST_BIN) $(filter tests/harness/%,$(SCRIPT_TESTS))

check-valgrind: $(TEST_BIN)
	WSCONFORM_UNDER_VALGRIND=1 $(PROVE) --exec 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all' $(TEST_BIN)

BENCH_SRC := $(wildcard bench/*.c)
$(BUILD)/bench/wsbench: $(BENCH_SRC) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ibench $(CSTD) $(WARN) -O2 -g $(CFLAGS) $(BENCH_SRC) -o $@ $(LIB_A) $(LIBS) -lwslay

# pmd-floor: the zlib work of the compression cases alone (bench/pmd_floor/);
# it reads the cases with the harness, linked as the tests link it.
$(PMD_FLOOR): $(PMD_FLOOR_SRC) $(wildcard bench/pmd_floor/*.h) \
              $(filter-out %/cli/main.o,$(HARNESS_OBJ)) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HARNESS_DEFS) $(CSTD) $(WARN) -O2 -g $(CFLAGS) $(PMD_FLOOR_SRC) -o $@ \
	  $(filter-out %/cli/main.o,$(HARNESS_OBJ)) $(LIB_A) $(HARNESS_LIBS)

bench: $(BUILD)/bench/wsbench $(WSCONFORM) $(PMD_FLOOR) $(FUZZ_LF_BIN)
	$(BUILD)/bench/wsbench
	ci/bench-suite $(WSCONFORM) $(PMD_FLOOR)
	$(MAKE) --no-print-directory fuzz-bench

demo:
	ci/setup
	$(MAKE) --no-print-directory -j2 $(WSCONFORM)
	ci/demo $(WSCONFORM)

# Real third-party servers on loopback (ci/interop/); INTEROP_SERVERS picks some,
# INTEROP_FLAGS=--check compares them with their reviewed baselines.
INTEROP_SERVERS ?=
INTEROP_FLAGS ?=
interop:
	ci/setup
	$(MAKE) --no-print-directory -j2 $(WSCONFORM)
	WSCONFORM=$(WSCONFORM) ci/interop.sh $(INTEROP_FLAGS) $(INTEROP_SERVERS)

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/wscodec $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/libwscodec.so.$(VERSION)
	ln -sf libwscodec.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libwscodec.so.0
	ln -sf libwscodec.so.0 $(DESTDIR)$(PREFIX)/lib/libwscodec.so
	install -m 644 codec/include/wscodec.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 codec/include/wscodec/*.h $(DESTDIR)$(PREFIX)/include/wscodec/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' codec/wscodec.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/wscodec.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/wsconform
	$(MAKE) --no-print-directory BUILD=$(BUILD)/install CASES_DIR=$(PREFIX)/share/wsconform/cases \
	  $(BUILD)/install/wsconform
	install -m 755 $(BUILD)/install/wsconform $(DESTDIR)$(PREFIX)/bin/wsconform
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/wsconform.1 $(DESTDIR)$(PREFIX)/share/man/man1/wsconform.1
	cp -R cases $(DESTDIR)$(PREFIX)/share/wsconform/

clean:
	rm -rf $(BUILD)

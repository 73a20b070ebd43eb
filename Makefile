# wsconform — build, test and benchmark.
# make            library (static and shared)
# make demo       set up dependencies, build, self-test
# make check      TAP tests: plain build, ASan+UBSan build (clang), valgrind
# make bench      speed figures as BENCH lines
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
CODEC_HDR := $(wildcard codec/include/*.h codec/include/wscodec/*.h)
CODEC_OBJ := $(CODEC_SRC:codec/src/%.c=$(BUILD)/codec/%.o)
SAN_OBJ   := $(CODEC_SRC:codec/src/%.c=$(BUILD)/san/codec/%.o)

TEST_SRC  := $(wildcard tests/codec/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/codec/%.c=$(BUILD)/tests/%.t)
SAN_TEST_BIN := $(TEST_SRC:tests/codec/%.c=$(BUILD)/san/tests/%.t)
TEST_HDR  := $(wildcard tests/*.h)

LIB_A     := $(BUILD)/libwscodec.a
LIB_SO    := $(BUILD)/libwscodec.so
SAN_LIB_A := $(BUILD)/san/libwscodec.a

.PHONY: all lib check check-plain check-san check-valgrind bench demo install clean
all: lib

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

$(BUILD)/tests/%.t: tests/codec/%.c $(LIB_A) $(TEST_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(BASE_CFLAGS) $(CFLAGS) $< -o $@ $(LIB_A) $(LIBS)

$(BUILD)/san/tests/%.t: tests/codec/%.c $(SAN_LIB_A) $(TEST_HDR)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) -Itests $(CSTD) $(WARN) $(SAN_FLAGS) $< -o $@ $(SAN_LIB_A) $(LIBS)

PROVE := prove --exec '' --failures

# Binaries build in parallel; the three runs go one after the other.
check: $(TEST_BIN) $(SAN_TEST_BIN)
	$(MAKE) --no-print-directory check-plain
	$(MAKE) --no-print-directory check-san
	$(MAKE) --no-print-directory check-valgrind

check-plain: $(TEST_BIN)
	$(PROVE) $(TEST_BIN)

check-san: $(SAN_TEST_BIN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(PROVE) $(SAN_TEST_BIN)

check-valgrind: $(TEST_BIN)
	WSCONFORM_UNDER_VALGRIND=1 $(PROVE) --exec 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all' $(TEST_BIN)

BENCH_SRC := $(wildcard bench/*.c)
$(BUILD)/bench/wsbench: $(BENCH_SRC) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ibench $(CSTD) $(WARN) -O2 -g $(CFLAGS) $(BENCH_SRC) -o $@ $(LIB_A) $(LIBS) -lwslay

bench: $(BUILD)/bench/wsbench
	$(BUILD)/bench/wsbench

demo:
	ci/setup
	$(MAKE) --no-print-directory check-plain

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

clean:
	rm -rf $(BUILD)

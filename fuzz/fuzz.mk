# Fuzzing: targets in fuzz/, seeds in corpus/ (see fuzz/README.md).
# Included by the top-level Makefile; also usable alone:
#   make -f fuzz/fuzz.mk fuzz
#
#   fuzz               libFuzzer binaries (clang, ASan+UBSan) and replay binaries
#   fuzz-afl           AFL++ persistent-mode binaries (afl-clang-fast)
#   fuzz-smoke         every target for FUZZ_SMOKE_TIME seconds; fails on any finding
#   check-fuzz-replay  every seed and regression through the replay binaries (TAP)
#   fuzz-coverage      llvm-cov report of codec/src over the corpora (+ HTML)
#   fuzz-bench         exec/s of every target, as BENCH lines
#   fuzz-clean         removes $(FUZZ_BUILD)
#
# A target is any fuzz/*.c but the drivers (fuzz/driver_*.c); its seeds are
# corpus/<target>/, its dictionary fuzz/<target>.dict, and libFuzzer options
# (max_len, ...) may sit in fuzz/<target>.options (ClusterFuzz format, read
# by the scripts here and copied by fuzz/build.sh). A target that needs
# sources beyond libwscodec names them in a comment line of its own file:
#   /* fuzz-extra-sources: harness/lang/caselang.c harness/lang/case.c */
#   /* fuzz-extra-libs: -lcjson */

# Including this file never changes the including Makefile's default goal.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_BUILD     ?= $(if $(BUILD),$(BUILD),build)/fuzz
FUZZ_TARGETS   := $(sort $(patsubst fuzz/%.c,%,$(filter-out fuzz/driver_%.c,$(wildcard fuzz/*.c))))
FUZZ_CODEC_SRC := $(wildcard codec/src/*.c)
FUZZ_DEPS      := $(wildcard codec/include/*.h codec/include/wscodec/*.h codec/src/*.h fuzz/*.h \
                  harness/*/*.h) fuzz/fuzz.mk
FUZZ_WARN      := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
FUZZ_CPPFLAGS  := -Icodec/include -Iharness -D_POSIX_C_SOURCE=200809L
FUZZ_LIBS      ?= -lcrypto -lz

# libFuzzer: clang, ASan+UBSan, every UB report fatal.
FUZZ_LF_CC      ?= clang
FUZZ_LF_SAN     ?= address,undefined
FUZZ_LF_CFLAGS  ?= -O2 -g -fno-omit-frame-pointer -fno-sanitize-recover=all \
                   -fsanitize=fuzzer-no-link,$(FUZZ_LF_SAN)
FUZZ_LF_LDFLAGS ?= -fsanitize=fuzzer,$(FUZZ_LF_SAN)
# The targets' own code (fuzz/*.c) keeps its edge counters but does not trace
# comparisons: its checks and reference models compare a lot, which costs
# time on every run and teaches the mutator nothing about the codec.
FUZZ_LF_HARNESS_CFLAGS ?= -fno-sanitize-coverage=trace-cmp
FUZZ_LF_DRIVER  :=

# AFL++: persistent mode through fuzz/driver_afl.c. UBSan traps by default (no
# runtime needed); FUZZ_AFL_SAN=-fsanitize=address,undefined for a slower
# ASan build (afl-fuzz then needs -m none).
FUZZ_AFL_CC      ?= afl-clang-fast
FUZZ_AFL_SAN     ?= -fsanitize=undefined -fsanitize-trap=undefined
FUZZ_AFL_CFLAGS  ?= -O2 -g $(FUZZ_AFL_SAN)
FUZZ_AFL_LDFLAGS ?=
FUZZ_AFL_DRIVER  := $(FUZZ_BUILD)/afl/obj/fuzz/driver_afl.o

# Replay: no engine, gcc, ASan+UBSan.
FUZZ_REPLAY_CC      ?= gcc
FUZZ_REPLAY_CFLAGS  ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                       -fno-sanitize-recover=all
FUZZ_REPLAY_LDFLAGS ?=
FUZZ_REPLAY_DRIVER  := $(FUZZ_BUILD)/replay/obj/fuzz/driver_replay.o

# Coverage: clang source-based coverage, replay driver.
FUZZ_COV_CC      ?= clang
FUZZ_COV_CFLAGS  ?= -O1 -g -fprofile-instr-generate -fcoverage-mapping
FUZZ_COV_LDFLAGS ?=
FUZZ_COV_DRIVER  := $(FUZZ_BUILD)/coverage/obj/fuzz/driver_replay.o

# Running.
FUZZ_SMOKE_TIME ?= 20
FUZZ_TIMEOUT    ?= 10
FUZZ_RSS_MB     ?= 2048
FUZZ_BENCH_TIME ?= 5
FUZZ_COVERAGE_CORPUS ?=
FUZZ_SAN_ENV    := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Per-target extras, read from the target's own source.
fuzz_extra = $(strip $(shell sed -n 's|.*fuzz-extra-$(1):\(.*\)\*/.*|\1|p' fuzz/$(2).c))
$(foreach t,$(FUZZ_TARGETS),$(eval FUZZ_EXTRA_SRC_$(t) := $(call fuzz_extra,sources,$(t))))
$(foreach t,$(FUZZ_TARGETS),$(eval FUZZ_EXTRA_LIBS_$(t) := $(call fuzz_extra,libs,$(t))))

# $(1): flavor (output folder), $(2): variable infix (FUZZ_<infix>_CC, ...).
define FUZZ_FLAVOR
FUZZ_$(2)_BIN := $$(FUZZ_TARGETS:%=$$(FUZZ_BUILD)/$(1)/%)
FUZZ_$(2)_CODEC_OBJ := $$(FUZZ_CODEC_SRC:%.c=$$(FUZZ_BUILD)/$(1)/obj/%.o)
$$(FUZZ_BUILD)/$(1)/obj/%.o: %.c $$(FUZZ_DEPS) | $$(FUZZ_$(2)_CHECK)
	@mkdir -p $$(@D)
	$$(FUZZ_$(2)_CC) $$(FUZZ_CPPFLAGS) $$(FUZZ_WARN) $$(FUZZ_$(2)_CFLAGS) -c $$< -o $$@
$$(FUZZ_BUILD)/$(1)/obj/fuzz/%.o: fuzz/%.c $$(FUZZ_DEPS) | $$(FUZZ_$(2)_CHECK)
	@mkdir -p $$(@D)
	$$(FUZZ_$(2)_CC) $$(FUZZ_CPPFLAGS) $$(FUZZ_WARN) $$(FUZZ_$(2)_CFLAGS) \
	  $$(FUZZ_$(2)_HARNESS_CFLAGS) -c $$< -o $$@
endef

# $(1): flavor, $(2): infix, $(3): target.
define FUZZ_LINK
$$(FUZZ_BUILD)/$(1)/$(3): $$(FUZZ_BUILD)/$(1)/obj/fuzz/$(3).o $$(FUZZ_$(2)_DRIVER) \
    $$(FUZZ_$(2)_CODEC_OBJ) $$(FUZZ_EXTRA_SRC_$(3):%.c=$$(FUZZ_BUILD)/$(1)/obj/%.o)
	$$(FUZZ_$(2)_CC) $$(FUZZ_$(2)_CFLAGS) $$(FUZZ_$(2)_LDFLAGS) $$^ -o $$@ \
	  $$(FUZZ_EXTRA_LIBS_$(3)) $$(FUZZ_LIBS)
endef

FUZZ_AFL_CHECK := fuzz-afl-check
$(eval $(call FUZZ_FLAVOR,libfuzzer,LF))
$(eval $(call FUZZ_FLAVOR,afl,AFL))
$(eval $(call FUZZ_FLAVOR,replay,REPLAY))
$(eval $(call FUZZ_FLAVOR,coverage,COV))
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_LINK,libfuzzer,LF,$(t))))
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_LINK,afl,AFL,$(t))))
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_LINK,replay,REPLAY,$(t))))
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_LINK,coverage,COV,$(t))))

.PHONY: fuzz fuzz-libfuzzer fuzz-replay fuzz-afl fuzz-afl-check fuzz-smoke check-fuzz-replay \
        fuzz-coverage fuzz-coverage-build fuzz-bench fuzz-list fuzz-clean

fuzz: fuzz-libfuzzer fuzz-replay
fuzz-libfuzzer: $(FUZZ_LF_BIN)
fuzz-replay: $(FUZZ_REPLAY_BIN)
fuzz-afl: $(FUZZ_AFL_BIN)
fuzz-coverage-build: $(FUZZ_COV_BIN)

fuzz-afl-check:
	@command -v $(firstword $(FUZZ_AFL_CC)) >/dev/null 2>&1 || { \
	  echo "fuzz-afl: '$(firstword $(FUZZ_AFL_CC))' not found: install AFL++ (Debian/Ubuntu: apt-get install afl++)" >&2; \
	  exit 1; }

fuzz-smoke: $(FUZZ_LF_BIN)
	$(FUZZ_SAN_ENV) FUZZ_BUILD=$(FUZZ_BUILD) fuzz/smoke.sh -t $(FUZZ_SMOKE_TIME) \
	  -T $(FUZZ_TIMEOUT) -m $(FUZZ_RSS_MB) $(FUZZ_TARGETS)

check-fuzz-replay: $(FUZZ_REPLAY_BIN)
	@$(FUZZ_SAN_ENV) FUZZ_BUILD=$(FUZZ_BUILD) fuzz/replay.sh $(FUZZ_TARGETS)

fuzz-coverage: $(FUZZ_COV_BIN)
	FUZZ_BUILD=$(FUZZ_BUILD) fuzz/coverage.sh $(FUZZ_COVERAGE_CORPUS)

fuzz-bench: $(FUZZ_LF_BIN)
	@FUZZ_BUILD=$(FUZZ_BUILD) fuzz/bench-exec.sh $(FUZZ_BENCH_TIME) $(FUZZ_TARGETS)

fuzz-list:
	@echo $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)

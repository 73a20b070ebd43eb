#!/usr/bin/env bash
# Replays every seed and regression of each target (and the folders its
# source names as extra seeds, see fuzz/target-settings.sh) through its replay
# binary ($FUZZ_BUILD/replay/<target>, ASan+UBSan, no fuzzing engine), each
# input in its own process. Prints TAP, one test per target; exit status 1
# if any input of any target failed.
#
#   fuzz/replay.sh [TARGET...]      (default: every target in fuzz/)
set -u
cd "$(dirname "$0")/.."
. fuzz/target-settings.sh
build=${FUZZ_BUILD:-build/fuzz}
if [ $# -eq 0 ]; then
  set -- $(ls fuzz/*.c | sed -e '/\/driver_/d' -e 's|^fuzz/||' -e 's|\.c$||')
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "1..$#"
i=0 failed=0
for t in "$@"; do
  i=$((i + 1))
  bin=$build/replay/$t
  if [ ! -x "$bin" ]; then
    echo "not ok $i - $t: $bin missing (make fuzz-replay)"
    failed=1
    continue
  fi
  if [ ! -d "corpus/$t" ]; then
    echo "not ok $i - $t: no corpus/$t/"
    failed=1
    continue
  fi
  mapfile -t seeds < <(fuzz_seed_dirs "$t")
  if out=$("$bin" -t -q "${seeds[@]}" 2>&1); then
    echo "ok $i - $t: $(printf '%s\n' "$out" | sed -n 's/^replayed \([0-9]*\) inputs.*/\1 inputs/p')"
  else
    echo "not ok $i - $t"
    printf '%s\n' "$out" | grep -E 'FAIL|ERROR|SUMMARY|property violated|runtime error' | head -n 40 | sed 's/^/# /'
    failed=1
  fi
done
exit $failed

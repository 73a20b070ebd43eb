#!/usr/bin/env bash
# Fuzzing speed: runs each libFuzzer target for SECONDS on one core, from its
# seeds (read only; new inputs go to a temporary folder), and prints
#   BENCH name=fuzz_<target> value=<exec/s> unit=exec/s baseline=none ratio=1
# from libFuzzer's final statistics (stat::average_exec_per_sec, or else the
# last "exec/s:" status line); frame_header's line compares with its goal of
# 300k exec/s (baseline=goal_300k).
#
#   fuzz/bench-exec.sh [SECONDS] [TARGET...]   (defaults: 5, every target)
set -u
cd "$(dirname "$0")/.."
. fuzz/target-settings.sh
build=${FUZZ_BUILD:-build/fuzz}
seconds=${1:-5}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
  set -- $(ls fuzz/*.c | sed -e '/\/driver_/d' -e 's|^fuzz/||' -e 's|\.c$||')
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for t in "$@"; do
  bin=$build/libfuzzer/$t
  if [ ! -x "$bin" ]; then
    echo "bench-exec: $bin missing (make fuzz)" >&2
    status=1
    continue
  fi
  mkdir -p "$tmp/$t"
  mapfile -t opts < <(fuzz_options "$t")
  mapfile -t seeds < <(fuzz_seed_dirs "$t")
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -seed=1 -timeout=10 \
    -artifact_prefix="$tmp/" "${opts[@]}" "$tmp/$t" "${seeds[@]}" >"$tmp/$t.log" 2>&1 || status=1
  rate=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$tmp/$t.log" | tail -n 1)
  if [ -z "$rate" ]; then
    rate=$(grep -o 'exec/s: [0-9]*' "$tmp/$t.log" | tail -n 1 | sed 's/exec\/s: //')
  fi
  # The frame decoder's target has a goal (300k exec/s on one core, ASan+UBSan).
  if [ "$t" = frame_header ]; then
    awk -v r="${rate:-0}" 'BEGIN { printf "BENCH name=fuzz_frame_header value=%d unit=exec/s baseline=goal_300k ratio=%.2f\n", r, r / 300000 }'
  else
    echo "BENCH name=fuzz_$t value=${rate:-0} unit=exec/s baseline=none ratio=1"
  fi
done
exit $status

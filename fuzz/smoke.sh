#!/usr/bin/env bash
# Fuzzes each target briefly with its libFuzzer binary and fails on any
# finding (crash, property violation, leak, timeout, out of memory).
#
#   fuzz/smoke.sh [-t SECONDS] [-T TIMEOUT] [-m RSS_MB] [-l LABEL] TARGET...
#
# With -t 600 it is a campaign of ten minutes per target, one core, one
# target after the other; -l names the logs ($FUZZ_BUILD/logs/LABEL-<target>.log,
# default "smoke").
#
# Binaries come from $FUZZ_BUILD/libfuzzer (default build/fuzz). New inputs
# go to $FUZZ_BUILD/corpus/<target>/ (the seeds in corpus/ are only read),
# crash files to $FUZZ_BUILD/artifacts/<target>/, logs to $FUZZ_BUILD/logs/.
# Prints TAP; exit status 1 if any target failed.
set -u
cd "$(dirname "$0")/.."
. fuzz/target-settings.sh
build=${FUZZ_BUILD:-build/fuzz}
seconds=20 timeout=10 rss=2048 label=smoke
while getopts t:T:m:l: opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    T) timeout=$OPTARG ;;
    m) rss=$OPTARG ;;
    l) label=$OPTARG ;;
    *) echo "usage: $0 [-t SECONDS] [-T TIMEOUT] [-m RSS_MB] [-l LABEL] TARGET..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "$0: no targets given" >&2; exit 2; }

echo "1..$#"
i=0 failed=0
for t in "$@"; do
  i=$((i + 1))
  bin=$build/libfuzzer/$t
  work=$build/corpus/$t art=$build/artifacts/$t log=$build/logs/$label-$t.log
  mkdir -p "$work" "$art" "$(dirname "$log")"
  mapfile -t opts < <(fuzz_options "$t")
  mapfile -t seeds < <(fuzz_seed_dirs "$t")
  if [ ! -x "$bin" ]; then
    echo "not ok $i - $t: $bin missing (make fuzz)"
    failed=1
    continue
  fi
  "$bin" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss" \
    -print_final_stats=1 -artifact_prefix="$art/" "${opts[@]}" "$work" "${seeds[@]}" \
    >"$log" 2>&1
  rc=$?
  stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/^#([0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/runs: \1 /')
  if [ $rc -eq 0 ]; then
    echo "ok $i - $t: $stats"
  else
    echo "not ok $i - $t: libFuzzer exit status $rc (log: $log)"
    grep -E 'ERROR|SUMMARY|property violated|Test unit written|artifact_prefix' "$log" | head -n 20 | sed 's/^/# /'
    echo "# reproduce: $build/replay/$t <crash file>; then copy it to corpus/$t/regressions/"
    failed=1
  fi
done
exit $failed

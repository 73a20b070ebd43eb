#!/usr/bin/env bash
# An AFL++ campaign on one machine: one main instance (-M) and JOBS-1
# secondaries (-S) on one target for SECONDS, then a summary (afl-whatsup -s,
# crashes and hangs found, execs/s).
#
#   fuzz/afl-campaign.sh TARGET SECONDS [JOBS]     (JOBS: default nproc)
#
# Needs the AFL++ build (make fuzz-afl). Seeds: corpus/TARGET/ (regressions
# included) and any folder the target names as extra seeds; output: $FUZZ_BUILD/afl-out/TARGET/ (a second run resumes it);
# dictionary: fuzz/TARGET.dict. Exit status 1 if anything crashed or hung.
# AFL_NO_AFFINITY defaults to 1 so that a busy machine does not stop the
# instances from starting; set it to 0 on a dedicated one.
set -u
cd "$(dirname "$0")/.."
. fuzz/target-settings.sh
[ $# -ge 2 ] || { echo "usage: $0 TARGET SECONDS [JOBS]" >&2; exit 2; }
t=$1 seconds=$2 jobs=${3:-$(nproc)}
build=${FUZZ_BUILD:-build/fuzz}
bin=$build/afl/$t out=$build/afl-out/$t
command -v afl-fuzz >/dev/null 2>&1 || { echo "$0: afl-fuzz not found: install AFL++ (apt-get install afl++)" >&2; exit 1; }
[ -x "$bin" ] || { echo "$0: $bin missing: make fuzz-afl" >&2; exit 1; }
[ -d "corpus/$t" ] || { echo "$0: no corpus/$t/" >&2; exit 1; }

# afl-fuzz wants a flat folder of inputs.
in=$build/afl-in/$t
rm -rf "$in"
mkdir -p "$in" "$out"
fuzz_seed_dirs "$t" | while read -r d; do
  find "$d" -type f ! -name 'README*' ! -name '.*' | while read -r f; do
    cp "$f" "$in/$(echo "$f" | tr / _)"
  done
done

export AFL_NO_UI=1 AFL_AUTORESUME=1 AFL_SKIP_CPUFREQ=1
export AFL_NO_AFFINITY=${AFL_NO_AFFINITY:-1}
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=${AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES:-1}
dict=()
[ -f "fuzz/$t.dict" ] && dict=(-x "fuzz/$t.dict")

pids=()
for i in $(seq 0 $((jobs - 1))); do
  if [ "$i" -eq 0 ]; then role=(-M main); else role=(-S "s$i"); fi
  afl-fuzz "${role[@]}" -i "$in" -o "$out" "${dict[@]}" -m none -t 1000+ -V "$seconds" \
    -- "$bin" >"$out/${role[1]}.log" 2>&1 &
  pids+=($!)
done
echo "afl-campaign: $t, $jobs instance(s), ${seconds}s, output in $out"
for p in "${pids[@]}"; do wait "$p"; done

echo
TERM=dumb afl-whatsup -s -d "$out" 2>/dev/null | grep -v "^tput" || true
crashes=$(find "$out"/*/crashes -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$out"/*/hangs -type f -name 'id:*' 2>/dev/null | wc -l)
execs=0 rate=0
for s in "$out"/*/fuzzer_stats; do
  [ -f "$s" ] || continue
  e=$(sed -n 's/^execs_done *: *//p' "$s")
  r=$(sed -n 's/^execs_per_sec *: *//p' "$s")
  execs=$((execs + ${e:-0}))
  rate=$(awk -v a="$rate" -v b="${r:-0}" 'BEGIN { printf "%.0f", a + b }')
done
echo "afl-campaign: $t: $execs execs, $rate execs/s over $jobs instance(s), $crashes crash(es), $hangs hang(s)"
if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
  find "$out"/*/crashes "$out"/*/hangs -type f -name 'id:*' 2>/dev/null | head -n 20 | sed 's/^/  /'
  echo "reproduce: $build/replay/$t FILE   then minimise it and add it to corpus/$t/regressions/"
  exit 1
fi
